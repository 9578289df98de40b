/// The series of a `go test` output, keyed by package, printed name and unit, in the order first printed.
///
/// A large output prints tens of thousands of benchmarks, each `-count` times. Each benchmark as
/// printed in its package is a place in ``printed``, found by a keyed hash of its name's bytes in
/// a flat table (``HashPlaces``), and each of its series a place in the series' arrays: a result
/// line costs a probe and a few appends, not lookups in dictionaries keyed by strings (hashing
/// names by Unicode's rules, and growing those dictionaries, were most of reading a large file).
struct GoTestSeries {
    /// A benchmark as printed in its package, with or without its procs suffix, and its series,
    /// one a unit, in the order printed. Names are told apart by their bytes, as `testing` prints them.
    struct Printed {
        var package: String?
        /// The package's place in ``packages``: packages are compared as strings once, when a line's package changes.
        var packageID: Int
        var name: Substring
        /// Whether the name is ASCII: two places' names can then be equal as text only if neither is.
        var isASCII: Bool
        var series: [Int] = []
    }

    private(set) var printed: [Printed] = []
    /// Each series' benchmark (its place in ``printed``), unit (its place in ``units``) and samples,
    /// in the order first printed.
    private(set) var benchmarkOf: [Int] = []
    private(set) var unitOf: [Int] = []
    private(set) var samples: [[Double]] = []
    /// Each unit met, as printed and as bytes: a file prints a handful, and a line's units are
    /// compared with its benchmark's as bytes, without cutting them out of the text.
    private(set) var units: [Substring] = []
    private var unitBytes: [[UInt8]] = []
    private var unitIsASCII: [Bool] = []
    private var unitPlaces: [[UInt8]: Int] = [:]
    /// The places in ``printed``, by a hash of the name's bytes and the package's place.
    private var places = HashPlaces(capacity: 0)
    private let hash = NameHash()
    /// Each package met, by name, as a place; the last one met, looked up by a comparison.
    private var packages: [String?: Int] = [:]
    private var lastPackage: (package: String?, id: Int)?
    /// The benchmark of the last result line, and its name's bytes: `-count` prints a benchmark's
    /// repetitions one after another.
    private var last: Int?
    private var lastName: [UInt8] = []
    /// The units of the last line's benchmark's series, in order, one after another, and where each ends.
    private var lastUnits: [UInt8] = []
    private var lastUnitEnds: [Int] = []
    /// How many samples the last benchmark left behind had: `-count` gives every benchmark of a run
    /// as many, so a new series is made with room for them rather than grown twice on the way.
    private var samplesPerSeries = 4
    /// Each package's procs suffixes (`-8`), for a `--- FAIL` that `testing` printed without one,
    /// and the last one added, which most new benchmarks of a package repeat.
    private(set) var procs: [String: Set<Substring>] = [:]
    private var lastProcs: (package: String?, procs: Substring)?

    /// Adds a result line's samples, each value with its unit, of the benchmark `name` as printed.
    mutating func add(package: String?, name: Substring, values: [(value: Double, unit: Substring)]) {
        let place = TextBytes.withBytes(of: name) { benchmark(package: package, name: $0[...], printed: { name }) }
        for (value, unit) in values {
            TextBytes.withBytes(of: unit) { bytes in addSample(value, unit: bytes[...], named: unit, of: place) }
        }
        rememberUnits(of: place)
    }

    /// ``add(package:name:values:)`` of a line read from its bytes: `name` and each pair's unit lie
    /// in `bytes`, the UTF-8 of `text`, and are cut out of `text` only for a benchmark or unit met
    /// for the first time.
    mutating func add(package: String?, name: Range<Int>, _ pairs: [(value: Double, unit: Range<Int>)],
                      in bytes: UnsafeBufferPointer<UInt8>, text: String) {
        let previous = last
        let place = benchmark(package: package, name: bytes[name], printed: { text.utf8Slice(name) })
        // A new benchmark that prints the units of the one before it, in the same order (nearly every
        // one does): its series take those units' places, none looked up, and the units kept stay.
        if let previous, previous != place, printed[place].series.isEmpty, unitsRepeatLast(pairs, in: bytes) {
            for index in pairs.indices { newSeries(pairs[index].value, unit: unitOf[printed[previous].series[index]], of: place) }
            return
        }
        for pair in pairs { addSample(pair.value, unit: bytes[pair.unit], named: text.utf8Slice(pair.unit), of: place) }
        rememberUnits(of: place)
    }

    /// Appends a line's samples when it repeats the last line's benchmark, in the package whose
    /// place is `packageID` (``id(of:)``), with the same units in the same order, as `-count` prints
    /// them, and returns `true`; returns `false`, having changed nothing, for any other line.
    ///
    /// Most lines of a large output are such repeats. This looks only at bytes and places: taking
    /// a package's text or a benchmark's series out of their arrays cost a retain and a release each.
    mutating func appendRepeat(packageID: Int, name: Range<Int>, _ pairs: [(value: Double, unit: Range<Int>)],
                               in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last, printed[last].packageID == packageID, lastUnitEnds.count == pairs.count,
              lastName.withUnsafeBufferPointer({ TextBytes.equal(bytes[name], $0) }), unitsRepeatLast(pairs, in: bytes) else { return false }
        for index in pairs.indices { samples[printed[last].series[index]].append(pairs[index].value) }
        return true
    }

    /// Whether the pairs' units are, byte for byte and in order, those of the last line's benchmark's series.
    private func unitsRepeatLast(_ pairs: [(value: Double, unit: Range<Int>)], in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lastUnitEnds.count == pairs.count else { return false }
        return lastUnits.withUnsafeBufferPointer { units in
            var start = 0
            for index in pairs.indices {
                let end = lastUnitEnds[index]
                guard TextBytes.equal(bytes[pairs[index].unit], UnsafeBufferPointer(rebasing: units[start..<end])) else { return false }
                start = end
            }
            return true
        }
    }

