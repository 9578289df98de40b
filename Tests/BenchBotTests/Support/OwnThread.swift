import Foundation

/// Runs CPU-bound test work on a thread of its own.
///
/// Swift Testing runs the suites on the cooperative pool, one thread per core. A synchronous
/// loop of many seconds there (thousands of mutated inputs through two readers) holds a thread
/// that every other suite's awaits need: two such loops at once held up the whole run for 30 s,
/// and tests that bound a command's wall-clock time failed for what they had not done.
enum OwnThread {
    static func run<Result>(_ body: @escaping () -> Result) async -> Result {
        let work = UncheckedTransfer(body)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<UncheckedTransfer<Result>, Never>) in
            let thread = Thread { continuation.resume(returning: UncheckedTransfer(work.value())) }
            // Room for the parsers' nesting limits in a debug build.
            thread.stackSize = 16 << 20
            thread.start()
        }
        return result.value
    }
}

/// Hands a value that is not `Sendable` to the one thread that uses it, and back.
final class UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
