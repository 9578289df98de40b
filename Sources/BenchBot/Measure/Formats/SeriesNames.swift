/// The series met so far, by display name (``BenchmarkResult/displayName``), for duplicate checks.
///
/// A large file holds up to 100,000 series: building each one's display name as a `String` and
/// keeping it in a `Set` was most of a text parser's time (allocating, hashing, comparing and
/// freeing 100,000 strings). This keeps a hash of each display name's bytes instead, hashed
/// from its parts without building it, and builds names only when two hashes meet, to
/// tell a real duplicate from a hash collision. Equal display names always have equal hashes,
/// so no duplicate goes unseen; a collision costs two built names, never a wrong answer.
struct SeriesNames {
    /// The place, in insertion order, of the first series of each hash.
    private var first: HashPlaces
    /// Each inserted series' tag (a line number, an index), at its place.
    private var tags: [Int] = []
    /// The display names of series whose hash an earlier, differently named series had, and their places.
    private var collided: [String: Int] = [:]

    init(capacity: Int = 0) {
        first = HashPlaces(capacity: capacity)
        tags.reserveCapacity(capacity)
    }

    /// Records a series named as `result` is, with `tag`; returns the tag of an earlier series of
    /// the same display name, or `nil` when the name is new. `inserted` holds the series recorded
    /// before, in order (the caller's results: the names are built from them only on a hash match).
    mutating func insert(_ result: BenchmarkResult, tag: Int, inserted: [BenchmarkResult]) -> Int? {
        let hash = Self.hash(benchmark: result.benchmark, parameters: result.parameters)
        let place = tags.count
        guard let earlier = first.insert(hash, place: place) else {
            tags.append(tag)
            return nil
        }
        let name = result.displayName
        if inserted[earlier].displayName == name { return tags[earlier] }
        if let again = collided[name] { return tags[again] }
        collided[name] = place
        tags.append(tag)
        return nil
    }

    private static func displayName(_ benchmark: String, _ parameters: [String: String]) -> String {
        BenchmarkResult(benchmark: benchmark, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName
    }

    /// FNV-1a over the display name's UTF-8 bytes, fed in the order ``BenchmarkResult/displayName``
    /// writes them: the same bytes give the same hash however the name is cut into parts.
    static func hash(benchmark: String, parameters: [String: String]) -> UInt64 {
        var hash = DisplayNameHash()
        hash.add(benchmark)
        guard !parameters.isEmpty else { return hash.value }
        hash.add(byte: UInt8(ascii: "["))
        if parameters.count == 1, let only = parameters.first {
            hash.add(only.key)
            hash.add(byte: UInt8(ascii: "="))
            hash.add(only.value)
        } else {
            for (index, parameter) in parameters.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { hash.add(byte: UInt8(ascii: ",")) }
                hash.add(parameter.key)
                hash.add(byte: UInt8(ascii: "="))
                hash.add(parameter.value)
            }
        }
        hash.add(byte: UInt8(ascii: "]"))
        return hash.value
    }
}

/// 64-bit FNV-1a, fed a byte stream in pieces.
private struct DisplayNameHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    mutating func add(_ text: String) {
        // A native string's bytes are contiguous: read in place, without a copy.
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { add(byte: byte) }
        }
        if done == nil {
            for byte in text.utf8 { add(byte: byte) }
        }
    }
}

/// The places of the series met, by hash: open addressing in one flat array of 8-byte slots
/// (a 32-bit fingerprint, which also picks the slot, beside the place), at most three quarters
/// full. A large file's table then fits in a megabyte: each probe is one cache line, and most
/// of them hit. The fingerprint is the FNV hash hashed again by `Hasher`, seeded per process: FNV
/// collisions are easy to make, and names made to crowd one stretch of the table would make a
/// hostile file's check quadratic. A fingerprint is only a hint; ``SeriesNames`` compares names on a match.
private struct HashPlaces {
    /// Each slot's fingerprint and place + 1; a place of 0 is an empty slot.
    private var slots: [(fingerprint: UInt32, place: UInt32)]
    private var count = 0

    init(capacity: Int) {
        var size = 1024
        while size * 3 < capacity * 4 { size *= 2 }
        slots = Array(repeating: (0, 0), count: size)
    }

    /// Adds `hash` with `place`; returns the place stored with an equal fingerprint before,
    /// leaving that one, when there is one.
    mutating func insert(_ hash: UInt64, place: Int) -> Int? {
        var hasher = Hasher()
        hasher.combine(hash)
        return insert(fingerprint: UInt32(truncatingIfNeeded: hasher.finalize()), place: place)
    }

    private mutating func insert(fingerprint: UInt32, place: Int) -> Int? {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var slot = Int(fingerprint) & mask
        while slots[slot].place != 0 {
            if slots[slot].fingerprint == fingerprint { return Int(slots[slot].place) - 1 }
            slot = (slot + 1) & mask
        }
        slots[slot] = (fingerprint, UInt32(place + 1))
        count += 1
        return nil
    }

    private mutating func grow() {
        let old = slots.filter { $0.place != 0 }
        self = HashPlaces(capacity: slots.count)
        for slot in old { _ = insert(fingerprint: slot.fingerprint, place: Int(slot.place) - 1) }
    }
}
