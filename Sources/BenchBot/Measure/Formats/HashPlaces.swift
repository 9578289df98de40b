/// Places (indices in their owner's arrays) by a hash of what is stored there: open addressing in
/// one flat array of 8-byte slots (a 32-bit fingerprint of the hash, which also picks the slot,
/// beside the place), at most three quarters full. A large file's table then fits in a megabyte:
/// each probe is one cache line, and most of them hit. The hash is keyed per process
/// (``NameHash``): names made to crowd one stretch of an unkeyed hash's table would make a hostile
/// file's reading quadratic. A fingerprint is only a hint: the owner tells whether the entry it
/// leads to is the one looked for.
struct HashPlaces {
    /// Each slot's fingerprint and place + 1; a place of 0 is an empty slot.
    private var slots: [(fingerprint: UInt32, place: UInt32)]
    private var count = 0

    init(capacity: Int) {
        var size = 1024
        while size * 3 < capacity * 4 { size *= 2 }
        slots = Array(repeating: (0, 0), count: size)
    }

    /// The place of an entry of `hash` that `isMatch` accepts (asked only of entries whose
    /// fingerprint matches); when there is none, stores `place` for `hash` and returns `nil`.
    mutating func first(hash: UInt64, orInsert place: Int, where isMatch: (Int) -> Bool) -> Int? {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let fingerprint = UInt32(truncatingIfNeeded: hash ^ hash >> 32)
        let mask = slots.count - 1
        var slot = Int(fingerprint) & mask
        while slots[slot].place != 0 {
            if slots[slot].fingerprint == fingerprint, isMatch(Int(slots[slot].place) - 1) { return Int(slots[slot].place) - 1 }
            slot = (slot + 1) & mask
        }
        slots[slot] = (fingerprint, UInt32(place + 1))
        count += 1
        return nil
    }

    private mutating func grow() {
        let old = slots.filter { $0.place != 0 }
        self = HashPlaces(capacity: slots.count)
        // Every entry is stored again, in its first free slot: none matches another.
        let mask = slots.count - 1
        for entry in old {
            var slot = Int(entry.fingerprint) & mask
            while slots[slot].place != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
        count = old.count
    }
}
