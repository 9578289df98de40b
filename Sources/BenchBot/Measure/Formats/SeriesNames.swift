import Foundation

/// The series met so far, by display name (``BenchmarkResult/displayName``), for duplicate checks.
///
/// A large file holds up to 100,000 series: building each one's display name as a `String` and
/// keeping it in a `Set` was most of a text parser's time (allocating, hashing, comparing and
/// freeing 100,000 strings). This keeps a hash of each display name's bytes instead, hashed
/// from its parts where they lie (the benchmark's bytes, then its parameters' bytes, kept from
/// the series before), and builds names only when two hashes meet, to tell a real duplicate
/// from a hash collision. Equal display names always have equal hashes, so no duplicate goes
/// unseen; a collision costs two built names, never a wrong answer.
///
/// Names are equal as Swift's `String`s are, by Unicode's canonical equivalence: `café` written
/// with `é` or with `e` and a combining accent is one name to every dictionary after import, so
/// it must be one name here too. A name with a byte outside ASCII is hashed in its composed form
/// (NFC); an ASCII name is its own composed form.
struct SeriesNames {
    /// The place, in insertion order, of each display name met.
    private var first: HashPlaces
    /// Each inserted series' tag (a line number, an index), at its place.
    private var tags: [Int] = []
    /// Parameters, and their part of the display name (`[key=value,…]`) as bytes.
    private struct KeptParameters {
        var parameters: [String: String] = [:]
        var bytes: [UInt8] = []
        var isASCII = true
        var composed: [UInt8] = []
    }

