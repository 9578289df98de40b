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
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80, !TextBytes.isBlank(first), !TextBytes.isBlank(last) {
            return self
        }
        guard let first = unicodeScalars.firstIndex(where: { !Self.isWhitespace($0) }),
              let last = unicodeScalars.lastIndex(where: { !Self.isWhitespace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }

    /// Whether the text ends with `suffix`, byte for byte.
    func endsWith(_ suffix: String) -> Bool {
        utf8.count >= suffix.utf8.count && utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
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

    /// Whether the text starts with `prefix`, byte for byte.
    func startsWith(_ prefix: String) -> Bool {
        utf8.starts(with: prefix.utf8)
    }

    /// Where `pattern`, a word's UTF-8 bytes, first occurs.
    func firstIndex(ofBytes pattern: [UInt8]) -> Index? {
        guard let head = pattern.first else { return startIndex }
        var index = utf8.startIndex
        while let found = utf8[index...].firstIndex(of: head) {
            if utf8[found...].starts(with: pattern) { return found }
            index = utf8.index(after: found)
        }
        return nil
    }
}

/// A line's words between runs of spaces, one at a time: reading a result line's few fields
/// does not need an array of them.
struct SpaceSeparatedWords: Sequence, IteratorProtocol {
    let text: Substring
    private var position: Substring.Index

    init(text: Substring) {
        self.text = text
        position = text.startIndex
    }

    mutating func next() -> Substring? {
        let bytes = text.utf8
        guard let start = bytes[position...].firstIndex(where: { $0 != TextBytes.space }) else {
            position = text.endIndex
            return nil
        }
        let end = bytes[start...].firstIndex(of: TextBytes.space) ?? text.endIndex
        position = end
        return text[start..<end]
    }
}

/// The ASCII bytes the readers look for.
enum TextBytes {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }
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
        let bytes = utf8, needle = Array(pattern.utf8)
        guard let head = needle.first else { return nil }
        // A generic `StringProtocol`'s UTF-8 view only walks forward: the last match is the last one met.
        var last: Range<Index>?
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == head, bytes[index...].starts(with: needle) {
                let found = index..<bytes.index(index, offsetBy: needle.count)
                guard backwards else { return found }
                last = found
            }
            index = bytes.index(after: index)
        }
        return last
    }
}
