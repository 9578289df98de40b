import Compare

/// The results of a `go test` output's series: names taken apart, units named, failures dropped.
extension GoTestSeries {
    /// The results, with each failed benchmark as a failure instead: a benchmark that failed in
    /// one `-count` repetition is not measured, whatever the others printed. Skips and guessed
    /// directions become warnings.
    func output(verdicts: [GoTestReader.Verdict], file: String) -> ParsedOutput {
        var failed: [(package: String?, name: Substring, reason: Substring?, times: Int)] = []
        var warnings: [String] = []
        for verdict in verdicts {
            let name = named(verdict)
            if !verdict.failed {
                let display = Self.display(package: verdict.package, name: name)
                warnings.append(PlainText.singleLine("\(display) was skipped: \(verdict.reason ?? "no reason given")"))
            } else if let index = failed.firstIndex(where: { $0.package == verdict.package && $0.name == name }) {
                failed[index].times += 1
            } else {
                failed.append((verdict.package, name, verdict.reason, 1))
            }
        }
        // `testing` fails a parent as well as the sub-benchmark that failed; the sub-benchmark is the news.
        let all = failed
        failed.removeAll { parent in
            let base = Self.split(parent.name).0 + Self.subNames(parent.name)
            return all.contains { $0.package == parent.package && $0.name.hasPrefix(base + "/") }
        }
        // A failed benchmark's series are all those of the benchmarks printed as its name (as text, `==`).
        var dropped = [Bool](repeating: false, count: printed.count)
        var failures: [BenchmarkFailure] = []
        for failure in failed {
            let matching = printed.indices.filter { printed[$0].package == failure.package && printed[$0].name == failure.name }
            let measured = matching.first.map { samples[printed[$0].series[0]].count } ?? 0
            for benchmark in matching { dropped[benchmark] = true }
            var reason = "--- FAIL: \(failure.reason ?? "go test gave no reason")"
            if failure.times > 1 { reason += " (\(failure.times) times)" }
            if measured > 0 { reason += "; the \(measured) result(s) it printed in other repetitions are not stored" }
            failures.append(BenchmarkFailure(benchmark: Self.display(package: failure.package, name: failure.name),
                                             reason: PlainText.singleLine(String(reason.prefix(500)))))
        }
        var results: [BenchmarkResult] = []
        results.reserveCapacity(samples.count)
        // A benchmark's units are consecutive series: its name is taken apart once for all of them,
        // and they share one dictionary of parameters, which validation then checks once.
        var named: (benchmark: Int, base: String, parameters: [String: String])?
        var metrics = UnitMetrics()
        for place in samples.indices where !dropped[benchmarkOf[place]] {
            let benchmark = printed[benchmarkOf[place]]
            if let last = named, last.benchmark == benchmarkOf[place] || (printed[last.benchmark].name == benchmark.name
                                                                          && printed[last.benchmark].package == benchmark.package) {
                named?.benchmark = benchmarkOf[place]
            } else {
                var (base, parameters) = Self.split(benchmark.name)
                if let package = benchmark.package { parameters["pkg"] = package }
                // Benchmarks of the same parameters (most share their procs and package) share one
                // dictionary too, which validation then tells at once instead of walking it again.
                if let last = named, last.parameters == parameters { parameters = last.parameters }
                named = (benchmarkOf[place], base, parameters)
            }
            guard let (base, parameters) = named.map({ ($0.base, $0.parameters) }) else { continue }
            let (suffix, unit, direction, isGuess) = metrics.metric(units[place])
            let result = BenchmarkResult(benchmark: suffix.isEmpty ? base : base + suffix, parameters: parameters, unit: unit,
                                         direction: direction, samples: samples[place])
            // One line per series, in the shape `--direction` settles, so setting it silences the guess.
            if isGuess {
                warnings.append(ResultValidation.guessedDirectionWarning(file: file, unit: unit, displayName: result.displayName, direction: direction))
            }
            results.append(result)
        }
        return ParsedOutput(results: results, failures: failures, warnings: warnings)
    }

    /// ``GoTestSeries/metric(_:)`` of each unit met, worked out once: a file prints a handful, many times over.
    private struct UnitMetrics {
        private var known: [(unit: Substring, metric: (suffix: String, unit: String, direction: Direction, guessed: Bool))] = []

