import Compare

/// github-action-benchmark's custom JSON, the input of its `customSmallerIsBetter` and
/// `customBiggerIsBetter` tools: an array of `{"name", "unit", "value", "range"?, "extra"?}`
/// (https://github.com/benchmark-action/github-action-benchmark#examples, "Custom benchmarks").
///
/// The file does not say which of the two tools it was written for, so the format name does:
/// `gab-custom` is `customSmallerIsBetter` (the action's default reading of a cost), and
/// `gab-custom-bigger` is `customBiggerIsBetter`. One name per tool keeps the choice where the
/// workflow already made it, and works unchanged in an experiment's `format` field.
///
/// Each entry holds one value, a summary the user computed: it is stored as the benchmark's only
/// sample. `range` and `extra` are free text for the action's tooltips and are not samples. The
/// unit is kept as written (`MB`, `Percent`); a unit whose name says the opposite direction
/// (`ops/sec` read as smaller-is-better) gets a warning naming the other format.
enum GabCustomFormat {
    /// The longest unit kept; a unit is a word or two, and it is shown in every report row.
    static let maximumUnitLength = 64

    static func parse(_ document: JSONValue, direction: Compare.Direction, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        guard case .array(let entries) = document else {
            throw context.error("-", "is \(document.typeName), expected an array of {\"name\", \"unit\", \"value\"}; is this really github-action-benchmark custom JSON?")
        }
        var results: [BenchmarkResult] = []
        results.reserveCapacity(entries.count)
        var warnings: [String] = []
        // A file of 90,000 entries has a handful of units: each is checked once.
        var units: [String: (direction: Compare.Direction, guessed: Bool)] = [:]
        for (index, entry) in entries.enumerated() {
            // Paths are built only for an error: the context takes them as autoclosures.
            let fields = try context.object(entry, "[\(index)]")
            let name = try context.string(fields["name"], "[\(index)].name")
            let unit = try context.string(fields["unit"], "[\(index)].unit")
            let read: (direction: Compare.Direction, guessed: Bool)
            if let known = units[unit] {
                read = known
            } else {
                if let problem = unitProblem(unit) { throw context.error("[\(index)].unit", problem) }
                read = ResultValidation.direction(ofUnit: unit)
                units[unit] = read
            }
            let value = try context.number(fields["value"], "[\(index)].value")
            results.append(BenchmarkResult(benchmark: name, unit: unit, direction: direction, samples: [value]))
            if read.direction != direction, !read.guessed || read.direction == .higherIsBetter {
                let other = direction == .lowerIsBetter ? BenchmarkFormat.gabCustomBigger : .gabCustom
                warnings.append("\(context.file): \(name): unit '\(unit)' reads as \(read.direction == .higherIsBetter ? "bigger" : "smaller") is better, "
                                + "but \(context.format.rawValue) stores \(direction == .higherIsBetter ? "bigger" : "smaller") is better; "
                                + "pass --format \(other.rawValue) if that is what the workflow's tool says")
            }
        }
        return ParsedOutput(results: results, warnings: warnings)
    }

    /// Why a unit cannot be shown as it is, or `nil`.
    static func unitProblem(_ unit: String) -> String? {
        if unit.unicodeScalars.contains(where: PlainText.isTerminalControl) { return "holds a control character; a unit must be printable text" }
        if unit.count > maximumUnitLength { return "is \(unit.count) characters long, more than \(maximumUnitLength); a unit is a word such as ms or MB" }
        return nil
    }

    /// An array whose first entry has the custom keys: a string `name` and `unit`, and a numeric `value`.
    /// The two tools' files look alike, so only `gab-custom` claims them; the guess printed says which.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard case .array(let entries)? = probe.json, case .object(let first)? = entries.first,
              case .string? = first["name"], case .string? = first["unit"], case .number? = first["value"] else { return false }
        return true
    }
}
