/// Runs of spaces and of name bytes, and ASCII text, found eight bytes at a time.
///
/// `go test` pads its columns with runs of spaces (about forty bytes of a result line's ninety),
/// and a byte-at-a-time walk of them, with the name before them, was a third of reading a line.
extension TextBytes {
    /// The first place in `start..<end` that is not a space, or `end`.
    static func skipSpaces(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var position = start
        if let base = bytes.baseAddress {
            while position + 8 <= end {
                // Spaces become zero bytes; the lowest byte that is not zero is the first that was not a space.
                let word = load(base, at: position) ^ (wordOnes &* UInt64(space))
                if word != 0 { return position + word.trailingZeroBitCount / 8 }
                position += 8
            }
        }
        while position < end, bytes[position] == space { position += 1 }
        return position
    }

    /// The first place in `start..<end` holding a space or a tab, or `end`.
    static func firstBlank(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var position = start
        if let base = bytes.baseAddress {
            while position + 8 <= end {
                let word = load(base, at: position)
                // The lowest flag of each is exact (a borrow can flag only bytes above a zero), so the lowest of both is.
                let flags = zeroFlags(word ^ (wordOnes &* UInt64(space))) | zeroFlags(word ^ (wordOnes &* UInt64(tab)))
                if flags != 0 { return position + flags.trailingZeroBitCount / 8 }
                position += 8
            }
        }
        while position < end, !isBlank(bytes[position]) { position += 1 }
        return position
    }

    /// Whether every byte is below 0x80, told eight bytes at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        if let base = bytes.baseAddress {
            while position + 8 <= bytes.count {
                if load(base, at: position) & (wordOnes &* 0x80) != 0 { return false }
                position += 8
            }
        }
        while position < bytes.count {
            if bytes[position] >= 0x80 { return false }
            position += 1
        }
        return true
    }

    private static let wordOnes: UInt64 = 0x0101_0101_0101_0101

    /// The high bit of each zero byte of `word` ("Bit Twiddling Hacks"), and perhaps of bytes above one.
    private static func zeroFlags(_ word: UInt64) -> UInt64 {
        (word &- wordOnes) & ~word & 0x8080_8080_8080_8080
    }

    /// Eight bytes from `position`, the first in the lowest bits.
    private static func load(_ base: UnsafePointer<UInt8>, at position: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
    }
}
