import Compare

/// The results of a `go test` output's series: names taken apart, units named, failures dropped.
extension GoTestSeries {
    /// The results, with each failed benchmark as a failure instead: a benchmark that failed in
    /// one `-count` repetition is not measured, whatever the others printed. Skips and guessed
    /// directions become warnings. The samples are moved into the results, so the series are left without them.
    mutating func output(verdicts: [GoTestReader.Verdict], file: String) -> ParsedOutput {
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
        var results = ResultBuffer(capacity: samples.count)
        // A benchmark's units are consecutive series: its name is taken apart once for all of them,
        // and they share one dictionary of parameters, which validation then checks once.
        var named = (benchmark: -1, base: "", parameters: [String: String](), tail: Substring())
        var tails = TailTable()
        // Each unit's metric is worked out once (a file prints a handful, many times over), into
        // arrays of their own: a tuple of them taken out per series cost retains of its strings.
        let metrics = units.map(Self.metric)
        let (suffixes, metricUnits) = (metrics.map(\.suffix), metrics.map(\.unit))
        for place in samples.indices where !dropped[benchmarkOf[place]] {
            let benchmark = benchmarkOf[place]
            if benchmark != named.benchmark {
                // Two places are one name only as text: their bytes differ, so at least one is not ASCII.
                if named.benchmark >= 0, !(printed[named.benchmark].isASCII && printed[benchmark].isASCII),
                   printed[named.benchmark].name == printed[benchmark].name, printed[named.benchmark].packageID == printed[benchmark].packageID {
                    named.benchmark = benchmark
                } else {
                    let name = printed[benchmark].name
                    let base = Self.base(of: name)
                    let tail = name[base.upperBound...]
                    // Benchmarks of the same package whose names end alike (`BenchmarkA-8`, `BenchmarkB-8`)
                    // have the same parameters, which come from that end alone: they share one dictionary,
                    // built once, and validation tells it at once instead of walking it again.
                    let parameters: [String: String]
                    if named.benchmark >= 0, printed[named.benchmark].packageID == printed[benchmark].packageID,
                       TextBytes.withBytes(of: tail, { TextBytes.equal(named.tail, $0[...]) }) {
                        parameters = named.parameters
                    } else {
                        let package = printed[benchmark].package
                        parameters = tails.parameters(of: tail, package: package, packageID: printed[benchmark].packageID,
                                                      isASCII: printed[benchmark].isASCII) {
                            var built = Self.parameters(of: name, after: base)
                            if let package { built["pkg"] = package }
                            return built
                        }
                    }
                    named = (benchmark, String(name[base]), parameters, tail)
                }
            }
            let unit = unitOf[place]
            results.append(benchmark: TextBytes.concatenated(named.base, suffixes[unit]), parameters: named.parameters,
                           unit: metricUnits[unit], direction: metrics[unit].direction, samples: takeSamples(of: place))
            // One line per series, in the shape `--direction` settles, so setting it silences the guess.
            if metrics[unit].guessed {
                let name = results.inPlace[results.count - 1].displayName
                warnings.append(ResultValidation.guessedDirectionWarning(file: file, unit: metricUnits[unit], displayName: name,
                                                                        direction: metrics[unit].direction))
            }
        }
        return ParsedOutput(results: results.take(), failures: failures, warnings: warnings)
    }

    /// Parameters by the end of a name after its base, in a package: what they come from.
    ///
    /// Table-driven benchmarks print the same ends (`/size=1024-8`) under many functions: each
    /// end's parameters are built once per package and shared, so validation tells them by their
    /// storage too. Only ASCII ends of ASCII packages are kept: a package is one place by its text
    /// (`==`), and two spellings of one text must each keep their own bytes.
    private struct TailTable {
        private struct Key: Hashable {
            let package: Int
            let tail: Substring
        }

        private var kept: [Key: [String: String]] = [:]
        private var pays = ReuseGate()

