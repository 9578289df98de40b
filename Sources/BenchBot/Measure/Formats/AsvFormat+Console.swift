import Compare
import Foundation

extension AsvFormat {
    /// `asv run`'s console output: `[ 61.11%] ··· bench.MemSuite.mem_list   2.1k`, and for a
    /// parameterised benchmark the table under it. The console shows one rounded value per
    /// benchmark and combination (the median ± half the interquartile range for timings), not its
    /// samples: that value is the one sample stored, converted to asv's own units (timings in s,
    /// memory in B); `track_` units are not shown, so they are stored as plain numbers with a
    /// guessed-direction warning. `failed` and `n/a` (skipped) are failures. Output with fewer results than its
    /// `· Running N total benchmarks` line promises, or cut inside a table, is refused as truncated.
    static func parseConsole(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var reader = AsvConsoleReader()
        var number = 0
        // `\r\n` ends a line as `\n` does (a split by Characters would not split it: one Character).
        for line in text.outputLines {
            number += 1
            try reader.read(line.last == "\r" ? line.dropLast() : line, number: number, context)
        }
        return try reader.finish(context)
    }
}

/// Reads `asv run`'s console output a line at a time.
struct AsvConsoleReader {
    /// A parameter table being read: its column spans, from its top border, and its rows so far.
    private struct Table {
        var name: String
        var column: Int
        var spans: [Range<Int>]
        var rows: [[String]] = []
        /// Each row's characters: a merged header cell (the last parameter's name) spans columns.
        var raw: [[Character]] = []
        var borders = 1
        var multi: Bool?
    }

    private var builder = AsvResults()
    private var expected: Int?
    private var read = 0
    private var table: Table?
    private var pendingTable: String?
    private var lastLine: (number: Int, text: Substring)?

    mutating func read(_ line: Substring, number: Int, _ context: FormatContext) throws(FormatError) {
        if !line.trimmingSpaces.isEmpty { lastLine = (number, line) }
        if var current = table {
            let cells = Array(line).count > current.column ? String(Array(line)[current.column...]) : ""
            let content = cells.trimmingCharacters(in: .whitespaces)
            guard !content.isEmpty, !line.contains("] ··· ") else {
                throw context.error("line \(number)", "the table of \(current.name) ends before its closing border; is the output cut short?")
            }
            if content.allSatisfy({ $0 == "=" || $0 == " " }) {
                current.borders += 1
            } else if !content.allSatisfy({ $0 == "-" || $0 == " " }) {
                let characters = Array(cells)
                current.rows.append(current.spans.map { span in
                    span.lowerBound < characters.count ? String(characters[span.clamped(to: 0..<characters.count)]).trimmingCharacters(in: .whitespaces) : ""
                })
                current.raw.append(characters)
                if current.multi == nil { current.multi = current.rows[0].first == "--" }
            }
            table = current
            if current.borders == (current.multi == true ? 3 : 2) {
                try finishTable(current, number, context)
                table = nil
            }
            return
        }
        if let running = line.range(of: "· Running "), line.contains(" total benchmarks (") {
            let words = line[running.upperBound...].split(separator: " ")
            expected = words.first.flatMap { Int($0) }
            let commits = words.firstIndex(of: "commits").flatMap { $0 > 0 ? Int(words[$0 - 1].trimmingCharacters(in: ["("])) : nil }
            let environments = words.firstIndex(of: "environments").flatMap { $0 > 0 ? Int(words[$0 - 1]) : nil }
            if let commits, commits > 1 {
                throw context.error("line \(number)", "runs \(commits) commits; BenchBot stores one commit's run, so import each commit's results file (results/<machine>/<commit>-<env>.json)")
            }
            if let environments, environments > 1 {
                throw context.error("line \(number)", "runs \(environments) environments; import each environment's results file (results/<machine>/<commit>-<env>.json)")
            }
            return
        }
        guard let marker = line.range(of: "] ··· ") else { return }
        let rest = line[marker.upperBound...]
        if rest.hasPrefix("·") || rest.hasPrefix("Running (") { return }
        if rest.hasPrefix("=") {
            guard let name = pendingTable else { return }
            let column = line.distance(from: line.startIndex, to: marker.upperBound)
            table = Table(name: name, column: column, spans: Self.spans(String(rest)))
            pendingTable = nil
            return
        }
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let name = words.first.map(String.init) else { return }
        let value = words.dropFirst().joined(separator: " ")
        read += 1
        if value == "ok" || value.hasSuffix(" failed") && value.contains("/") {
            pendingTable = name
        } else {
            try record(name, [:], value, number, context)
        }
    }