        mutating func metric(_ unit: Substring) -> (suffix: String, unit: String, direction: Direction, guessed: Bool) {
            // By bytes: the metric is worked out from them.
            if let found = TextBytes.withBytes(of: unit, { bytes in known.first { TextBytes.equal($0.unit, bytes[...]) } }) {
                return found.metric
            }
            let metric = GoTestSeries.metric(unit)
            known.append((unit, metric))
            return metric
        }
    }

    /// A verdict's printed name, with its package's procs suffix when `testing` left it off
    /// (a sub-benchmark that failed before it was timed) and the package ran with one GOMAXPROCS.
    private func named(_ verdict: GoTestReader.Verdict) -> Substring {
        if let dash = verdict.name.lastIndex(of: "-"), Int(verdict.name[verdict.name.index(after: dash)...]) != nil { return verdict.name }
        guard let seen = procs[verdict.package ?? ""], seen.count == 1, let only = seen.first else { return verdict.name }
        return verdict.name + "-" + only
    }

    private static func display(package: String?, name: Substring) -> String {
        var (base, parameters) = split(name)
        if let package { parameters["pkg"] = package }
        return BenchmarkResult(benchmark: base, parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: []).displayName
    }

    /// `BenchmarkRepeat/n=8-2` without its procs suffix's base: the sub-names, `/n=8`.
    private static func subNames(_ name: Substring) -> String {
        var stripped = name
        if let dash = name.lastIndex(of: "-"), Int(name[name.index(after: dash)...]) != nil { stripped = name[..<dash] }
        return stripped.firstIndex(of: "/").map { String(stripped[$0...]) } ?? ""
    }

    /// Go's units: `ns/op` is the benchmark's own series in ns; `B/op` and `allocs/op` (`-benchmem`)
    /// and `MB/s` (`b.SetBytes`) are known; a `b.ReportMetric` unit such as `compares/op` is kept as
    /// given, with a guessed direction.
    static func metric(_ unit: Substring) -> (suffix: String, unit: String, direction: Direction, guessed: Bool) {
        switch unit {
        case "ns/op": return ("", "ns", .lowerIsBetter, false)
        case "B/op": return (".bytes_per_op", "B", .lowerIsBetter, false)
        case "allocs/op": return (".allocs_per_op", "allocs", .lowerIsBetter, false)
        case "MB/s": return (".throughput", "MB/s", .higherIsBetter, false)
        default:
            let (direction, guessed) = ResultValidation.direction(ofUnit: String(unit))
            return ("." + unit.split(separator: "/", omittingEmptySubsequences: false).joined(separator: "_per_"), String(unit), direction, guessed)
        }
    }

    /// `BenchmarkRepeat/n=8-2` → (`BenchmarkRepeat`, `n=8, procs=2`); `a/b` sub-names without `=` become `sub0`.
    ///
    /// Cut at the bytes of `-`, `/` and `=`, as Go builds the name (a combining mark after one of
    /// them does not hide it), and for a name of every sub-benchmark, once each.
    static func split(_ fullName: Substring) -> (String, [String: String]) {
        let utf8 = fullName.utf8
        var end = utf8.endIndex
        // Room for the usual procs, a sub-name and the package the caller adds: one table, not three grown.
        var parameters = [String: String](minimumCapacity: 4)
        if let dash = utf8.lastIndex(of: UInt8(ascii: "-")), let procs = Int(fullName[utf8.index(after: dash)...]) {
            parameters["procs"] = String(procs)
            end = dash
        }
        // Empty parts (`a//b`, a leading or trailing `/`) are skipped, as `split(separator:)` skips them.
        var parts: [Substring] = []
        var start = utf8.startIndex
        var position = start
        while position <= end {
            if position == end || utf8[position] == UInt8(ascii: "/") {
                if start < position { parts.append(fullName[start..<position]) }
                if position == end { break }
                start = utf8.index(after: position)
            }
            position = utf8.index(after: position)
        }
        for (index, part) in parts.dropFirst().enumerated() {
            if let equals = part.utf8.firstIndex(of: UInt8(ascii: "=")) {
                parameters[String(part[..<equals])] = String(part[part.utf8.index(after: equals)...])
            } else {
                parameters["sub\(index)"] = String(part)
            }
        }
        return (String(parts.first ?? fullName[..<end]), parameters)
    }
}
