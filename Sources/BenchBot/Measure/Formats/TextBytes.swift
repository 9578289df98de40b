import Foundation

/// Byte-level reading of tool output, for parsers whose markers are all ASCII.
///
/// Walking a large output by `Character` segments every grapheme for nothing: Go's `testing`,
/// libtest and the like print ASCII separators (spaces, tabs, `\n`), and an ASCII byte of UTF-8
/// is never part of another character's bytes, so an index found at one is a valid `String.Index`
/// to slice the text with. Names and other text between the separators stay whole `Substring`s.
extension Substring {
    /// ``trimmingWhitespace`` without copying the text: the same ends, as a slice of this text.
    /// Most lines start and end with a printable ASCII byte, told without walking scalars.
    var trimmedWhitespace: Substring {
        // Spaces and tabs off both ends by bytes, when the bytes they stop at are ASCII: then no
        // other whitespace (Unicode's, all beyond ASCII) can be next to them.
        let ends: Range<Int>?? = utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0, end = bytes.count
            while start < end, TextBytes.isBlank(bytes[start]) { start += 1 }
            while end > start, TextBytes.isBlank(bytes[end - 1]) { end -= 1 }
            guard start == end || (bytes[start] < 0x80 && bytes[end - 1] < 0x80) else { return nil }
            return start..<end
        }
        if let ends = ends ?? nil {
            if ends.count == utf8.count { return self }
            return self[utf8.index(startIndex, offsetBy: ends.lowerBound)..<utf8.index(startIndex, offsetBy: ends.upperBound)]
        }
        guard let first = unicodeScalars.firstIndex(where: { !Self.isWhitespace($0) }),
              let last = unicodeScalars.lastIndex(where: { !Self.isWhitespace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }

    /// Whether the text ends with `suffix`, byte for byte.
    func endsWith(_ suffix: String) -> Bool {
        var suffix = suffix
        return suffix.withUTF8 { suffix in
            TextBytes.withBytes(of: self) { $0.count >= suffix.count && TextBytes.equal($0[($0.count - suffix.count)...], suffix) }
        }
    }

    /// The words between runs of spaces, as `split(separator: " ")` gives them, found by bytes.
    var spaceSeparatedWords: SpaceSeparatedWords { SpaceSeparatedWords(text: self) }

    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        guard let first = utf8.firstIndex(where: { !TextBytes.isBlank($0) }), let last = utf8.lastIndex(where: { !TextBytes.isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    /// Whether the text holds `byte`, searched in place.
    func containsByte(_ byte: UInt8) -> Bool {
        TextBytes.withBytes(of: self) { $0.contains(byte) }
    }

    /// Whether the text starts with `prefix`, byte for byte.
    func startsWith(_ prefix: String) -> Bool {
        var prefix = prefix
        return prefix.withUTF8 { prefix in
            TextBytes.withBytes(of: self) { $0.count >= prefix.count && TextBytes.equal($0[..<prefix.count], prefix) }
        }
    }

    /// Where `pattern`, a word's UTF-8 bytes, first occurs.
    func firstIndex(ofBytes pattern: [UInt8]) -> Index? {
        guard !pattern.isEmpty else { return startIndex }
        return pattern.withUnsafeBufferPointer { needle in
            TextBytes.offset(of: needle, in: self, backwards: false).map { utf8.index(startIndex, offsetBy: $0) }
        }
    }
}

/// A line's words between runs of spaces, one at a time: reading a result line's few fields
/// does not need an array of them.
struct SpaceSeparatedWords: Sequence, IteratorProtocol {
    let text: Substring
    /// Where the rest starts, in UTF-8 bytes from the text's start.
    private var position = 0

    init(text: Substring) {
        self.text = text
    }

    mutating func next() -> Substring? {
        let from = position
        // Native text is contiguous UTF-8: found by offsets into its bytes, not by walking indices.
        let word: Range<Int>?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes[from...].firstIndex(where: { $0 != TextBytes.space }) else { return nil }
            return start..<(bytes[start...].firstIndex(of: TextBytes.space) ?? bytes.count)
        }
        let found = word ?? Array(text.utf8).withUnsafeBufferPointer { bytes in
            bytes[from...].firstIndex(where: { $0 != TextBytes.space }).map { $0..<(bytes[$0...].firstIndex(of: TextBytes.space) ?? bytes.count) }
        }
        guard let found else {
            position = text.utf8.count
            return nil
        }
        position = found.upperBound
        let bytes = text.utf8
        return text[bytes.index(text.startIndex, offsetBy: found.lowerBound)..<bytes.index(text.startIndex, offsetBy: found.upperBound)]
    }
}

/// The ASCII bytes the readers look for.
enum TextBytes {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Whether the bytes hold one below 0x20, 0x7F or 0xC2 (a control character's UTF-8 starts with
    /// one), told eight bytes at a time: validation asks it of every name.
    static func mayHoldControl(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        // Exact for each test: a byte below 0x20 (borrowing tricks of "Bit Twiddling Hacks"), or one equal to 0x7F or 0xC2.
        func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        func flagged(_ word: UInt64) -> Bool {
            (word &- ones &* 0x20) & ~word & highs != 0 || hasZero(word ^ ones &* 0x7F) || hasZero(word ^ ones &* 0xC2)
        }
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        while offset + 8 <= raw.count {
            if flagged(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))) { return true }
            offset += 8
        }
        return bytes[offset...].contains { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }
    }
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}

extension Substring {
    /// `trimmingCharacters(in: .whitespaces)` without Foundation's trip through `NSString` (most of
    /// the time of reading a large output): the same scalars, tab and Unicode's space separators
    /// (category Zs), off both ends.
    var trimmingWhitespace: String {
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80, !TextBytes.isBlank(first), !TextBytes.isBlank(last) {
            return String(self)
        }
        guard let first = unicodeScalars.firstIndex(where: { !Self.isWhitespace($0) }),
              let last = unicodeScalars.lastIndex(where: { !Self.isWhitespace($0) }) else { return "" }
        return String(self[first...last])
    }