    mutating func finish(_ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let last = lastLine.map { "line \($0.number)" } ?? "-"
        let quoted = lastLine.map { PlainText.singleLine(String($0.text.prefix(200))) } ?? ""
        if let table {
            throw context.error(last, "ends inside the table of \(table.name): truncated? Last line read: '\(quoted)'")
        }
        guard read > 0 else { throw context.error("-", "holds no asv results ('[ 50.00%] ··· name  value' lines); is this really asv run's output?") }
        guard let expected else {
            throw context.error("-", "lacks asv's '· Running N total benchmarks' line, so it cannot tell whether every result is there; pass the whole output of asv run")
        }
        if read < expected || pendingTable != nil {
            throw context.error(last, "holds \(read - (pendingTable == nil ? 0 : 1)) of the \(expected) results asv said it would run: truncated? Last line read: '\(quoted)'")
        }
        return try builder.output(context)
    }

    private mutating func finishTable(_ table: Table, _ number: Int, _ context: FormatContext) throws(FormatError) {
        guard let header = table.multi == true ? table.rows.dropFirst().first : table.rows.first else {
            throw context.error("line \(number)", "the table of \(table.name) has no header row")
        }
        let data = table.rows.dropFirst(table.multi == true ? 2 : 1)
        if table.multi == true {
            let rowParameters = table.rows[0].prefix { $0 == "--" }.count
            let merged = rowParameters < table.spans.count ? table.raw[0].dropFirst(table.spans[rowParameters].lowerBound) : []
            let mergedName = String(merged).trimmingCharacters(in: .whitespaces)
            let lastName = mergedName.isEmpty ? "param\(rowParameters + 1)" : mergedName
            for row in data {
                var parameters: [String: String] = [:]
                for index in 0..<rowParameters where index < header.count { parameters[header[index]] = row[index] }
                for column in rowParameters..<min(row.count, header.count) {
                    var combination = parameters
                    combination[lastName] = header[column]
                    try record(table.name, combination, row[column], number, context)
                }
            }
        } else {
            for row in data where row.count >= 2 {
                try record(table.name, [header[0]: row[0]], row[1], number, context)
            }
        }
    }

    private mutating func record(_ name: String, _ parameters: [String: String], _ value: String, _ number: Int,
                                 _ context: FormatContext) throws(FormatError) {
        switch value {
        case "failed":
            builder.fail(name, parameters: parameters, reason: "asv printed failed (its traceback is in asv's output)")
            return
        case "n/a", "skipped":
            builder.fail(name, parameters: parameters, reason: "asv printed \(value): the benchmark was skipped")
            return
        default: break
        }
        let type = builder.unit(of: name).unit
        guard let (amount, suffix) = Self.number(value).map({ ($0.0, $0.1) }) else {
            throw context.error("line \(number)", "\(name): '\(value)' is not a value asv prints (a number with its unit, failed or n/a)")
        }
        let scale: Double?
        switch type {
        case "s": scale = Self.timeUnits[suffix]
        case "B": scale = Self.sizeSuffixes[suffix]
        default:
            scale = suffix.isEmpty ? 1 : nil
        }
        guard let scale else {
            throw context.error("line \(number)", "\(name): '\(value)' has the unit '\(suffix)', which asv does not print for a \(type.isEmpty ? "track" : type) benchmark")
        }
        builder.add(name, parameters: parameters, samples: [amount * scale])
    }

    /// asv's `human_time` units, in seconds.
    static let timeUnits: [String: Double] = ["ns": 1e-9, "μs": 1e-6, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
                                              "d": 86400, "w": 604_800, "y": 31_557_600]
    /// asv's `human_file_size` suffixes, powers of 1000.
    static let sizeSuffixes: [String: Double] = ["": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "Z": 1e21, "Y": 1e24]

    /// `4.23±0.1μs` → (4.23, `μs`); `2.1k` → (2.1, `k`); `42` → (42, ``).
    static func number(_ text: String) -> (Double, String)? {
        let value = text.split(separator: "±", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = value[0].prefix { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        let suffix = (value.count > 1 ? value[1].drop { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) } : value[0].dropFirst(digits.count))
        guard !digits.isEmpty, let number = Double(digits), number.isFinite,
              value.count == 1 ? true : value[0].count == digits.count else { return nil }
        return (number, String(suffix))
    }

    /// Column spans of a table's top border: `=== ====` → [0..<3, 4..<8], each widened to the next column.
    static func spans(_ border: String) -> [Range<Int>] {
        let characters = Array(border.trimmingCharacters(in: .whitespaces))
        var spans: [Range<Int>] = []
        var start: Int?
        for (index, character) in characters.enumerated() {
            if character == "=", start == nil { start = index }
            if character != "=", let begun = start { spans.append(begun..<index); start = nil }
        }
        if let begun = start { spans.append(begun..<characters.count) }
        // A cell may run one character past its border, as asv centres text; widen each to the next.
        return spans.enumerated().map { index, span in
            span.lowerBound..<(index + 1 < spans.count ? spans[index + 1].lowerBound : Int.max / 2)
        }
    }
}