        /// The parameters kept for `tail` in the package, or those `build` makes, kept when they may be met again.
        mutating func parameters(of tail: Substring, package: String?, packageID: Int, isASCII: Bool,
                                 build: () -> [String: String]) -> [String: String] {
            guard pays.isOpen else {
                if !kept.isEmpty { kept = [:] }
                return build()
            }
            guard isASCII, package.map({ TextBytes.withBytes(of: $0, TextBytes.isASCII) }) ?? true else { return build() }
            let key = Key(package: packageID, tail: tail)
            let shared = kept[key]
            pays.record(found: shared != nil)
            if let shared { return shared }
            let built = build()
            kept[key] = built
            return built
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
    static func split(_ fullName: Substring) -> (String, [String: String]) {
        let base = base(of: fullName)
        return (String(fullName[base]), parameters(of: fullName, after: base))
    }

    /// Where the name's base lies: its first non-empty `/`-part before the procs suffix (all of
    /// the name before that suffix when it has none). The name is cut at the bytes of `-`, `/`
    /// and `=`, as Go builds it: a combining mark after one of them does not hide it.
    static func base(of fullName: Substring) -> Range<Substring.Index> {
        // Found in the name's bytes: walking a `Substring`'s UTF-8 view, index by index, cost more.
        let offsets = TextBytes.withBytes(of: fullName) { bytes -> Range<Int> in
            let end = procsDash(bytes) ?? bytes.count
            var start = 0
            while start < end {
                var part = start
                while part < end, bytes[part] != UInt8(ascii: "/") { part += 1 }
                if part > start { return start..<part }
                start = part + 1
            }
            return 0..<end
        }
        let utf8 = fullName.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: offsets.lowerBound)
        return lower..<utf8.index(lower, offsetBy: offsets.count)
    }

    /// The parameters of a name whose base is `base`: `procs`, and its `/`-parts after the base,
    /// `key=value` or `sub0`, `sub1`, … They come from the bytes after the base alone (the procs
    /// suffix's `-` is never inside it), so two names that end alike have the same parameters.
    static func parameters(of fullName: Substring, after base: Range<Substring.Index>) -> [String: String] {
        // Room for the usual procs, a sub-name and the package the caller adds: one table, not three grown.
        var parameters = [String: String](minimumCapacity: 4)
        let utf8 = fullName.utf8
        let dash = procsDash(fullName)
        if let dash, let procs = Int(fullName[utf8.index(after: dash)...]) { parameters["procs"] = String(procs) }
        let end = dash ?? utf8.endIndex
        guard base.upperBound < end else { return parameters }
        TextBytes.withBytes(of: fullName[base.upperBound..<end]) { bytes in
            var subs = 0
            var start = 0
            for position in 0...bytes.count where position == bytes.count || bytes[position] == UInt8(ascii: "/") {
                defer { start = position + 1 }
                // Empty parts (`a//b`, a trailing `/`) are skipped, as `split(separator:)` skips them.
                guard start < position else { continue }
                let part = bytes[start..<position]
                if let equals = part.firstIndex(of: UInt8(ascii: "=")) {
                    parameters[String(decoding: part[..<equals], as: UTF8.self)] = String(decoding: part[(equals + 1)...], as: UTF8.self)
                } else {
                    parameters["sub\(subs)"] = String(decoding: part, as: UTF8.self)
                }
                subs += 1
            }
        }
        return parameters
    }

    /// The `-` of the name's procs suffix (`-8`), if it ends in one.
    private static func procsDash(_ fullName: Substring) -> Substring.Index? {
        TextBytes.withBytes(of: fullName, procsDash).map { fullName.utf8.index(fullName.utf8.startIndex, offsetBy: $0) }
    }

    /// The offset of the procs suffix's `-` in a name's bytes: the last `-`, followed by what `Int` reads.
    private static func procsDash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let dash = bytes.lastIndex(of: UInt8(ascii: "-")) else { return nil }
        let suffix = bytes[(dash + 1)...]
        let digits = suffix.first == UInt8(ascii: "+") ? suffix.dropFirst() : suffix
        // Up to 18 digits always fit; anything else is left to `Int` itself.
        if !digits.isEmpty, digits.count <= 18, digits.allSatisfy(TextBytes.isDigit) { return dash }
        return Int(String(decoding: suffix, as: UTF8.self)) != nil ? dash : nil
    }
}
