import Foundation

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

/// A text's lines as ranges of its UTF-8 bytes, cut as ``OutputLines`` cuts them (at `\n`, a
/// `\r` before it dropped), for readers that take their common lines apart by bytes and build a
/// `Substring` only for the rest: a line's `String.Index`es cost more than reading its bytes.
struct ByteLines: Sequence, IteratorProtocol {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where the next line starts; `nil` once the last line was read.
    private var start: Int? = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func next() -> Range<Int>? {
        guard let from = start, let base = bytes.baseAddress else {
            // An empty text is one empty line, as `OutputLines` gives it.
            defer { start = nil }
            return start == nil ? nil : 0..<0
        }
        // memchr: the C library's search reads a word at a time, as a line split in C does.
        guard let found = memchr(base + from, Int32(TextBytes.newline), bytes.count - from) else {
            start = nil
            return from..<bytes.count
        }
        let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        start = newline + 1
        return from..<(newline > from && bytes[newline - 1] == TextBytes.carriageReturn ? newline - 1 : newline)
    }
}

extension String {
    /// `body` on the text's UTF-8 bytes, made contiguous first (they are, but for bridged text),
    /// for readers that return their outcome as a `Result` (typed errors do not pass `withUTF8`).
    func withLineBytes<Output, Failure: Error>(_ body: (UnsafeBufferPointer<UInt8>) -> Result<Output, Failure>) throws(Failure) -> Output {
        var text = self
        return try text.withUTF8(body).get()
    }
}
