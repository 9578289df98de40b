extension String {
    /// The text's lines, split at `\n` and `\r\n`, numbered from 1 by their place + 1, one at a
    /// time. The split walks UTF-8 bytes: `\n` always ends a grapheme, and walking Characters
    /// instead would segment every grapheme of a large output for nothing. Lines come as read,
    /// not as an array: a large output's array of 100,000 slices cost more to build than to read.
    var outputLines: OutputLines { OutputLines(text: self) }
}

/// A text's lines without their `\n` or `\r\n`, one at a time, as slices of the text. A text
/// ending in `\n` ends with an empty line.
struct OutputLines: Sequence, IteratorProtocol {
    private let text: String
    /// Where the next line starts, in UTF-8 bytes; `nil` once the last line was read.
    private var start: Int?

    init(text: String) {
        var text = text
        // Lines are found by offsets into the text's bytes, which must be in one piece (they are, but for bridged text).
        text.makeContiguousUTF8()
        self.text = text
        start = 0
    }

    mutating func next() -> Substring? {
        guard let from = start else { return nil }
        let bytes = text.utf8
        let found = bytes.withContiguousStorageIfAvailable { bytes -> (end: Int, next: Int?) in
            guard let newline = bytes[from...].firstIndex(of: TextBytes.newline) else { return (bytes.count, nil) }
            let end = newline > from && bytes[newline - 1] == TextBytes.carriageReturn ? newline - 1 : newline
            return (end, newline + 1)
        }
        guard let (end, next) = found else { preconditionFailure("made contiguous in init") }
        start = next
        return text[bytes.index(text.startIndex, offsetBy: from)..<bytes.index(text.startIndex, offsetBy: end)]
    }
}
