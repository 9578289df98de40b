import Foundation

/// The lines that are most of a large iai-callgrind output, read from their bytes: a block's
/// header (of ASCII), its metric lines and its `Comparison with` lines.
///
/// ``IaiCallgrindReader/read(line:number:)`` asks of every line whether it is a header, a
/// closing line, a regression, cargo's, a failure, a tool's or a comparison's before it reads
/// it as a metric, each question a search or a `Character` comparison, and it files each label
/// in a dictionary keyed by `Substring` (hashed by Unicode's rules). This lane answers for the
/// lines where none of those questions can be yes, by their bytes where they lie in the output:
/// a header whose module path and rest are ASCII (one per block, but a tenth of the time when
/// `read` took it apart by `Character`), and a label `read` met before as one iai-callgrind
/// prints, with a plain number. Any
/// other line, and any line it would refuse, is left to `read`, the oracle, whose state the
/// lane shares (`IaiCallgrindBytesTests` runs the reader with and without the lane).
extension IaiCallgrindReader {
    /// A metric label met before, by its bytes: what ``IaiCallgrindReader/read(line:number:)`` works out for it.
    struct KnownLabel {
        let bytes: [UInt8]
        /// The first eight bytes (fewer, zero-padded, for a shorter label): labels differ there, told apart by one compare.
        let head: UInt64
        let normalized: String
        let metric: IaiCallgrindMetric
        /// `"<tool> <normalized>"` for the tool it was last met under, as the block's labels list it.
        var tool = ""
        var toolLabel = ""
        /// The series this metric of `benchmark` under `tool` is, for the last pair met: the blocks
        /// of a group share their module path, and so their series names.
        var series = (benchmark: "", tool: "", name: "")

        init(bytes: [UInt8], normalized: String, metric: IaiCallgrindMetric) {
            self.bytes = bytes
            head = bytes.withUnsafeBufferPointer(Self.head)
            self.normalized = normalized
            self.metric = metric
        }

        static func head(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var head: UInt64 = 0
            for index in 0..<min(8, bytes.count) { head |= UInt64(bytes[index]) << (8 * index) }
            return head
        }
    }

    /// Reads `line` if it is one of the lane's; `false` leaves it to ``read(line:number:)``.
    mutating func readFast(_ line: Substring, number: Int) throws(FormatError) -> Bool {
        let outcome = line.utf8.withContiguousStorageIfAvailable { bytes in
            Result { () throws(FormatError) in try readFast(bytes, 0..<bytes.count, number: number) }
        }
        guard let outcome, try outcome.get() else { return false }
        // The line is not a place in `text`: it is kept as text.
        lastText = line
        last.bytes = nil
        return true
    }

