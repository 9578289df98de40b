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
        guard line.containsByte(TextBytes.tab) else { return spacedResult(line) }
        // The tab-separated segments, walked from the last without collecting them.
        var segments = TabSegmentsFromEnd(line)
        var values: [(value: Double, unit: Substring)] = []
        var segment = segments.nextFilled()
        while let current = segment, segments.hasMore, let pair = valuePair(current) {
            values.append(pair)
            segment = segments.nextFilled()
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
        /// Where the next segment (the one before) ends, in UTF-8 bytes from the line's start.
        var end: Int?

        init(_ line: Substring) {
            self.line = line
            end = line.utf8.count
        }

        /// Whether a segment comes before the one `next()` returned last.
        var hasMore: Bool { end != nil }

        /// The next segment that is not empty or spaces: tabs doubled by hand or by a tool that
        /// realigned the columns separate fields as one tab does, as Go's own benchfmt reads them.
        mutating func nextFilled() -> Substring? {
            while let segment = next() {
                if !segment.utf8.allSatisfy({ $0 == TextBytes.space }) { return segment }
            }
            return nil
        }

        mutating func next() -> Substring? {
            guard let segmentEnd = end else { return nil }
            let tab = TextBytes.withBytes(of: line) { $0[..<segmentEnd].lastIndex(of: TextBytes.tab) }
            end = tab
            let bytes = line.utf8
            return line[bytes.index(line.startIndex, offsetBy: tab.map { $0 + 1 } ?? 0)..<bytes.index(line.startIndex, offsetBy: segmentEnd)]
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
        // The last word's offsets: after the last blank before the trailing spaces.
        let bounds: Range<Int>? = TextBytes.withBytes(of: text) { bytes in
            guard let last = bytes.lastIndex(where: { $0 != TextBytes.space }) else { return nil }
            return (bytes[...last].lastIndex(where: TextBytes.isBlank).map { $0 + 1 } ?? 0)..<(last + 1)
        }
        guard let bounds else { return nil }
        let word = text[text.utf8.index(text.startIndex, offsetBy: bounds.lowerBound)..<text.utf8.index(text.startIndex, offsetBy: bounds.upperBound)]
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
        TextBytes.withBytes(of: segment) { bytes in
            var digitsStart = bytes.count
            while digitsStart > 0, TextBytes.isDigit(bytes[digitsStart - 1]) { digitsStart -= 1 }
            guard digitsStart < bytes.count else { return false }
            var paddingStart = digitsStart
            while paddingStart > 0, bytes[paddingStart - 1] == TextBytes.space { paddingStart -= 1 }
            let width = bytes.count - paddingStart
            return width == bytes.count || width >= 8
        }
    }

    /// `    512 B/op`: padding, a number, one space and a unit without spaces.
    private static func valuePair(_ segment: Substring) -> (value: Double, unit: Substring)? {
        // Told apart by byte offsets: the number's start, the space after it, and the unit after that.
        let cuts: (start: Int, space: Int, plain: Bool)? = TextBytes.withBytes(of: segment) { bytes in
            guard let start = bytes.firstIndex(where: { $0 != TextBytes.space }),
                  let space = bytes[start...].firstIndex(of: TextBytes.space),
                  space + 1 < bytes.count, !bytes[(space + 1)...].contains(TextBytes.space) else { return nil }
            return (start, space, bytes[start..<space].allSatisfy(isNumberByte))
        }
        guard let cuts else { return nil }
        let bytes = segment.utf8
        let space = bytes.index(segment.startIndex, offsetBy: cuts.space)
        let number = segment[bytes.index(segment.startIndex, offsetBy: cuts.start)..<space], unit = segment[bytes.index(after: space)...]
        guard cuts.plain || number == "NaN" || number == "+Inf" || number == "-Inf", let value = DecimalLiteral.number(number) else { return nil }
        return (value, unit)
    }

    /// A byte of a number as Go prints one: digits, a sign, a point or an exponent.
    static func isNumberByte(_ byte: UInt8) -> Bool {
        TextBytes.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}
