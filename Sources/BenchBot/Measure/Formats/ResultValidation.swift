/// The checks every parser's results pass: samples that statistics can use, printable units,
/// and one series per name and parameter set.
enum ResultValidation {
    /// Units whose direction BenchBot knows. Any other unit, such as Go's `compares/op`, is kept
    /// as the tool gave it, with a guessed direction the user can set (``DirectionOverrides``).
    static let knownUnits: [String: Compare.Direction] = [
        "ns": .lowerIsBetter, "us": .lowerIsBetter, "µs": .lowerIsBetter, "ms": .lowerIsBetter, "s": .lowerIsBetter,
        "B": .lowerIsBetter, "KiB": .lowerIsBetter, "MiB": .lowerIsBetter, "allocs": .lowerIsBetter,
        "instructions": .lowerIsBetter, "cycles": .lowerIsBetter,
        "ops/s": .higherIsBetter, "items/s": .higherIsBetter, "B/s": .higherIsBetter, "MB/s": .higherIsBetter,
        "": .lowerIsBetter, "count": .lowerIsBetter, "score": .higherIsBetter,
    ]
    static let timeUnits: Set<String> = ["ns", "us", "µs", "ms", "s"]

    /// Which way a unit is better, and whether that is a guess. A rate (`…/s`, `ops`, `score`) is
    /// better higher; any other custom unit, such as Go's `compares/op`, is a cost, better lower.
    /// A parser that guesses says so in ``ParsedOutput/warnings``, so the user can set it.
    static func direction(ofUnit unit: String) -> (direction: Compare.Direction, guessed: Bool) {
        if let known = knownUnits[unit] { return (known, false) }
        let lowered = unit.lowercased()
        let rate = lowered.hasSuffix("/s") || lowered.hasSuffix("/sec") || lowered.hasSuffix("per_second") || lowered.hasPrefix("ops")
        return (rate ? .higherIsBetter : .lowerIsBetter, true)
    }

    /// The one-line warning a parser adds to ``ParsedOutput/warnings`` when it guessed a direction
    /// with ``direction(ofUnit:)``; ``DirectionOverrides`` drops it once the user set that direction.
    static func guessedDirectionWarning(file: String, unit: String, displayName: String, direction: Compare.Direction) -> String {
        let name = PlainText.singleLine(displayName)
        let guessed = direction == .higherIsBetter ? "higher" : "lower"
        let other = direction == .higherIsBetter ? "lower" : "higher"
        return "\(file): unit '\(PlainText.singleLine(unit))' of \(name): guessed \(guessed) is better; "
            + "if not, set it with --direction '\(name)=\(other)' (\"directions\" in a command experiment's config)"
    }

    /// The longest unit kept: `compares/op` and `bytes_per_second` fit; a sentence is not a unit.
    static let maximumUnitLength = 32

    /// Why a unit cannot be stored, or `nil` when it can: units are shown in every table and plot axis.
    static func unitProblem(_ unit: String) -> String? {
        if let bad = unit.unicodeScalars.first(where: PlainText.isTerminalControl) {
            return "unit holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4)); units must be printable text"
        }
        guard unit.count <= maximumUnitLength else {
            return "unit '\(unit.prefix(maximumUnitLength))…' is \(unit.count) characters; a unit is at most \(maximumUnitLength), such as ns, MB/s or compares/op"
        }
        return nil
    }
    /// The largest magnitude a sample may have. Means, variances and ratios of a series square and
    /// sum its values; near the largest double (1.8e308) they overflow to infinity, and a stored
    /// infinity poisons every later report. 1e100 is beyond any measurement yet far from that edge.
    static let maximumMagnitude = 1e100

    /// Why a sample cannot be stored, or `nil` when it can.
    static func problem(_ sample: Double) -> String? {
        guard sample.isFinite else { return "is \(sample), not a finite number" }
        guard abs(sample) <= maximumMagnitude else {
            return "is \(sample), beyond ±1e100 where statistics overflow; report it in a larger unit, or fix the benchmark's output"
        }
        return nil
    }

