/// The series met so far, by display name (``BenchmarkResult/displayName``), for duplicate checks.
///
/// A large file holds up to 100,000 series: building each one's display name as a `String` and
/// keeping it in a `Set` was most of a text parser's time (allocating, hashing, comparing and
/// freeing 100,000 strings). This keeps a hash of each display name's bytes instead, copied
/// from its parts into one reused buffer, and builds names only when two hashes meet, to
/// tell a real duplicate from a hash collision. Equal display names always have equal hashes,
/// so no duplicate goes unseen; a collision costs two built names, never a wrong answer.
struct SeriesNames {
    /// The place, in insertion order, of the first series of each hash.
    private var first: HashPlaces
    /// Each inserted series' tag (a line number, an index), at its place.
    private var tags: [Int] = []
    /// The display names of series whose hash an earlier, differently named series had, and their places.
    private var collided: [String: Int] = [:]
    private var lastParameters: (parameters: [String: String], bytes: [UInt8]) = ([:], [])
    /// The display name being checked, as bytes.
    private var name: [UInt8] = []

    init(capacity: Int = 0) {
        first = HashPlaces(capacity: capacity)
        tags.reserveCapacity(capacity)
    }

    /// Records a series named as `result` is, with `tag`; returns the tag of an earlier series of
    /// the same display name, or `nil` when the name is new. `inserted` holds the series recorded
    /// before, in order (the caller's results: the names are built from them only on a hash match).
    mutating func insert<Results: RandomAccessCollection<BenchmarkResult>>(_ result: borrowing BenchmarkResult, tag: Int, inserted: Results) -> Int?
    where Results.Index == Int {
        insert(benchmark: result.benchmark, parameters: result.parameters, tag: tag, inserted: inserted)
    }

    /// ``insert(_:tag:inserted:)`` for a series not built yet: a reader checks the name before it
    /// builds the result, rather than building it, copying it in and copying it out again.
    mutating func insert<Results: RandomAccessCollection<BenchmarkResult>>(benchmark: String, parameters: [String: String], tag: Int,
                                                                           inserted: Results) -> Int? where Results.Index == Int {
        // The display name's bytes in one buffer, reused, hashed in one call: a byte at a time cost more than the rest of the check.
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: benchmark.utf8)
        if !parameters.isEmpty { appendParameters(parameters) }
        var hasher = Hasher()
        name.withUnsafeBytes { hasher.combine(bytes: $0) }
        let place = tags.count
        guard let earlier = first.insert(fingerprint: UInt32(truncatingIfNeeded: hasher.finalize()), place: place) else {
            tags.append(tag)
            return nil
        }
        let name = Self.displayName(benchmark, parameters)
        if inserted[earlier].displayName == name { return tags[earlier] }
        if let again = collided[name] { return tags[again] }
        collided[name] = place
        tags.append(tag)
        return nil
    }

    /// Appends `[key=value,…]` as ``BenchmarkResult/displayName`` writes it, kept for the last
    /// parameters met: a reader gives every series of a binary or a benchmark one dictionary, so
    /// most series reuse the bytes instead of sorting and walking the dictionary again.
    private mutating func appendParameters(_ parameters: [String: String]) {
        // `==` answers at once for the same storage, as the series of one binary share; for two
        // dictionaries of several entries each it looks keys up, which costs more than it saves.
        if parameters.count > 1 || lastParameters.parameters != parameters {
            lastParameters = (parameters, Array(Self.displayName("", parameters).utf8))
        }
        name.append(contentsOf: lastParameters.bytes)
    }

    private static func displayName(_ benchmark: String, _ parameters: [String: String]) -> String {
        BenchmarkResult(benchmark: benchmark, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName
    }
}

/// The places of the series met, by hash: open addressing in one flat array of 8-byte slots
/// (a 32-bit fingerprint, which also picks the slot, beside the place), at most three quarters
/// full. A large file's table then fits in a megabyte: each probe is one cache line, and most
/// of them hit. The fingerprint is the name's bytes hashed by `Hasher`, seeded per process: names
/// made to crowd one stretch of an unseeded hash's table would make a hostile file's check quadratic. A fingerprint is only a hint; ``SeriesNames`` compares names on a match.
private struct HashPlaces {
    /// Each slot's fingerprint and place + 1; a place of 0 is an empty slot.
    private var slots: [(fingerprint: UInt32, place: UInt32)]
    private var count = 0

    init(capacity: Int) {
        var size = 1024
        while size * 3 < capacity * 4 { size *= 2 }
        slots = Array(repeating: (0, 0), count: size)
    }

    /// Adds `fingerprint` with `place`; returns the place stored with an equal fingerprint before,
    /// leaving that one, when there is one.
    mutating func insert(fingerprint: UInt32, place: Int) -> Int? {
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