    /// The samples of the series at `place`, moved out: a copy for its result retained them, and
    /// released them again when the series went.
    mutating func takeSamples(of place: Int) -> [Double] {
        var taken: [Double] = []
        swap(&taken, &samples[place])
        return taken
    }

    /// Keeps the units of `place`'s series, in order, as the bytes a repeat of it must print (``appendRepeat(packageID:name:_:in:)``).
    private mutating func rememberUnits(of place: Int) {
        lastUnits.removeAll(keepingCapacity: true)
        lastUnitEnds.removeAll(keepingCapacity: true)
        for series in printed[place].series {
            lastUnits.append(contentsOf: unitBytes[unitOf[series]])
            lastUnitEnds.append(lastUnits.count)
        }
    }

    /// Whether the series' unit is `bytes`.
    private func hasUnit(_ series: Int, _ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        unitBytes[unitOf[series]].withUnsafeBufferPointer { TextBytes.equal(bytes, $0) }
    }

    /// Adds a sample to the benchmark's series of `unit` (`bytes`, `named` as text): the series whose
    /// unit has the same bytes, if any; else the first whose unit is equal as text (`==`, as the
    /// units of a benchmark were always told apart); else a new series.
    private mutating func addSample(_ value: Double, unit bytes: Slice<UnsafeBufferPointer<UInt8>>, named unit: @autoclosure () -> Substring,
                                    of benchmark: Int) {
        // Text of two units is compared only where one is not ASCII: two ASCII texts are equal only byte for byte.
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        if let place = printed[benchmark].series.first(where: { hasUnit($0, bytes) })
            ?? printed[benchmark].series.first(where: { !(isASCII && unitIsASCII[unitOf[$0]]) && units[unitOf[$0]] == unit() }) {
            samples[place].append(value)
            return
        }
        newSeries(value, unit: place(ofUnit: bytes, named: unit(), isASCII: isASCII), of: benchmark)
    }

    /// Adds a series of the benchmark, in the unit at `unit` in ``units``, with its first sample.
    private mutating func newSeries(_ value: Double, unit: Int, of benchmark: Int) {
        printed[benchmark].series.append(samples.count)
        benchmarkOf.append(benchmark)
        unitOf.append(unit)
        samples.append(Array(unsafeUninitializedCapacity: samplesPerSeries) { buffer, count in
            buffer.initializeElement(at: 0, to: value)
            count = 1
        })
    }

    /// The place of the unit printed as `bytes` in ``units``, added if it is new.
    private mutating func place(ofUnit bytes: Slice<UnsafeBufferPointer<UInt8>>, named unit: @autoclosure () -> Substring, isASCII: Bool) -> Int {
        // The first few are looked at in turn: most files print no more (`ns/op`, `B/op`, `allocs/op`, `MB/s`).
        if let place = unitBytes.prefix(8).firstIndex(where: { $0.withUnsafeBufferPointer { TextBytes.equal(bytes, $0) } }) { return place }
        let key = Array(bytes)
        if let place = unitPlaces[key] { return place }
        unitPlaces[key] = units.count
        unitBytes.append(key)
        unitIsASCII.append(isASCII)
        units.append(unit())
        return units.count - 1
    }

    /// The place of the benchmark printed as `name` in `package`, added (from `printed()`, its
    /// text) if it is new.
    private mutating func benchmark(package: String?, name: Slice<UnsafeBufferPointer<UInt8>>, printed text: () -> Substring) -> Int {
        let packageID = id(of: package)
        let hashed = withUnsafeBytes(of: packageID) { hash.hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: name)), $0) }
        // A new benchmark's place is the next one in ``printed``, as it is the next in ``places``.
        let place = places.first(hash: hashed, where: { [printed] place in
            printed[place].packageID == packageID && TextBytes.equal(printed[place].name, name)
        }) ?? printed.count
        if place == printed.count {
            let text = text()
            // Room for the usual units (`ns/op`, `B/op`, `allocs/op`, `MB/s`): one array, not one grown.
            var series: [Int] = []
            series.reserveCapacity(4)
            printed.append(Printed(package: package, packageID: packageID, name: text,
                                   isASCII: TextBytes.isASCII(UnsafeBufferPointer(rebasing: name)), series: series))
            recordProcs(of: text, in: package)
        }
        if place != last {
            if let last, let first = printed[last].series.first { samplesPerSeries = min(max(samples[first].count, 4), 1024) }
            last = place
            lastName.removeAll(keepingCapacity: true)
            lastName.append(contentsOf: name)
        }
        return place
    }

    /// The place of `package` among the packages met, added if it is new.
    mutating func id(of package: String?) -> Int {
        if let lastPackage, lastPackage.package == package { return lastPackage.id }
        let id = packages[package] ?? packages.count
        packages[package] = id
        lastPackage = (package, id)
        return id
    }

    /// Keeps a new benchmark's procs suffix (`-8`), if its name ends in one.
    private mutating func recordProcs(of name: Substring, in package: String?) {
        guard let dash = name.utf8.lastIndex(of: UInt8(ascii: "-")) else { return }
        let suffix = name[name.utf8.index(after: dash)...]
        if let lastProcs, lastProcs.package == package, lastProcs.procs.utf8.elementsEqual(suffix.utf8) { return }
        guard Int(suffix) != nil else { return }
        procs[package ?? "", default: []].insert(suffix)
        lastProcs = (package, suffix)
    }
}
