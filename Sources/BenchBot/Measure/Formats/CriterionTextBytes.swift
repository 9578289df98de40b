import Foundation

/// criterion's terminal output read straight from its UTF-8 bytes, for outputs of the usual shape.
///
/// The line reader (``CriterionTextFormat/parseLines(_:_:)``) slices, trims and searches a
/// `Substring` per line, and splits every benchmark id into an array of parts; on a file of
/// 80,000 benchmarks (400,000 lines, most of them progress) that was most of the parse. This
/// reader takes the same steps over byte offsets and builds only the results. It does not
/// explain: where the line reader would refuse the file or record a failure, and where a line
/// is in a shape it leaves to that reader (a carriage return or colour escape, text that starts
/// or ends beyond ASCII, a panic, a number beyond the exact fast path), it returns `nil` and
/// the line reader, which stays the oracle, reads the whole file. The two agree wherever this
/// one answers (`CriterionTextBytesTests`).
struct CriterionTextBytes {
    private let text: String
    private let bytes: UnsafeBufferPointer<UInt8>
    private var results: [BenchmarkResult] = []
    private var seen = SeriesNames()
    private var targets = CargoTargetNames()
    private var target: String?
    /// Whether criterion announced a benchmark (`Benchmarking x`) that has no result yet.
    private var running = false
    /// The previous non-empty line, trimmed: it holds the name when it is too long for the `time:` line.
    private var previous = 0..<0
    /// The result whose `thrpt:` line may follow.
    private var last: Int?