    /// Reads the line at `line` in `bytes` (``text``'s) if it is one of the lane's; `false` leaves
    /// it to ``read(line:number:)``. Throws as `read` would, for a header that ends a block it refuses.
    mutating func readFast(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int) throws(FormatError) -> Bool {
        // A header starts at the line's start; the lane's other lines are indented by a space.
        guard let first = line.first.map({ bytes[$0] }) else { return false }
        guard first == TextBytes.space else { return try readHeader(bytes, line, number: number) }
        // The block is read and changed in place: a copy of it would retain each of its arrays and strings per line.
        guard block != nil, !inRegressions else { return false }
        // With ASCII at both ends of the text once spaces and tabs are trimmed.
        var start = line.lowerBound, end = line.upperBound
        while start < end, TextBytes.isBlank(bytes[start]) { start += 1 }
        while end > start, TextBytes.isBlank(bytes[end - 1]) { end -= 1 }
        guard start < end, bytes[start] < 0x80, bytes[end - 1] < 0x80 else { return false }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        // A panic anywhere in a block is a failure, for `read` to record.
        guard TextBytes.offset(of: Self.buffer("panicked at"), in: slice, backwards: false) == nil else { return false }
        // So is an error before the block's first metric.
        if results.count == block!.firstResult, block!.labels.isEmpty, Self.startsWith(slice, "Error") || Self.startsWith(slice, "error:")
            || TextBytes.offset(of: Self.buffer("Error launching benchmark"), in: slice, backwards: false) != nil {
            return false
        }
        if Self.startsWith(slice, "Comparison with ") {
            closeHeader()
            block!.skipping = true
            last = (line, number, false)
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
        closeHeader()
        if block!.skipping {
            last = (line, number, true)
            return true
        }
        if let count {
            let series = series(known, of: block!.modulePath, tool: block!.tool)
            // A name twice in one block is refused by `read`, naming the line.
            guard !results[block!.firstResult...].contains(where: { $0.benchmark == series }) else { return false }
            // `closeHeader` named the block; its name's benchmark is the module path.
            let metric = labelsMet[known].metric
            results.append(BenchmarkResult(benchmark: series, parameters: block!.finalName!.parameters, unit: metric.unit,
                                           direction: metric.direction, samples: [count]))
        }
        // Nothing is left to refuse: the line is read.
        block!.labels.append(toolLabel(known, tool: block!.tool))
        last = (line, number, true)
        return true
    }

    /// Reads the line at `line` in `bytes` if it is a header in ASCII, as ``read(line:number:)``
    /// reads it, and returns `true`; returns `false`, having changed nothing, for any other line.
    mutating func readHeader(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int) throws(FormatError) -> Bool {
        // The module path runs to the first space: letters, digits, `_` and `:`, with a `::` and no `:` at either end.
        let colon = UInt8(ascii: ":")
        var end = line.lowerBound, separated = false
        while end < line.upperBound, bytes[end] != TextBytes.space {
            guard Self.isPathByte(bytes[end]) else { return false }
            separated = separated || (bytes[end] == colon && end > line.lowerBound && bytes[end - 1] == colon)
            end += 1
        }
        guard separated, bytes[line.lowerBound] != colon, bytes[end - 1] != colon else { return false }
        // The rest in ASCII, where each byte is a Character: the one after the space starts it, as
        // `header(_:)` finds it (a mark after the space would join it).
        guard bytes[end..<line.upperBound].allSatisfy({ $0 < 0x80 }) else { return false }
        let rest = end == line.upperBound ? "" : Self.string(bytes, (end + 1)..<line.upperBound)
        try open(modulePath: Self.string(bytes, line.lowerBound..<end), rest: rest, number: number)
        last = (line, number, false)
        return true
    }

    /// A byte of a module path, as ``IaiCallgrindFormat/header(_:)`` allows them: ASCII letters, digits, `_` and `:`.
    private static func isPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: ":"): true
        default: false
        }
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The first indented line of a block ends its header, as in ``read(line:number:)``: the name is final.
    private mutating func closeHeader() {
        guard block!.headerOpen else { return }
        block!.headerOpen = false
        block!.finalName = block!.name
    }

    /// `label: value…` with a label this reader met before as a known one, and the value's first word.
    private mutating func knownMetric(_ slice: UnsafeBufferPointer<UInt8>) -> (Int, Slice<UnsafeBufferPointer<UInt8>>)? {
        // The label ends at the first `:`, which must start `: `: a label with a `:` in it is no metric's.
        guard let base = slice.baseAddress, let found = memchr(base, Int32(UInt8(ascii: ":")), slice.count) else { return nil }
        let colon = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        guard colon > 0, colon + 1 < slice.count, slice[colon + 1] == TextBytes.space else { return nil }
        let valueStart = Self.firstByte(in: slice, from: colon + 2, space: false)
        let valueEnd = Self.firstByte(in: slice, from: valueStart, space: true)
        guard valueEnd > valueStart, let known = knownLabel(UnsafeBufferPointer(rebasing: slice[..<colon])) else { return nil }
        return (known, slice[valueStart..<valueEnd])
    }

    /// The place of `label` in ``labelsMet``, looked for from the one after the label found last:
    /// the blocks print their labels in one order, so the first look finds it.
    private mutating func knownLabel(_ label: UnsafeBufferPointer<UInt8>) -> Int? {
        let head = KnownLabel.head(label)
        var index = nextLabel
        for _ in labelsMet.indices {
            if index == labelsMet.count { index = 0 }
            if labelsMet[index].head == head, labelsMet[index].bytes.count == label.count, Self.equal(label, labelsMet[index].bytes) {
                nextLabel = index + 1
                return index
            }
            index += 1
        }
        return nil
    }

    /// Where the first space (`space`), or the first byte that is not one, is in `bytes` from
    /// `start` on; `bytes.count` if none is. Eight bytes at a time: the columns of spaces that
    /// align the values, and the values, are of every length, which a loop of bytes mispredicts.
    private static func firstByte(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, space: Bool) -> Int {
        let spaces: UInt64 = 0x2020_2020_2020_2020, low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var index = start
        while index + 8 <= bytes.count {
            // Spaces become zero bytes; a byte's high bit then marks which ones are sought. Read
            // little-endian, the first byte is the lowest, the first found its trailing zeros.
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)) ^ spaces
            let zeros = ~(((word & low) &+ low) | word) & ~low
            let found = space ? zeros : ~zeros & ~low
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count, (bytes[index] == TextBytes.space) != space { index += 1 }
        return index
    }

    /// Records a label ``read(line:number:)`` found to be a known metric's, for the lane to meet again.
    mutating func learn(label: Substring, normalized: String, metric: IaiCallgrindMetric) {
        // A file prints a handful of labels; a hostile one printing thousands leaves the rest to `read`.
        guard fastLane, labelsMet.count < 64 else { return }
        let met = label.utf8.withContiguousStorageIfAvailable { bytes in labelsMet.contains { Self.equal(bytes, $0.bytes) } } ?? true
        if !met { labelsMet.append(KnownLabel(bytes: Array(label.utf8), normalized: normalized, metric: metric)) }
    }

    /// The series of a metric of `benchmark` under `tool`, built once for the blocks of one module path.
    private mutating func series(_ known: Int, of benchmark: String, tool: String) -> String {
        if labelsMet[known].series.benchmark != benchmark || labelsMet[known].series.tool != tool {
            labelsMet[known].series = (benchmark, tool, labelsMet[known].metric.series(of: benchmark, tool: tool))
        }
        return labelsMet[known].series.name
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
        guard let first = text.first, TextBytes.isDigit(first) else { return nil }
        // Most counts are whole: up to 15 digits, exactly what `DecimalLiteral`'s exact path makes of them.
        var whole: UInt64 = 0, digits = 0
        for byte in text {
            if TextBytes.isDigit(byte) {
                whole = whole &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                digits += 1
            } else if byte != UInt8(ascii: ",") {
                return decimal(text)
            }
        }
        return digits <= 15 ? Double(whole) : nil
    }

    /// ``plainNumber(_:)`` of a count with a fraction, or of text that is no count.
    private static func decimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
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
