import Foundation

/// A benchmark's header line (`a::b::c id:args`), read from its bytes where it lies in the output.
///
/// ``IaiCallgrindFormat/header(_:)`` takes a header apart by `Substring` and `Character`, and
/// ``IaiCallgrindReader/read(line:number:)`` trims the line first: one header per block, it was
/// a tenth of reading a large output. This reads the headers of ASCII, and leaves any other to
/// `read` (`IaiCallgrindBytesTests` runs the reader with and without the byte lane).
extension IaiCallgrindReader {
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
}