    /// The results of `text`, or `nil` for the line reader to read it.
    static func parse(_ text: String) -> ParsedOutput? {
        let parsed: ParsedOutput?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var reader = CriterionTextBytes(text: text, bytes: bytes)
            return reader.read()
        }
        return parsed ?? nil
    }

    private init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.bytes = bytes
    }

    private mutating func read() -> ParsedOutput? {
        // Colour escapes and overwritten progress lines are the line reader's (`visible`).
        guard let base = bytes.baseAddress, memchr(base, 0x1B, bytes.count) == nil else { return nil }
        var start = 0
        while true {
            let newline = Self.offset(of: TextBytes.newline, in: bytes, from: start)
            var end = newline ?? bytes.count
            // `\r\n` ends a line as `\n` does; any other `\r` overwrites a progress line.
            if newline != nil, end > start, bytes[end - 1] == TextBytes.carriageReturn { end -= 1 }
            guard memchr(base + start, Int32(TextBytes.carriageReturn), end - start) == nil, line(start..<end) else { return nil }
            guard let newline else { break }
            start = newline + 1
        }
        guard !running, !results.isEmpty else { return nil }
        return ParsedOutput(results: results)
    }

    /// One line without its line end; `false` where the line reader must judge the file.
    private mutating func line(_ whole: Range<Int>) -> Bool {
        var trimmed = whole
        while !trimmed.isEmpty, TextBytes.isBlank(bytes[trimmed.lowerBound]) { trimmed = (trimmed.lowerBound + 1)..<trimmed.upperBound }
        while !trimmed.isEmpty, TextBytes.isBlank(bytes[trimmed.upperBound - 1]) { trimmed = trimmed.lowerBound..<(trimmed.upperBound - 1) }
        if trimmed.isEmpty { return true }
        // Unicode's spaces at either end, or a line with no printable ASCII (which `visible` rewrites), are the line reader's.
        guard bytes[trimmed.lowerBound] < 0x80, bytes[trimmed.upperBound - 1] < 0x80,
              bytes[trimmed].contains(where: { (0x21...0x7E).contains($0) }) else { return false }
        defer { previous = trimmed }
        if starts(trimmed, with: "Benchmarking ") {
            let id = (trimmed.lowerBound + "Benchmarking ".utf8.count)..<trimmed.upperBound
            if let colon = lastColonSpace(in: id) {
                let after = (colon + 2)..<id.upperBound
                running = !starts(after, with: "Complete (Analysis Disabled)")
            } else {
                running = true
            }
            return true
        }
        if starts(trimmed, with: "Running "), let cargo = CargoTarget(line: substring(trimmed)) {
            guard !running else { return false }
            target = targets.name(for: cargo)
            return true
        }
        if let time = find("time:", in: trimmed) {
            var values = time.upperBound..<trimmed.upperBound
            while !values.isEmpty, TextBytes.isBlank(bytes[values.lowerBound]) { values = (values.lowerBound + 1)..<values.upperBound }
            if !values.isEmpty, bytes[values.lowerBound] == UInt8(ascii: "[") {
                // A `[` before a combining mark is not a `[` to the line reader.
                guard values.count > 1, bytes[values.lowerBound + 1] < 0x80 else { return false }
                if bytes[time.upperBound..<trimmed.upperBound].contains(UInt8(ascii: "%")) { return true } // a `change:` block's time line
                var name = trimmed.lowerBound..<time.lowerBound
                while !name.isEmpty, TextBytes.isBlank(bytes[name.upperBound - 1]) { name = name.lowerBound..<(name.upperBound - 1) }
                if name.isEmpty { name = previous }
                guard !name.isEmpty, bytes[name.upperBound - 1] < 0x80,
                      let (nanoseconds, unit) = estimate(time.upperBound..<trimmed.upperBound, Self.nanosecondUnits) else {
                    return false
                }
                var result = benchmark(name)
                (result.unit, result.samples) = (unit, [nanoseconds])
                guard append(result) else { return false }
                last = results.count - 1
                running = false
                return true
            }
            // Unicode's spaces before the `[` are the line reader's to trim.
            if !values.isEmpty, bytes[values.lowerBound] >= 0x80 { return false }
        }
        if starts(trimmed, with: "thrpt:") {
            let values = (trimmed.lowerBound + "thrpt:".utf8.count)..<trimmed.upperBound
            guard !bytes[values].contains(UInt8(ascii: "%")), let base = last else { return true }
            guard let (rate, unit) = estimate(values, Self.rateUnits) else { return false }
            let measured = results[base]
            guard append(BenchmarkResult(benchmark: measured.benchmark + ".throughput", parameters: measured.parameters, unit: unit,
                                         direction: .higherIsBetter, samples: [rate])) else { return false }
            last = nil
            return true
        }
        if starts(trimmed, with: "change:") {
            last = nil
            return true
        }
        // A panic or crash is a failure or a warning, for the line reader to record.
        return !(starts(trimmed, with: "thread '") || find("process didn't exit successfully", in: trimmed) != nil
                 || starts(trimmed, with: "error: bench failed"))
    }

    /// ``CriterionTextFormat/result(_:target:)`` of a name: a plain ASCII name without a `/` is
    /// the benchmark itself, read here; any other is split by that function.
    private func benchmark(_ name: Range<Int>) -> BenchmarkResult {
        let id = String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
        guard bytes[name].allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "/") }) else { return CriterionTextFormat.result(id, target: target) }
        return BenchmarkResult(benchmark: id, parameters: target.map { ["target": $0] } ?? [:], unit: "ns", direction: .lowerIsBetter, samples: [])
    }

    private mutating func append(_ result: BenchmarkResult) -> Bool {
        // A name met twice is refused by the line reader, naming both lines.
        guard seen.insert(result, tag: results.count, inserted: results) == nil else { return false }
        results.append(result)
        return true
    }

    /// The point estimate of `[low unit point unit high unit]`, converted; `nil` for any other shape.
    private func estimate(_ values: Range<Int>, _ units: [(StaticString, Double, String)]) -> (Double, String)? {
        var inner = values
        while !inner.isEmpty, TextBytes.isBlank(bytes[inner.lowerBound]) { inner = (inner.lowerBound + 1)..<inner.upperBound }
        while !inner.isEmpty, TextBytes.isBlank(bytes[inner.upperBound - 1]) { inner = inner.lowerBound..<(inner.upperBound - 1) }
        // The line reader drops the brackets as Characters: next to a combining or prepended scalar they are the line reader's.
        guard inner.count >= 3, bytes[inner.lowerBound] == UInt8(ascii: "["), bytes[inner.upperBound - 1] == UInt8(ascii: "]"),
              bytes[inner.lowerBound + 1] < 0x80, bytes[inner.upperBound - 2] < 0x80 else { return nil }
        // The six words between runs of spaces, as `spaceSeparatedWords` gives them.
        var words: (point: Range<Int>, unit: Range<Int>)?
        var count = 0
        var position = inner.lowerBound + 1
        let end = inner.upperBound - 1
        while position < end {
            if bytes[position] == TextBytes.space { position += 1; continue }
            let start = position
            while position < end, bytes[position] != TextBytes.space { position += 1 }
            count += 1
            if count == 3 { words = (start..<position, 0..<0) } else if count == 4 { words?.unit = start..<position }
        }
        guard count == 6, let words, let point = Self.plainDecimal(UnsafeBufferPointer(rebasing: bytes[words.point])),
              let (_, factor, unit) = units.first(where: { equal(words.unit, $0.0) }) else { return nil }
        return (point * factor, unit)
    }

    /// The units the line reader converts (its `nanoseconds` and `rate`), as bytes.
    private static let nanosecondUnits: [(StaticString, Double, String)] = [
        ("ps", 1e-3, "ns"), ("ns", 1, "ns"), ("µs", 1e3, "ns"), ("us", 1e3, "ns"), ("ms", 1e6, "ns"), ("s", 1e9, "ns"),
    ]
    private static let rateUnits: [(StaticString, Double, String)] = [
        ("B/s", 1, "B/s"), ("KiB/s", 1024, "B/s"), ("MiB/s", 1024 * 1024, "B/s"), ("GiB/s", 1024 * 1024 * 1024, "B/s"),
        ("KB/s", 1e3, "B/s"), ("MB/s", 1e6, "B/s"), ("GB/s", 1e9, "B/s"),
        ("elem/s", 1, "items/s"), ("Kelem/s", 1e3, "items/s"), ("Melem/s", 1e6, "items/s"), ("Gelem/s", 1e9, "items/s"),
    ]

    // MARK: Bytes

    private func substring(_ range: Range<Int>) -> Substring {
        let utf8 = text.utf8
        return text[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
    }

    private func starts(_ range: Range<Int>, with prefix: StaticString) -> Bool {
        range.count >= prefix.utf8CodeUnitCount && memcmp(bytes.baseAddress! + range.lowerBound, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    private func equal(_ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
    }

    /// The first occurrence of `word` in `range`.
    private func find(_ word: StaticString, in range: Range<Int>) -> Range<Int>? {
        let needle = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        return TextBytes.offset(of: needle, in: UnsafeBufferPointer(rebasing: bytes[range]), backwards: false)
            .map { (range.lowerBound + $0)..<(range.lowerBound + $0 + needle.count) }
    }

    /// Where the last `: ` in `range` starts.
    private func lastColonSpace(in range: Range<Int>) -> Int? {
        var position = range.upperBound - 2
        while position >= range.lowerBound {
            if bytes[position] == UInt8(ascii: ":"), bytes[position + 1] == TextBytes.space { return position }
            position -= 1
        }
        return nil
    }

    static func offset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count, let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// `-?digits(.digits)?` read exactly, as `DecimalLiteral.number` reads it; `nil` for any other word.
    private static func plainDecimal(_ word: UnsafeBufferPointer<UInt8>) -> Double? {
        var position = 0
        let negative = !word.isEmpty && word[0] == UInt8(ascii: "-")
        if negative { position = 1 }
        var literal = DecimalLiteral()
        var digits = 0, fraction = false
        while position < word.count {
            let byte = word[position]
            if TextBytes.isDigit(byte) {
                literal.append(byte &- UInt8(ascii: "0"), fraction: fraction)
                digits += 1
            } else if byte == UInt8(ascii: "."), !fraction {
                fraction = true
            } else {
                return nil
            }
            position += 1
        }
        guard digits > 0, let exact = literal.exactValue else { return nil }
        return negative ? -exact : exact
    }
}