    /// The last parameters met.
    private var lastParameters = KeptParameters()
    /// Parameters met before the last, in slots chosen by their storage: a reader that shares one
    /// dictionary among benchmarks whose names end alike (go test's `/size=1024-8` under many
    /// functions) comes back to it after others, often hundreds later. Each slot holds its
    /// dictionary, so that its storage is not freed, and its address taken by another dictionary,
    /// while it is kept here. Made when a second dictionary is met: most files give one.
    private var recent: [KeptParameters?] = []
    /// Whether ``recent`` finds enough to pay for keeping it: a file whose dictionaries are never met
    /// again made each series a third slower with it.
    private var slotsPay = ReuseGate()
    private let hash = NameHash()

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
        if !parameters.isEmpty { keepParameters(parameters) }
        let plain = parameters.isEmpty || lastParameters.isASCII
        let hashed = lastParameters.bytes.withUnsafeBytes { kept in
            let suffix = parameters.isEmpty ? UnsafeRawBufferPointer(start: nil, count: 0) : kept
            return TextBytes.withBytes(of: benchmark) { bytes in
                plain && TextBytes.isASCII(bytes) ? hash.hash(UnsafeRawBufferPointer(bytes), suffix) : nil
            }
        } ?? composedHash(benchmark, withParameters: !parameters.isEmpty)
        // The name is built only when a fingerprint matches, to tell a duplicate from a collision.
        var name: String?
        let earlier = first.first(hash: hashed) { earlier in
            if name == nil { name = Self.displayName(benchmark, parameters) }
            return inserted[earlier].displayName == name
        }
        if let earlier { return tags[earlier] }
        tags.append(tag)
        return nil
    }

    /// The hash of the display name's composed form (NFC), from the benchmark and, when it has
    /// any, the parameters kept last. `[` starts them and composes with nothing before it, so the
    /// two parts are composed apart.
    ///
    /// Foundation composes, by its own Unicode tables; `==` goes by the standard library's. Should
    /// those be of different Unicode versions, names in scripts encoded between them could compose
    /// differently, and such a duplicate go unseen.
    private func composedHash(_ benchmark: String, withParameters: Bool) -> UInt64 {
        let name = Array(benchmark.precomposedStringWithCanonicalMapping.utf8)
        let parameters = !withParameters ? [] : lastParameters.isASCII ? lastParameters.bytes : lastParameters.composed
        return name.withUnsafeBytes { name in parameters.withUnsafeBytes { hash.hash(name, $0) } }
    }

    /// Keeps `[key=value,…]` as ``BenchmarkResult/displayName`` writes it, for the last parameters
    /// met: a reader gives every series of a binary or a benchmark one dictionary, so most series
    /// reuse the bytes instead of sorting and walking the dictionary again.
    private mutating func keepParameters(_ parameters: [String: String]) {
        // One shared dictionary is told at once; for two of several entries each, `==` looks keys
        // up, which costs more than building the bytes again.
        guard !parameters.sharesStorage(with: lastParameters.parameters),
              parameters.count > 1 || lastParameters.parameters != parameters else { return }
        // `[key=value,…]` as ``BenchmarkResult/displayName`` writes it, keys in order, written as
        // bytes into the storage of the parameters the last one put out of their slot (or the last
        // one's own). A few entries are put in order by their indices in the dictionary, on the
        // stack: sorting copies of them allocated, and retained every value.
        if slotsPay.isOpen, !lastParameters.parameters.isEmpty {
            if recent.isEmpty { recent = Array(repeating: nil, count: 1 << Self.slotBits) }
            let slot = Self.slot(of: parameters)
            let found = recent[slot]?.parameters.sharesStorage(with: parameters) == true
            slotsPay.record(found: found)
            if found {
                var kept: KeptParameters? = nil
                swap(&kept, &recent[slot])
                _ = keepLast()
                lastParameters = kept!
                return
            }
            lastParameters = KeptParameters(parameters: parameters, bytes: keepLast())
        } else {
            if !slotsPay.isOpen, !recent.isEmpty { recent = [] }
            lastParameters.parameters = parameters
        }
        defer {
            lastParameters.isASCII = lastParameters.bytes.withUnsafeBufferPointer(TextBytes.isASCII)
            // Composed once for all the series that share these parameters.
            lastParameters.composed = lastParameters.isASCII ? []
                : Array(String(decoding: lastParameters.bytes, as: UTF8.self).precomposedStringWithCanonicalMapping.utf8)
        }
        lastParameters.bytes.removeAll(keepingCapacity: true)
        lastParameters.bytes.append(UInt8(ascii: "["))
        func append(_ text: String) {
            // Through `withUTF8`, not `append(contentsOf: text.utf8)`: that walks a short string's bytes one at a time.
            var text = text
            text.withUTF8 { lastParameters.bytes.append(contentsOf: $0) }
        }
        func write(_ index: Dictionary<String, String>.Index, first: Bool) {
            if !first { lastParameters.bytes.append(UInt8(ascii: ",")) }
            append(parameters.keys[index])
            lastParameters.bytes.append(UInt8(ascii: "="))
            append(parameters.values[index])
        }
        guard parameters.count <= 8 else {
            for (place, index) in parameters.indices.sorted(by: { parameters.keys[$0] < parameters.keys[$1] }).enumerated() {
                write(index, first: place == 0)
            }
            lastParameters.bytes.append(UInt8(ascii: "]"))
            return
        }
        withUnsafeTemporaryAllocation(of: Dictionary<String, String>.Index.self, capacity: parameters.count) { order in
            var count = 0
            for index in parameters.indices {
                order.initializeElement(at: count, to: index)
                count += 1
            }
            // Insertion sort of at most eight indices, each key read at its index.
            for next in 1..<max(count, 1) {
                let moving = order[next]
                var place = next
                while place > 0, parameters.keys[moving] < parameters.keys[order[place - 1]] {
                    order[place] = order[place - 1]
                    place -= 1
                }
                order[place] = moving
            }
            for place in 0..<count { write(order[place], first: place == 0) }
            _ = order.extracting(0..<count).deinitialize()
        }
        lastParameters.bytes.append(UInt8(ascii: "]"))
    }

    /// Puts the last parameters in their slot of ``recent``, and returns the bytes' storage of
    /// those they put out, to be written over: a file whose dictionaries are never met again
    /// allocates no more than it did without the slots.
    private mutating func keepLast() -> [UInt8] {
        var last = KeptParameters()
        swap(&last, &lastParameters)
        guard !last.parameters.isEmpty else { return last.bytes }
        var out: KeptParameters? = last
        swap(&out, &recent[Self.slot(of: last.parameters)])
        guard var out else { return [] }
        var bytes: [UInt8] = []
        swap(&bytes, &out.bytes)
        return bytes
    }

    /// 4,096 slots, 128 KB: a few hundred dictionaries in turn mostly keep their own.
    static let slotBits: UInt64 = 12

    private static func slot(of parameters: [String: String]) -> Int {
        parameters.storageSlot(bits: slotBits)
    }

    private static func displayName(_ benchmark: String, _ parameters: [String: String]) -> String {
        BenchmarkResult(benchmark: benchmark, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName
    }
}

extension Dictionary<String, String> {
    /// Whether both are one dictionary's storage, shared by copies of it, so equal without a look at
    /// their entries. A dictionary is one reference to its storage, compared here as bits: `==` checks
    /// this too, but goes on to look every key up when it fails, which is most of its cost.
    func sharesStorage(with other: [String: String]) -> Bool {
        unsafeBitCast(self, to: UInt.self) == unsafeBitCast(other, to: UInt.self)
    }

    /// One of `1 << bits` slots for the dictionary's storage: its address, mixed by MurmurHash3's
    /// finalizer. Dictionaries made one after another lie at a fixed stride, and a single multiply
    /// (Fibonacci hashing) put half of go test's 512 `n=` dictionaries, 576 bytes apart, in slots
    /// of others. A table of such slots must hold each dictionary it keeps, so that the storage is
    /// not freed and its address taken by another.
    func storageSlot(bits: UInt64) -> Int {
        var mixed = UInt64(unsafeBitCast(self, to: UInt.self))
        mixed = (mixed ^ (mixed >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        mixed = (mixed ^ (mixed >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return Int(truncatingIfNeeded: (mixed ^ (mixed >> 33)) >> (64 - bits))
    }
}