    fileprivate static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || (scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator)
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, as ``Substring/trimmingWhitespace`` does it.
    var trimmingWhitespace: String { self[...].trimmingWhitespace }
}

extension StringProtocol {
    /// Where `pattern` first occurs, or last (`backwards`), compared byte by byte: `range(of:)`
    /// without Foundation's trip through `NSString`, for the ASCII-led markers tools print.
    func byteRange(of pattern: String, backwards: Bool = false) -> Range<Index>? {
        guard !pattern.isEmpty else { return nil }
        var needle = pattern
        return needle.withUTF8 { needle in
            TextBytes.offset(of: needle, in: self, backwards: backwards).map { offset in
                let start = utf8.index(startIndex, offsetBy: offset)
                return start..<utf8.index(start, offsetBy: needle.count)
            }
        }
    }
}

extension TextBytes {
    /// `body` on the text's UTF-8 bytes: in place for native text, which is contiguous, or on a copy.
    static func withBytes<Text: StringProtocol, Result>(of text: Text, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// Whether two runs of bytes are the same.
    static func equal(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == other.count else { return false }
        return bytes.isEmpty || memcmp(bytes.base.baseAddress! + bytes.startIndex, other.baseAddress!, other.count) == 0
    }

    /// The offset in UTF-8 bytes of `needle`'s first (or last) occurrence in `text`. Native text
    /// is contiguous UTF-8 and is searched in place; other text (bridged) is copied first.
    static func offset<Text: StringProtocol>(of needle: UnsafeBufferPointer<UInt8>, in text: Text, backwards: Bool) -> Int? {
        withBytes(of: text) { offset(of: needle, in: $0, backwards: backwards) }
    }

    static func offset(of needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, backwards: Bool) -> Int? {
        guard let head = needle.first, needle.count <= bytes.count else { return nil }
        let lastStart = bytes.count - needle.count
        func matches(at start: Int) -> Bool {
            var index = 1
            while index < needle.count, bytes[start + index] == needle[index] { index += 1 }
            return index == needle.count
        }
        if backwards {
            var start = lastStart
            while start >= 0 {
                if bytes[start] == head, matches(at: start) { return start }
                start -= 1
            }
            return nil
        }
        // Each place the first byte occurs is found by `memchr`, which reads many bytes at a time:
        // most lines a reader searches hold the marker's first byte rarely, if at all.
        guard let base = bytes.baseAddress else { return nil }
        var start = 0
        while start <= lastStart, let found = memchr(base + start, Int32(head), lastStart + 1 - start) {
            start = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if matches(at: start) { return start }
            start += 1
        }
        return nil
    }
}

/// Reading a line by ranges of the whole text's bytes, for the byte paths of the text readers:
/// their markers are ASCII constants, compared in place.
extension TextBytes {
    /// Whether `text`'s UTF-8 is `bytes`, compared as memory where the text is stored contiguously.
    static func equal(_ text: Substring, _ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == bytes.count && (bytes.isEmpty || memcmp(stored.baseAddress!, bytes.base.baseAddress! + bytes.startIndex, bytes.count) == 0)
        } ?? text.utf8.elementsEqual(bytes)
    }

