public import Compare

/// Which way is better for benchmarks whose direction the user set: `--direction PATTERN=higher`
/// on `benchbot import`, or `"directions": {"PATTERN": "higher"}` in a command experiment's config.
///
/// A parser guesses the direction of a unit it does not know (``ResultValidation/direction(ofUnit:)``)
/// and says so in a warning; a rule here replaces the guess, or the tool's own direction, and
/// silences that warning. A pattern is a benchmark's name or display name (`BM_x[arg0=8]`), or a
/// glob over either where `*` is any text and `?` one character; brackets are literal, since
/// display names hold them. A name that equals the pattern wins over a glob; of several globs,
/// the longest (the most specific) wins, so the order rules are given in does not matter.
public struct DirectionOverrides: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public let pattern: String
        public let direction: Direction
    }

    public private(set) var rules: [Rule] = []

    public init() {}

    /// Reads `PATTERN=higher|lower` arguments. The pattern may hold `=` (`BM_x[arg0=8]=higher`):
    /// the direction is what follows the last one.
    ///
    /// - Throws: ``DirectionOverrides/Problem`` naming the argument and the fix.
    public init(arguments: [String]) throws(Problem) {
        for argument in arguments {
            guard let equals = argument.lastIndex(of: "=") else {
                throw Problem(text: "--direction '\(argument)': expected PATTERN=higher or PATTERN=lower, such as 'BenchmarkSort.compares_per_op=lower'")
            }
            let pattern = String(argument[..<equals]), word = String(argument[argument.index(after: equals)...])
            guard let direction = Self.direction(word) else {
                throw Problem(text: "--direction '\(argument)': '\(word)' is not a direction; use higher or lower")
            }
            try add(pattern, direction, label: "--direction '\(argument)'")
        }
    }

    /// One problem with a rule, for the user to fix.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String { text }
    }

    private mutating func add(_ pattern: String, _ direction: Direction, label: String) throws(Problem) {
        guard !pattern.isEmpty else { throw Problem(text: "\(label): the pattern is empty; name a benchmark, or use * for all") }
        guard !pattern.unicodeScalars.contains(where: PlainText.isTerminalControl) else {
            throw Problem(text: "\(PlainText.singleLine(label)): the pattern holds a control character")
        }
        if let earlier = rules.first(where: { $0.pattern == pattern }) {
            guard earlier.direction == direction else { throw Problem(text: "\(label): '\(pattern)' is given both higher and lower; keep one") }
            return
        }
        rules.append(Rule(pattern: pattern, direction: direction))
    }

    static func direction(_ word: String) -> Direction? {
        switch word.lowercased() {
        case "higher", "higher_is_better": .higherIsBetter
        case "lower", "lower_is_better": .lowerIsBetter
        default: nil
        }
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// The direction the user set for a result, or `nil` when no rule matches it.
    public func direction(for result: BenchmarkResult) -> Direction? {
        let name = result.benchmark, display = result.displayName
        if let exact = rules.first(where: { $0.pattern == name || $0.pattern == display }) { return exact.direction }
        let globs = rules.filter { globMatches($0.pattern, name) || globMatches($0.pattern, display) }
        return globs.max { ($0.pattern.count, $1.pattern) < ($1.pattern.count, $0.pattern) }?.direction
    }

    /// The output with the user's directions set, and the warnings about guesses they replaced dropped.
    public func apply(to parsed: ParsedOutput) -> ParsedOutput {
        guard !rules.isEmpty else { return parsed }
        var output = parsed
        var settled: [String] = []
        for index in output.results.indices {
            guard let direction = direction(for: output.results[index]) else { continue }
            output.results[index].direction = direction
            settled.append(" of \(PlainText.singleLine(output.results[index].displayName)): guessed ")
        }
        output.warnings.removeAll { warning in settled.contains { warning.contains($0) } }
        return output
    }

    /// Refuses a pattern that matches none of `results`: a typo would otherwise leave the guess in place, silently.
    public func checkMatched(_ results: [BenchmarkResult]) throws(Problem) {
        if let pattern = unmatched(in: results).first {
            throw Problem(text: "--direction '\(PlainText.singleLine(pattern))=…' matches no benchmark in the files; nothing was imported")
        }
    }

    /// The patterns that match none of `results`: a typo, or a benchmark that is gone.
    func unmatched(in results: [BenchmarkResult]) -> [String] {
        rules.map(\.pattern).filter { pattern in
            !results.contains { result in
                result.benchmark == pattern || result.displayName == pattern
                    || globMatches(pattern, result.benchmark) || globMatches(pattern, result.displayName)
            }
        }
    }
}

extension DirectionOverrides {
    /// Reads a command experiment's `"directions": {"PATTERN": "higher"}`; `nil` after reporting a problem.
    static func parse(_ value: JSONValue?, reader: inout ConfigReader) -> DirectionOverrides? {
        guard value != nil else { return DirectionOverrides() }
        guard let fields = reader.object(value, "directions") else { return nil }
        var overrides = DirectionOverrides()
        for (pattern, word) in fields.sorted(by: { $0.key < $1.key }) {
            let field = "directions.\(PlainText.singleLine(pattern))"
            guard case .string(let text) = word else {
                reader.report(field, "is \(word.typeName), expected \"higher\" or \"lower\"")
                return nil
            }
            guard let direction = direction(text) else {
                reader.report(field, "is '\(PlainText.singleLine(text))', expected \"higher\" or \"lower\"")
                return nil
            }
            do {
                try overrides.add(pattern, direction, label: field)
            } catch {
                reader.report(field, error.text.replacingOccurrences(of: "\(field): ", with: ""))
                return nil
            }
        }
        return overrides
    }
}
