import Foundation

/// The lines that are most of a large iai-callgrind output, read from their bytes: a block's
/// metric lines and its `Comparison with` lines.
///
/// ``IaiCallgrindReader/read(line:number:)`` asks of every line whether it is a header, a
/// closing line, a regression, cargo's, a failure, a tool's or a comparison's before it reads
/// it as a metric, each question a search or a `Character` comparison, and it files each label
/// in a dictionary keyed by `Substring` (hashed by Unicode's rules). This lane answers for the
/// lines where none of those questions can be yes, by their bytes where they lie in the output:
/// a label `read` met before as one iai-callgrind prints, with a plain number. Any
/// other line, and any line it would refuse, is left to `read`, the oracle, whose state the
/// lane shares (`IaiCallgrindBytesTests` runs the reader with and without the lane).
extension IaiCallgrindReader {
    /// A metric label met before, by its bytes: what ``IaiCallgrindReader/read(line:number:)`` works out for it.
    struct KnownLabel {
        let bytes: [UInt8]
        let normalized: String
        let metric: IaiCallgrindMetric
        /// `"<tool> <normalized>"` for the tool it was last met under, as the block's labels list it.
        var tool = ""
        var toolLabel = ""
    }

    /// Reads `line` if it is one of the lane's; `false` leaves it to ``read(line:number:)``.
    mutating func readFast(_ line: Substring, number: Int) -> Bool {
        line.utf8.withContiguousStorageIfAvailable { readFast($0, 0..<$0.count, number: number, last: .text(line)) } ?? false
    }

    /// Reads the line at `line` in `bytes` if it is one of the lane's; `false` leaves it to
    /// ``read(line:number:)``. `last`: the line as ``IaiCallgrindReader/last`` keeps it.
    mutating func readFast(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int, last lastLine: @autoclosure () -> LastLine) -> Bool {
        // The block is read and changed in place: a copy of it would retain each of its arrays and strings per line.
        guard block != nil, !inRegressions else { return false }
        // Indented by a space, with ASCII at both ends of the text once spaces and tabs are trimmed.
        guard let first = line.first.map({ bytes[$0] }), first == TextBytes.space else { return false }
        var start = line.lowerBound, end = line.upperBound
        while start < end, TextBytes.isBlank(bytes[start]) { start += 1 }
        while end > start, TextBytes.isBlank(bytes[end - 1]) { end -= 1 }
        guard start < end, bytes[start] < 0x80, bytes[end - 1] < 0x80 else { return false }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // A panic anywhere in a block is a failure, for `read` to record.
        guard TextBytes.offset(of: Self.buffer("panicked at"), in: slice, backwards: false) == nil else { return false }
        // So is an error before the block's first metric.
        if block!.results.isEmpty, block!.labels.isEmpty, Self.startsWith(slice, "Error") || Self.startsWith(slice, "error:")
            || TextBytes.offset(of: Self.buffer("Error launching benchmark"), in: slice, backwards: false) != nil {
            return false
        }
        if Self.startsWith(slice, "Comparison with ") {
            closeHeader()
            block!.skipping = true
            last = (lastLine(), number, false)
            return true
        }
        guard let (known, value) = knownMetric(slice) else { return false }
        // The new value of `new|old`, digits only; `N/A` stores nothing.
        let bar = value.firstIndex(of: UInt8(ascii: "|")) ?? value.endIndex
        guard bar > value.startIndex else { return false }
        let new = UnsafeBufferPointer(rebasing: value[value.startIndex..<bar])
        var count: Double?
        if !Self.equal(new, "N/A") {
            guard let plain = Self.plainNumber(new) else { return false }
            count = plain
        }
        if block!.skipping {
            closeHeader()
            last = (lastLine(), number, true)
            return true
        }
        closeHeader()
        var result: BenchmarkResult?
        if let count {
            let made = block!.name.result(labelsMet[known].metric, tool: block!.tool, value: count)
            // A name twice in one block is refused by `read`, naming the line.
            guard !block!.results.contains(where: { $0.benchmark == made.benchmark }) else { return false }
            result = made
        }
        // Nothing is left to refuse: the line is read.
        let label = toolLabel(known, tool: block!.tool)
        block!.labels.append(label)
        if let result { block!.results.append(result) }
        last = (lastLine(), number, true)
        return true
    }

    /// The first indented line of a block ends its header, as in ``read(line:number:)``: the name is final.
    private mutating func closeHeader() {
        guard block!.headerOpen else { return }
        block!.headerOpen = false
        block!.finalName = block!.name
    }

    /// `label: value…` with a label this reader met before as a known one, and the value's first word.
    private func knownMetric(_ slice: UnsafeBufferPointer<UInt8>) -> (Int, Slice<UnsafeBufferPointer<UInt8>>)? {
        guard let colon = TextBytes.offset(of: Self.buffer(": "), in: slice, backwards: false), colon > 0 else { return nil }
        let label = UnsafeBufferPointer(rebasing: slice[..<colon])
        var valueStart = colon + 2
        while valueStart < slice.count, slice[valueStart] == TextBytes.space { valueStart += 1 }
        var valueEnd = valueStart
        while valueEnd < slice.count, slice[valueEnd] != TextBytes.space { valueEnd += 1 }
        guard valueEnd > valueStart, !label.contains(UInt8(ascii: ":")),
              let known = labelsMet.firstIndex(where: { Self.equal(label, $0.bytes) }) else { return nil }
        return (known, slice[valueStart..<valueEnd])
    }

    /// Records a label ``read(line:number:)`` found to be a known metric's, for the lane to meet again.
    mutating func learn(label: Substring, normalized: String, metric: IaiCallgrindMetric) {
        // A file prints a handful of labels; a hostile one printing thousands leaves the rest to `read`.
        guard fastLane, labelsMet.count < 64 else { return }
        let met = label.utf8.withContiguousStorageIfAvailable { bytes in labelsMet.contains { Self.equal(bytes, $0.bytes) } } ?? true
        if !met { labelsMet.append(KnownLabel(bytes: Array(label.utf8), normalized: normalized, metric: metric)) }
    }

    /// `"<tool> <normalized label>"`, built once per label and tool rather than once per line.
    private mutating func toolLabel(_ known: Int, tool: String) -> String {
        if labelsMet[known].tool != tool {
            labelsMet[known].tool = tool
            labelsMet[known].toolLabel = "\(tool) \(labelsMet[known].normalized)"
        }
        return labelsMet[known].toolLabel
    }

    /// Digits with thousands separators and at most one point, read as `DecimalLiteral.number(_:ignoring:)`
    /// reads them, through its exact path; `nil` for anything else.
    private static func plainNumber(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var literal = DecimalLiteral()
        var digits = 0, fraction = false
        for byte in text {
            if TextBytes.isDigit(byte) {
                literal.append(byte &- UInt8(ascii: "0"), fraction: fraction)
                digits += 1
            } else if byte == UInt8(ascii: "."), !fraction {
                fraction = true
            } else if byte != UInt8(ascii: ",") {
                return nil
            }
        }
        guard digits > 0, text.first.map(TextBytes.isDigit) == true else { return nil }
        return literal.exactValue
    }

    private static func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        bytes.count >= prefix.utf8CodeUnitCount && memcmp(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        bytes.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress!, word.utf8Start, bytes.count) == 0
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Bool {
        bytes.count == other.count && other.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, other.count) == 0 }
    }

    private static func buffer(_ text: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