    /// Why a name cannot be stored, or `nil` when it can. SQLite and C strings end at U+0000, so
    /// `q\u{0}b` and `q\u{0}c` would become one series; other control characters drive terminals.
    static func nameProblem(_ result: BenchmarkResult) -> String? {
        nameProblem(benchmark: result.benchmark, parameters: result.parameters)
    }

    /// ``nameProblem(_:)`` of a series' name and parameters.
    static func nameProblem(benchmark: String, parameters: [String: String]) -> String? {
        // Nearly every name is plain text, told by one pass over its bytes: a control character's
        // UTF-8 is one byte below 0x20, 0x7F, or (C1) 0xC2 then 0x80…0x9F.
        func mayHoldControl(_ text: String) -> Bool { TextBytes.withBytes(of: text) { TextBytes.mayHoldControl($0) } }
        guard mayHoldControl(benchmark) || parameters.contains(where: { mayHoldControl($0.key) || mayHoldControl($0.value) }) else {
            return nil
        }
        let texts = [benchmark] + parameters.keys + parameters.values
        guard let bad = texts.lazy.flatMap(\.unicodeScalars).first(where: PlainText.isTerminalControl) else {
            return nil
        }
        return "its name or parameters hold the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4)); "
            + "names must be printable text"
    }

    /// The most series one file may hold. A suite of many thousand benchmarks fits; a data.json
    /// of a million keys (a fork's analyze.sh can write one) would take the store, the site and
    /// every report down with it.
    static let maximumSeries = 100_000

    /// Checks only the samples and names: what every stored value must pass, whatever its source.
    static func validateSamples(_ results: [BenchmarkResult], _ context: FormatContext) throws(FormatError) {
        if results.count > maximumSeries {
            throw context.error("-", "holds \(results.count) series, more than the \(maximumSeries) one run may store; report fewer benchmarks")
        }
        for result in results {
            if let problem = nameProblem(result) { throw context.error(PlainText.singleLine(result.displayName), problem) }
            for (index, sample) in result.samples.enumerated() {
                if let problem = problem(sample) { throw context.error("\(result.displayName) sample \(index + 1)", problem) }
            }
        }
    }

    /// Checks a parser's output: its results, and that a file whose every benchmark failed is refused
    /// with the tool's reasons rather than stored as an empty run.
    /// `namesChecked`: the reader refused duplicate names already (``SeriesNames``), naming their lines.
    static func validate(_ parsed: ParsedOutput, _ context: FormatContext, namesChecked: Bool = false) throws(FormatError) {
        if parsed.results.isEmpty, let first = parsed.failures.first {
            let more = parsed.failures.count > 1 ? " (and \(parsed.failures.count - 1) more)" : ""
            throw context.error("-", "every benchmark failed; \(PlainText.singleLine(first.benchmark)): \(PlainText.singleLine(first.reason))\(more)")
        }
        try validate(parsed.results, context, namesChecked: namesChecked)
    }

    static func validate(_ results: [BenchmarkResult], _ context: FormatContext, namesChecked: Bool = false) throws(FormatError) {
        guard !results.isEmpty else { throw context.error("-", "holds no benchmark results") }
        if results.count > maximumSeries {
            throw context.error("-", "holds \(results.count) series, more than the \(maximumSeries) one run may store; report fewer benchmarks")
        }
        var checks = SeriesChecks(context: context, capacity: namesChecked ? nil : results.count)
        try results.withUnsafeBufferPointer { (results) throws(FormatError) in
            for place in results.indices { try checks.check(place: place, in: results) }
        }
    }
}

import Compare

extension BenchmarkResult {
    /// `name[key=value,…]`, the series' name for people and for duplicate checks.
    public var displayName: String {
        guard !parameters.isEmpty else { return benchmark }
        // Built in place: validation builds one per series, and a file may hold 100,000.
        var name = benchmark
        name.append("[")
        if parameters.count == 1, let only = parameters.first {
            name.append(only.key)
            name.append("=")
            name.append(only.value)
        } else {
            for (index, parameter) in parameters.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { name.append(",") }
                name.append(parameter.key)
                name.append("=")
                name.append(parameter.value)
            }
        }
        name.append("]")
        return name
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
