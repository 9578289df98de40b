import Foundation

/// One line of `go test` text, taken apart the way `testing` prints it.
///
/// A result is `%-*s\t` (the name, padded) and then `%8d` iterations and `\t`-separated
/// `value unit` pairs. `testing` prints the name before the benchmark runs, so whatever the
/// benchmark prints to stdout lands between the two: on lines of its own, or, without a final
/// newline, glued in front of the iterations (`BenchmarkX-8 \tpartial output; 1000000\t 70 ns/op`).
/// So a result is read from the end of the line, and the name, when the line has one, is the
/// last `Benchmark…` word before a tab. Lines are taken apart by bytes (``TextBytes``): every
/// separator `testing` prints is ASCII.
enum GoTestLine {
    /// The result part of a line: the values in the order printed, and the name if the line holds it.
    struct Result {
        var name: Substring?
        var values: [(value: Double, unit: Substring)]
    }

    /// The result at the end of `line`, or `nil` when the line does not end in one.
    static func result(_ line: Substring) -> Result? {
        guard line.utf8.contains(TextBytes.tab) else { return spacedResult(line) }
        // The tab-separated segments, walked from the last without collecting them.
        var segments = TabSegmentsFromEnd(line)
        var values: [(value: Double, unit: Substring)] = []
        var segment = segments.next()
        while let current = segment, segments.hasMore, let pair = valuePair(current) {
            values.append(pair)
            segment = segments.next()
        }
        guard !values.isEmpty, let iterations = segment, isIterations(iterations) else { return nil }
        var name: Substring?
        while name == nil, let earlier = segments.next() { name = nameWord(earlier) }
        values.reverse()
        return Result(name: name, values: values)
    }

    /// A line's tab-separated segments, last first.
    private struct TabSegmentsFromEnd {
        let line: Substring
        var end: Substring.Index?

        init(_ line: Substring) {
            self.line = line
            end = line.endIndex
        }

        /// Whether a segment comes before the one `next()` returned last.
        var hasMore: Bool { end != nil }

        mutating func next() -> Substring? {
            guard let segmentEnd = end else { return nil }
            if let tab = line.utf8[..<segmentEnd].lastIndex(of: TextBytes.tab) {
                end = tab
                return line[line.utf8.index(after: tab)..<segmentEnd]
            }
            end = nil
            return line[..<segmentEnd]
        }
    }

    /// A result whose tabs became spaces (copied from a terminal): `name iterations value unit …`.
    private static func spacedResult(_ line: Substring) -> Result? {
        let words = line.split(separator: " ")
        var values: [(value: Double, unit: Substring)] = []
        var index = words.count - 1
        while index >= 2, Double(words[index]) == nil, let pair = valuePair(Substring(words[index - 1] + " " + words[index])) {
            values.append(pair)
            index -= 2
        }
        guard !values.isEmpty, index >= 0, words[index].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard index >= 1 else { return Result(name: nil, values: values.reversed()) }
        guard index == 1, let name = nameWord(words[0]), name == words[0] else { return nil }
        return Result(name: name, values: values.reversed())
    }

    /// `name<padding>\t<rest>`: a benchmark's name printed before it ran, and what followed on the line.
    static func nameLine(_ line: Substring) -> (name: Substring, rest: Substring)? {
        guard let tab = line.utf8.firstIndex(of: TextBytes.tab), let name = nameWord(line[..<tab]) else { return nil }
        return (name, line[line.utf8.index(after: tab)...])
    }

    /// The benchmark name a `--- FAIL: `, `--- SKIP: ` or `--- BENCH: ` line is about, with its kind.
    static func verdict(_ trimmed: Substring) -> (kind: Substring, name: Substring)? {
        guard trimmed.startsWith("--- "), let colon = trimmed.firstIndex(of: ":") else { return nil }
        let kind = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 4)..<colon]
        let after = trimmed[trimmed.index(after: colon)...].drop { $0 == " " }
        let name = after.prefix { $0 != " " && $0 != "\t" }
        guard ["FAIL", "SKIP", "BENCH", "PASS"].contains(kind), !name.isEmpty else { return nil }
        return (kind, name)
    }

    /// The package a closing line names: `ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`, `FAIL\tpkg [build failed]`,
    /// `?   \tpkg\t[no test files]`; `""` for a bare `PASS` or `FAIL`; `nil` when the line does not close a package.
    static func closing(_ trimmed: Substring) -> Substring? {
        // Told by the first byte for the many lines that are results or logs.
        guard let first = trimmed.utf8.first, first == UInt8(ascii: "o") || first == UInt8(ascii: "F") || first == UInt8(ascii: "?")
                || first == UInt8(ascii: "P") else { return nil }
        if trimmed == "PASS" || trimmed == "FAIL" { return "" }
        for opener in ["ok", "FAIL", "?"] where trimmed.startsWith(opener) {
            let rest = trimmed.dropFirst(opener.count)
            guard let first = rest.first, first == " " || first == "\t" else { continue }
            let package = rest.drop { $0 == " " || $0 == "\t" }.prefix { $0 != " " && $0 != "\t" }
            if !package.isEmpty { return package }
        }
        return nil
    }

    /// `BenchmarkX-8` from the end of `text` (trailing padding dropped), when it ends in a Go benchmark's name.
    /// A name is `Benchmark` and then nothing or a character that is not lower case, as `go test` requires.
    static func nameWord(_ text: Substring) -> Substring? {
        guard let end = text.utf8.lastIndex(where: { $0 != TextBytes.space }) else { return nil }
        let trimmed = text[...end]
        let word = trimmed.utf8.lastIndex(where: TextBytes.isBlank).map { trimmed[trimmed.utf8.index(after: $0)...] } ?? trimmed
        guard let start = word.firstIndex(ofBytes: benchmarkPrefix) else { return nil }
        let name = word[start...]
        let afterPrefix = name[name.utf8.index(start, offsetBy: benchmarkPrefix.count)...]
        if let byte = afterPrefix.utf8.first, byte < 0x80 {
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { return nil }
        } else if let next = afterPrefix.first, next.isLowercase {
            return nil
        }
        return name
    }

    private static let benchmarkPrefix = Array("Benchmark".utf8)

    /// ` 1000000`: `%8d`, so padded to eight characters unless the count is longer; output glued in
    /// front (a benchmark's `fmt.Print` without a newline) may come before the padding.
    private static func isIterations(_ segment: Substring) -> Bool {
        let bytes = segment.utf8
        let digits = bytes.reversed().prefix(while: TextBytes.isDigit).count
        guard digits > 0 else { return false }
        let padding = bytes.dropLast(digits).reversed().prefix { $0 == TextBytes.space }.count
        return digits + padding == bytes.count || digits + padding >= 8
    }

    /// `    512 B/op`: padding, a number, one space and a unit without spaces.
    private static func valuePair(_ segment: Substring) -> (value: Double, unit: Substring)? {
        guard let first = segment.utf8.firstIndex(where: { $0 != TextBytes.space }) else { return nil }
        let text = segment[first...]
        guard let space = text.utf8.firstIndex(of: TextBytes.space) else { return nil }
        let number = text[..<space], unit = text[text.utf8.index(after: space)...]
        guard !unit.isEmpty, !unit.utf8.contains(TextBytes.space),
              number.utf8.allSatisfy(isNumberByte) || number == "NaN" || number == "+Inf" || number == "-Inf",
              let value = DecimalLiteral.number(number) else { return nil }
        return (value, unit)
    }

    /// A byte of a number as Go prints one: digits, a sign, a point or an exponent.
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        TextBytes.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}
