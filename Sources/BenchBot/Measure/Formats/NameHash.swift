/// A keyed hash of a display name's bytes, read sixteen at a time: foldhash's multiply-and-fold.
///
/// ``SeriesNames`` and ``GoTestSeries`` hash every series' name. SipHash-1-3 (what `Hasher`
/// computes) cost a twelfth of reading a large file: a round of its mixing per eight bytes and three
/// more at the end. This folds each sixteen bytes into the state with one 64×64→128-bit multiply
/// instead. It stays keyed with random seeds per process, as `Hasher` is: without them a file could
/// be made of names that crowd one stretch of the table and make the check quadratic. A multiply-mix
/// is not a cryptographic hash (it is the "minimal denial-of-service resistance" of foldhash and
/// ahash's fallback), but crowding one stretch of the table still takes knowing the seeds, which
/// the file's author does not; equal names always hash alike, and the table compares names on a
/// match, so a collision costs time, never a wrong answer. The name comes as two runs of bytes
/// (the benchmark, then its parameters as the display name writes them), hashed as if they were
/// one, without copying them together.
struct NameHash {
    private let seeds: (UInt64, UInt64, UInt64)

    /// The seeds of every table in this process: random, as `Hasher`'s seed is.
    private static let processSeeds = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))

    init() {
        seeds = Self.processSeeds
    }

    /// The hash of `head` followed by `tail`: equal byte sequences, however cut in two, hash alike.
    func hash(_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) -> UInt64 {
        let count = head.count + tail.count
        // The byte at `offset` of the two runs put together, for the word across their seam and short names.
        func byte(_ offset: Int) -> UInt64 {
            UInt64(offset < head.count ? head[offset] : tail[offset - head.count])
        }
        // The eight bytes from `offset`, little-endian: most lie in one run, and are loaded at once.
        func word(_ offset: Int) -> UInt64 {
            if offset + 8 <= head.count { return UInt64(littleEndian: head.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            if offset >= head.count { return UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: offset - head.count, as: UInt64.self)) }
            // Across the seam (a name's last bytes and its parameters' first, on every name that has
            // them): the head's last eight bytes moved down and the tail's first eight moved up, each
            // with its bytes of the word, where both runs hold eight.
            let fromHead = head.count - offset
            if head.count >= 8, tail.count >= 8 {
                let ending = UInt64(littleEndian: head.loadUnaligned(fromByteOffset: head.count - 8, as: UInt64.self))
                let starting = UInt64(littleEndian: tail.loadUnaligned(as: UInt64.self))
                return ending >> (8 * UInt64(8 - fromHead)) | starting << (8 * UInt64(fromHead))
            }
            return (0..<8).reduce(0) { $0 | byte(offset + $1) << (8 * UInt64($1)) }
        }
        var state = seeds.0 ^ UInt64(truncatingIfNeeded: count)
        var offset = 0
        while count - offset > 16 {
            state = Self.fold(word(offset) ^ seeds.1, word(offset + 8) ^ state)
            offset += 16
        }
        // The last 16 bytes, which may overlap those folded before (the length is in the state, so
        // equal lengths read the same bytes), or a shorter name's every byte.
        let first: UInt64, second: UInt64
        if count >= 16 {
            (first, second) = (word(count - 16), word(count - 8))
        } else if count >= 8 {
            (first, second) = (word(0), word(count - 8))
        } else {
            (first, second) = ((0..<count).reduce(0) { $0 | byte($1) << (8 * UInt64($1)) }, 0)
        }
        state = Self.fold(first ^ seeds.2, second ^ state)
        // Spread into the high half too: ``HashPlaces`` picks a slot and a fingerprint from it.
        return Self.fold(state ^ seeds.1, 0x2d35_8dcc_aa6c_78a5)
    }

    /// The 128-bit product's two halves, exclusive-or'ed: every bit of each factor moves many of the result's.
    private static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: y)
        return product.high ^ product.low
    }
}
