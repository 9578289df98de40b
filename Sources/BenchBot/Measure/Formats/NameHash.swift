/// SipHash-1-3, the hash `Hasher` computes, of a display name's bytes, read a word at a time.
///
/// ``SeriesNames`` hashes every series' display name: `Hasher.combine(bytes:)` feeds its buffer
/// a byte at a time and cost three times as much as the rounds themselves. This computes the same
/// function family, keyed per process as `Hasher` is seeded, so a file cannot be made to crowd
/// one stretch of the table (and make the check quadratic) without knowing the key. The name
/// comes as two runs of bytes (the benchmark, then its parameters as the display name writes
/// them), hashed as if they were one, without copying them together.
struct NameHash {
    private let key: (UInt64, UInt64)

    /// The key of every table in this process: random, as `Hasher`'s seed is.
    private static let processKey = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))

    init() {
        key = Self.processKey
    }

    /// The hash of `head` followed by `tail`: equal byte sequences, however cut in two, hash alike.
    func hash(_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) -> UInt64 {
        var state = State(key)
        let count = head.count + tail.count
        // The byte at `offset` of the two runs put together, for the word across their seam and the last one.
        func byte(_ offset: Int) -> UInt64 {
            UInt64(offset < head.count ? head[offset] : tail[offset - head.count])
        }
        var offset = 0
        while offset + 8 <= count {
            let word: UInt64
            if offset + 8 <= head.count {
                word = UInt64(littleEndian: head.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            } else if offset >= head.count {
                word = UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: offset - head.count, as: UInt64.self))
            } else {
                word = (0..<8).reduce(0) { $0 | byte(offset + $1) << (8 * UInt64($1)) }
            }
            state.compress(word)
            offset += 8
        }
        // The last 0…7 bytes, with the length in the top byte, as SipHash pads.
        var last = UInt64(truncatingIfNeeded: count) << 56
        for index in 0..<(count - offset) { last |= byte(offset + index) << (8 * UInt64(index)) }
        state.compress(last)
        return state.finalize()
    }

    /// SipHash's four words of state.
    private struct State {
        var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64

        init(_ key: (UInt64, UInt64)) {
            v0 = 0x736f_6d65_7073_6575 ^ key.0
            v1 = 0x646f_7261_6e64_6f6d ^ key.1
            v2 = 0x6c79_6765_6e65_7261 ^ key.0
            v3 = 0x7465_6462_7974_6573 ^ key.1
        }

        private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
            value << bits | value >> (64 - bits)
        }

        private mutating func round() {
            v0 &+= v1; v1 = Self.rotate(v1, 13); v1 ^= v0; v0 = Self.rotate(v0, 32)
            v2 &+= v3; v3 = Self.rotate(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = Self.rotate(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = Self.rotate(v1, 17); v1 ^= v2; v2 = Self.rotate(v2, 32)
        }

        /// One compression round per word: the 1 of SipHash-1-3.
        mutating func compress(_ word: UInt64) {
            v3 ^= word
            round()
            v0 ^= word
        }

        /// Three finalization rounds: the 3 of SipHash-1-3.
        mutating func finalize() -> UInt64 {
            v2 ^= 0xff
            round()
            round()
            round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}