    /// Whether the bytes in `range` start with `prefix`.
    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard range.count >= count else { return false }
        return memcmp(bytes.baseAddress! + range.lowerBound, prefix.utf8Start, count) == 0
    }

    /// Whether the bytes in `range` start with `prefix`.
    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, with prefix: [UInt8]) -> Bool {
        guard range.count >= prefix.count else { return false }
        return prefix.withUnsafeBufferPointer { memcmp(bytes.baseAddress! + range.lowerBound, $0.baseAddress!, prefix.count) == 0 }
    }

    /// Whether the bytes in `range` are `text`.
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && starts(bytes, range, with: text)
    }

    /// Where `pattern` first occurs in the bytes in `range`, as an offset into `bytes`.
    static func offset(of pattern: StaticString, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        let needle = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        return offset(of: needle, in: bytes.extracting(range), backwards: false).map { range.lowerBound + $0 }
    }
}

/// The words between runs of spaces in a range of bytes, as ranges, as ``SpaceSeparatedWords``
/// finds them in a `Substring`.
struct ByteWords: Sequence, IteratorProtocol {
    let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    mutating func next() -> Range<Int>? {
        while position < end, bytes[position] == TextBytes.space { position += 1 }
        guard position < end else { return nil }
        let start = position
        while position < end, bytes[position] != TextBytes.space { position += 1 }
        return start..<position
    }
}

extension String {
    /// The text between two offsets of its UTF-8 bytes, which must fall between characters (at
    /// ASCII bytes or the ends, as every marker the readers cut at is ASCII).
    func utf8Slice(_ range: Range<Int>) -> Substring {
        self[utf8.index(startIndex, offsetBy: range.lowerBound)..<utf8.index(startIndex, offsetBy: range.upperBound)]
    }
}

extension TextBytes {
    /// `head + tail`, built in one allocation of its exact size: `+` appends to a copy of `head`,
    /// growing it as an append does, which cost more than the copy itself for a reader that
    /// names 100,000 series by a benchmark's name and a suffix.
    static func concatenated(_ head: String, _ tail: String) -> String {
        guard !tail.isEmpty else { return head }
        let count = head.utf8.count + tail.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            let written = withBytes(of: head) { bytes in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(bytes))
                return bytes.count
            }
            withBytes(of: tail) { bytes in
                UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[written...])).copyMemory(from: UnsafeRawBufferPointer(bytes))
            }
            return count
        }
    }
}
