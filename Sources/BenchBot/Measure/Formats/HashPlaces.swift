/// Places (indices in their owner's arrays, given out in order: 0, 1, 2, …) by a hash of what is
/// stored there: open addressing in one flat array of 4-byte slots, at most four fifths full.
///
/// A slot holds its entry's place + 1 in its low bits, as many as pick the slot (a table of 2^k
/// slots holds fewer than 2^k entries, so a place fits in k bits), and the hash's other bits above
/// them as a fingerprint. A large file's table (100,000 series) is then half a megabyte, not one:
/// the first probe of each name, which nearly always misses the cache, misses it less often, as
/// more of the table stays in L2 beside the results being built. Each entry's 32 bits of hash are
/// also kept by place, read only to store them again when the table grows. The hash is keyed per
/// process (``NameHash``): names made to crowd one stretch of an unkeyed hash's table would make
/// a hostile file's reading quadratic. A fingerprint is only a hint: the owner tells whether the
/// entry it leads to is the one looked for.
struct HashPlaces {
    /// Each slot's fingerprint (the bits above ``mask``) and place + 1 (those under it); 0 is empty.
    private var slots: [UInt32]
    /// Each entry's hash, by place.
    private var hashes: [UInt32] = []
    private var mask: UInt32

    init(capacity: Int) {
        var size = 1024
        // Four fifths, not three quarters: 100,000 entries (the most series a file may hold) then fit
        // in 131,072 slots, half a megabyte, not twice that, and the probes past the first are
        // mostly in the cache line it brought in.
        while size * 4 < capacity * 5 { size *= 2 }
        slots = Array(repeating: 0, count: size)
        mask = UInt32(size - 1)
        hashes.reserveCapacity(capacity)
    }

    /// How many entries are stored: the place the next one gets.
    var count: Int { hashes.count }

    /// The place of an entry of `hash` that `isMatch` accepts (asked only of entries whose
    /// fingerprint matches); when there is none, stores the next place (``count``) for `hash` and
    /// returns `nil`.
    mutating func first(hash: UInt64, where isMatch: (Int) -> Bool) -> Int? {
        if (hashes.count + 1) * 5 > (Int(mask) + 1) * 4 { grow() }
        let hashed = UInt32(truncatingIfNeeded: hash >> 32)
        let fingerprint = hashed & ~mask
        var slot = Int(hashed & mask)
        while slots[slot] != 0 {
            let entry = slots[slot]
            if entry & ~mask == fingerprint, isMatch(Int(entry & mask) - 1) { return Int(entry & mask) - 1 }
            slot = (slot + 1) & Int(mask)
        }
        slots[slot] = fingerprint | UInt32(hashes.count + 1)
        hashes.append(hashed)
        return nil
    }

    private mutating func grow() {
        let size = (Int(mask) + 1) * 2
        mask = UInt32(size - 1)
        slots = Array(repeating: 0, count: size)
        // Every entry is stored again, in its first free slot: none matches another.
        for (place, hashed) in hashes.enumerated() {
            var slot = Int(hashed & mask)
            while slots[slot] != 0 { slot = (slot + 1) & Int(mask) }
            slots[slot] = hashed & ~mask | UInt32(place + 1)
        }
    }
}
