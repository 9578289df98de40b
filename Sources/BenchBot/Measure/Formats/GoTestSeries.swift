import Compare

/// The series of a `go test` output, keyed by package, printed name and unit, in the order first printed.
struct GoTestSeries {
    private struct Key: Hashable {
        var package: String?
        var name: Substring
        var unit: Substring
    }

    /// A benchmark as printed in its package, with or without its procs suffix.
    ///
    /// Names are told apart by their bytes, as `testing` prints them: hashing a name's bytes in
    /// one call, rather than character by character, was a tenth of reading a large file.
    private struct Printed: Hashable {
        var package: String?
        var name: Substring

        static func == (lhs: Printed, rhs: Printed) -> Bool {
            guard lhs.package == rhs.package else { return false }
            return lhs.name.utf8.withContiguousStorageIfAvailable { TextBytes.equal(rhs.name, $0[...]) } ?? lhs.name.utf8.elementsEqual(rhs.name.utf8)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(package)
            if name.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
                for byte in name.utf8 { hasher.combine(byte) }
            }
            hasher.combine(name.utf8.count)
        }
    }

    private var order: [Key] = []
    /// Each series' samples, at its key's place in `order`.
    private var samples: [[Double]] = []
    /// Each printed benchmark's series, one a unit, as places in `order`: a result line is looked
    /// up once, not once per `value unit` pair (hashing names was a third of reading a large file).
    private var seriesOf: [Printed: [Int]] = [:]
    /// Each package's procs suffixes (`-8`), for a `--- FAIL` that `testing` printed without one.
    private var procs: [String: Set<Substring>] = [:]

    /// The benchmark of the last result line and its series: `-count` prints a benchmark's
    /// repetitions one after another, so most lines need no lookup by name.
    private var last: (printed: Printed, places: [Int])?

    mutating func add(package: String?, name: Substring, values: [(value: Double, unit: Substring)]) {
        let printed = Printed(package: package, name: name)
        let known = last?.printed == printed ? last?.places : seriesOf[printed]
        var places = known ?? []
        for (value, unit) in values {
            if let place = places.first(where: { order[$0].unit == unit }) {
                samples[place].append(value)
            } else {
                places.append(order.count)
                order.append(Key(package: package, name: name, unit: unit))
                samples.append([value])
            }
        }
        if places.count != known?.count { seriesOf[printed] = places }
        last = (printed, places)
        if known == nil, let dash = name.utf8.lastIndex(of: UInt8(ascii: "-")), Int(name[name.utf8.index(after: dash)...]) != nil {
            procs[package ?? "", default: []].insert(name[name.utf8.index(after: dash)...])
        }
    }

    /// Adds a result line's samples, as ``add(package:name:values:)`` would, when the line repeats
    /// the last one's benchmark in the same package with the same units in the same order; returns
    /// `false`, having changed nothing, otherwise. `name` and each pair's unit lie in `bytes`.
    mutating func addRepeat(package: String?, name: Range<Int>, _ pairs: [(value: Double, unit: Range<Int>)],
                            in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last, last.printed.package == package, pairs.count == last.places.count,
              TextBytes.equal(last.printed.name, bytes[name]) else { return false }
        for (pair, place) in zip(pairs, last.places) where !TextBytes.equal(order[place].unit, bytes[pair.unit]) { return false }
        for (pair, place) in zip(pairs, last.places) { samples[place].append(pair.value) }
        return true
    }

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
        var dropped: Set<Key> = []
        var failures: [BenchmarkFailure] = []
        for failure in failed {
            let places = order.indices.filter { order[$0].package == failure.package && order[$0].name == failure.name }
            let measured = places.first.map { samples[$0].count } ?? 0
            dropped.formUnion(places.map { order[$0] })
            var reason = "--- FAIL: \(failure.reason ?? "go test gave no reason")"
            if failure.times > 1 { reason += " (\(failure.times) times)" }
            if measured > 0 { reason += "; the \(measured) result(s) it printed in other repetitions are not stored" }
            failures.append(BenchmarkFailure(benchmark: Self.display(package: failure.package, name: failure.name),
                                             reason: PlainText.singleLine(String(reason.prefix(500)))))
        }
        var results: [BenchmarkResult] = []
        results.reserveCapacity(order.count)
        // A benchmark's units are consecutive series: its name is taken apart once for all of them.
        var named: (package: String?, name: Substring, base: String, parameters: [String: String])?
        for (place, key) in order.enumerated() where dropped.isEmpty || !dropped.contains(key) {
            if named?.name != key.name || named?.package != key.package {
                var (base, parameters) = Self.split(key.name)
                if let package = key.package { parameters["pkg"] = package }
                named = (key.package, key.name, base, parameters)
            }
            guard let (base, parameters) = named.map({ ($0.base, $0.parameters) }) else { continue }
            let (suffix, unit, direction, isGuess) = Self.metric(key.unit)
            let result = BenchmarkResult(benchmark: base + suffix, parameters: parameters, unit: unit, direction: direction, samples: samples[place])
            // One line per series, in the shape `--direction` settles, so setting it silences the guess.
            if isGuess {
                warnings.append(ResultValidation.guessedDirectionWarning(file: file, unit: unit, displayName: result.displayName, direction: direction))
            }
            results.append(result)
        }
        return ParsedOutput(results: results, failures: failures, warnings: warnings)
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
        var parameters: [String: String] = [:]
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
