import Compare

/// A reader's results, each built where it is stored, handed over as an array at the end.
///
/// `results.append(BenchmarkResult(…))` built each result on the stack and copied it into the
/// array, retaining every field of the copy and releasing every field of the original: a fifth
/// of reading a large `cargo bench` output. The optimizer keeps that copy however the result is
/// built (an initializer's `self`, a value moved or consumed in), so this stores each field in its
/// place in the buffer, where the offsets `MemoryLayout` gives put them, and hands the array over
/// with one move of the whole buffer. The readers check names before they build a result
/// (``SeriesNames``), so nothing is built twice.
///
/// A value that refers to its storage: copies of it share the results (a reader keeps one).
struct ResultBuffer {
    /// The results so far, as many as the header says, destroyed with it.
    private final class Storage: ManagedBuffer<Int, BenchmarkResult> {
        static func make(capacity: Int) -> Storage {
            unsafeDowncast(Storage.create(minimumCapacity: capacity) { _ in 0 }, to: Storage.self)
        }

        deinit {
            _ = withUnsafeMutablePointers { count, results in results.deinitialize(count: count.pointee) }
        }
    }

    private var storage: Storage
    /// How many results `storage` has room for: `ManagedBuffer.capacity` asks the allocator each time.
    private var capacity: Int

    /// Where each stored property of ``BenchmarkResult`` lies: a result is stored field by field.
    private static let offsets = (benchmark: MemoryLayout<BenchmarkResult>.offset(of: \.benchmark)!,
                                  parameters: MemoryLayout<BenchmarkResult>.offset(of: \.parameters)!,
                                  unit: MemoryLayout<BenchmarkResult>.offset(of: \.unit)!,
                                  direction: MemoryLayout<BenchmarkResult>.offset(of: \.direction)!,
                                  samples: MemoryLayout<BenchmarkResult>.offset(of: \.samples)!,
                                  rounds: MemoryLayout<BenchmarkResult>.offset(of: \.rounds)!)
    /// ``BenchmarkResult``'s stored properties, each initialized by ``append(benchmark:parameters:unit:direction:samples:)``:
    /// a property added to it must be added there (`ResultBufferTests` checks the list).
    static let storedProperties = ["benchmark", "parameters", "unit", "direction", "samples", "rounds"]

    init(capacity: Int) {
        storage = Storage.make(capacity: max(capacity, 16))
        self.capacity = storage.capacity
    }

    var count: Int { storage.withUnsafeMutablePointerToHeader { $0.pointee } }
    var isEmpty: Bool { count == 0 }

    /// Stores `BenchmarkResult(benchmark:parameters:unit:direction:samples:)`.
    mutating func append(benchmark: consuming String, parameters: consuming [String: String], unit: String, direction: Direction,
                         samples: consuming [Double]) {
        if count == capacity { grow() }
        // The slot stays where it is while `storage` (this value's) holds it; the arguments are moved in, not
        // captured. The header is read and written through its pointer: as a class's stored property,
        // `header` is checked for exclusive access at each use.
        let slot = storage.withUnsafeMutablePointers { count, results in
            count.pointee += 1
            return UnsafeMutableRawPointer(results + count.pointee - 1)
        }
        let offsets = Self.offsets
        (slot + offsets.benchmark).initializeMemory(as: String.self, to: benchmark)
        (slot + offsets.parameters).initializeMemory(as: [String: String].self, to: parameters)
        (slot + offsets.unit).initializeMemory(as: String.self, to: unit)
        (slot + offsets.direction).initializeMemory(as: Direction.self, to: direction)
        (slot + offsets.samples).initializeMemory(as: [Double].self, to: samples)
        (slot + offsets.rounds).initializeMemory(as: [Int]?.self, to: nil)
    }

    /// The results so far, in place, for a look before the next append, which may move them: a
    /// closure around a reader's check, given them, retained and released what it captured.
    var inPlace: UnsafeBufferPointer<BenchmarkResult> {
        storage.withUnsafeMutablePointers { count, results in UnsafeBufferPointer(start: results, count: count.pointee) }
    }

    /// The results, moved out into an array; the buffer is left empty.
    mutating func take() -> [BenchmarkResult] {
        storage.withUnsafeMutablePointers { count, results in
            let taken = Array(unsafeUninitializedCapacity: count.pointee) { array, initialized in
                array.baseAddress?.moveInitialize(from: results, count: count.pointee)
                initialized = count.pointee
            }
            count.pointee = 0
            return taken
        }
    }

    private mutating func grow() {
        let larger = Storage.make(capacity: storage.capacity * 2)
        storage.withUnsafeMutablePointers { count, results in
            larger.withUnsafeMutablePointers { movedCount, moved in
                moved.moveInitialize(from: results, count: count.pointee)
                movedCount.pointee = count.pointee
            }
            count.pointee = 0
        }
        storage = larger
        capacity = larger.capacity
    }
}
