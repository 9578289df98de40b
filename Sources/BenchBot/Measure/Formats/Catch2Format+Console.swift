import Foundation

/// Catch2's console reporter: each test case's header between dashed rules (its name, then its
/// sections indented by two), then a table whose rows are a benchmark's name, samples, iterations
/// and estimated time, and below them the mean, low mean and high mean with their units
/// (`--benchmark-no-analysis` prints the mean on the name's row instead).
extension Catch2Format {
    /// Where the reader is in the console output.
    enum ConsoleState {
        case outside
        /// After a test case's first dashed rule: its name, then its sections indented by two.
        case names
        /// After the second rule: the source location, until the dotted rule.
        case location
        /// After the `benchmark name` column titles, before the table's rule.
        case tableTitles
        /// In the table; `pending` is a benchmark whose row was read and whose mean is next.
        case table(pending: String?)
    }

    static let nanosecondsPerUnit: [Substring: Double] = ["ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 6e10]

    static func parseConsole(_ text: String, _ context: FormatContext) throws(FormatError) -> [TestCase] {
        var cases: [TestCase] = []
        var current: TestCase?
        var state = ConsoleState.outside
        var noAnalysis = false
        var nameParts: [Substring] = []
        var closed = false
        var lastLine = (number: 0, text: Substring(""))
        // `\r\n` ends a line as `\n` does (a split by Characters would not split it: one Character).
        let lines = Array(text.outputLines)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.utf8.last == TextBytes.carriageReturn ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingWhitespace
            if !trimmed.isEmpty { lastLine = (offset + 1, line) }
            if isRule(line, "=") {
                if case .table(let pending?) = state {
                    throw context.error("line \(offset + 1)", "benchmark \(pending) has no mean before the totals")
                }
                if let finished = current { cases.append(finished) }
                current = nil
                state = .outside
                continue
            }
            if current == nil, trimmed.hasPrefix("test cases:") || trimmed.hasPrefix("All tests passed") || trimmed.hasPrefix("No tests ran") {
                closed = true
                continue
            }
            switch state {
            case .names:
                if isRule(line, "-") { state = .location }
                else if line.hasPrefix("  "), !(current?.path.isEmpty ?? true) { current?.path.append(trimmed) }
                else if let count = current?.path.count, count == 1 { current?.path[0] += " " + trimmed }
                else if !trimmed.isEmpty { current?.path.append(trimmed) }
            case .location:
                if isRule(line, ".") { state = .outside }
            case .tableTitles:
                if isRule(line, "-") { state = .table(pending: nil) }
            case .table(let pending?):
                let means = durations(line)
                guard line.first == " ", means.count == 3 else {
                    throw context.error("line \(offset + 1)", "benchmark \(pending) has no mean: expected 'mean low-mean high-mean' with units")
                }
                current?.measured.append(Measured(name: pending, meanNanoseconds: means[0]))
                state = .table(pending: nil)
            case .outside, .table(nil):
                if isRule(line, "-") {
                    if let finished = current { cases.append(finished) }
                    current = TestCase(path: [])
                    state = .names
                    nameParts = []
                } else if line.hasPrefix("benchmark name") {
                    noAnalysis = !line.contains("estimated") && !line.contains("est run time")
                    state = .tableTitles
                } else if trimmed.hasSuffix("FAILED:") || trimmed.hasPrefix("due to unexpected exception") || trimmed.hasPrefix("due to a fatal error") {
                    if current?.failure == nil {
                        let detail = offset + 1 < lines.count ? lines[offset + 1].trimmingWhitespace : ""
                        current?.failure = (trimmed.replacingOccurrences(of: ": FAILED:", with: "") + " " + detail).trimmingWhitespace
                    }
                    state = .outside
                } else if case .table = state, let testCase = current {
                    try tableLine(line, trimmed, testCase, noAnalysis: noAnalysis, nameParts: &nameParts, state: &state, current: &current)
                }
            }
        }
        guard !cases.isEmpty || current != nil || closed else {
            throw context.error("-", "holds no Catch2 test case header; is this really Catch2's console (or --reporter xml) output?")
        }
        guard closed else {
            throw context.error("line \(lastLine.number)", "ends before Catch2's closing 'test cases:' totals (last line read: \(PlainText.singleLine(String(lastLine.text.prefix(80)))))")
        }
        if let finished = current { cases.append(finished) }
        return cases
    }

    /// One line of a benchmark table that is not a mean: a row, part of a long name, a thrown
    /// benchmark, the standard deviation or the blank spacer.
    private static func tableLine(_ line: Substring, _ trimmed: String, _ testCase: TestCase, noAnalysis: Bool,
                                  nameParts: inout [Substring], state: inout ConsoleState, current: inout TestCase?) throws(FormatError) {
        if trimmed.isEmpty || line.first == " " {
            // The standard deviation row, or the spacer under it; anything else indented ends the table.
            if !trimmed.isEmpty, durations(line).count != 3 { state = .outside }
            return
        }
        if let failed = line.byteRange(of: "Benchmark failed (") {
            let name = joined(nameParts + [line[..<failed.lowerBound]])
            var message = line[failed.upperBound...].trimmingWhitespace
            if message.hasSuffix(")") { message.removeLast() }
            current?.thrown.append(BenchmarkFailure(benchmark: testCase.name(name), reason: "the benchmark threw: \(message)"))
            nameParts = []
            return
        }
        guard let row = row(line) else {
            nameParts.append(line)
            return
        }
        let name = joined(nameParts + [row.name])
        nameParts = []
        if noAnalysis {
            current?.measured.append(Measured(name: testCase.name(name), meanNanoseconds: row.last))
        } else {
            state = .table(pending: testCase.name(name))
        }
    }

    /// A long name's wrapped lines as one name.
    static func joined(_ parts: [Substring]) -> String {
        parts.map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// A line of one repeated character, as Catch2 draws its rules (79 wide by default).
    static func isRule(_ line: Substring, _ character: Character) -> Bool {
        line.count >= 20 && line.allSatisfy { $0 == character }
    }

    /// A row `name  samples  iterations  1.234 ms`: the name and the last duration in nanoseconds.
    static func row(_ line: Substring) -> (name: Substring, last: Double)? {
        let words = line.split(separator: " ")
        guard words.count >= 5, let unit = nanosecondsPerUnit[words[words.count - 1]], let value = Double(words[words.count - 2]),
              Int(words[words.count - 3]) != nil, Int(words[words.count - 4]) != nil else { return nil }
        // The name is what is left once the four columns are dropped from the end.
        var name = line
        for _ in 0..<4 {
            while name.last == " " { name.removeLast() }
            while name.last.map({ $0 != " " }) == true { name.removeLast() }
        }
        guard !name.trimmingWhitespace.isEmpty else { return nil }
        return (name, value * unit)
    }

    /// The `value unit` pairs of a line, in nanoseconds; empty when any word is neither.
    static func durations(_ line: Substring) -> [Double] {
        let words = line.split(separator: " ")
        guard words.count.isMultiple(of: 2) else { return [] }
        var values: [Double] = []
        for pair in stride(from: 0, to: words.count, by: 2) {
            guard let value = Double(words[pair]), let unit = nanosecondsPerUnit[words[pair + 1]] else { return [] }
            values.append(value * unit)
        }
        return values
    }
}
