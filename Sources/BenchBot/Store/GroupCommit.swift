import Dispatch
import Synchronization

/// Items waiting for the store's one writer, written together: everything that arrives while one
/// write is under way goes into the next, as one transaction with one sync.
///
/// A webhook's answer waits for its delivery to be synced. One transaction each would line the
/// deliveries of a burst up behind each other's syncs, so the last waits for all; together, each
/// waits for at most the write under way and its own.
///
/// The writes run on a dispatch queue's thread, not on Swift's cooperative threads: a write blocks
/// in `fdatasync` for as long as the disk takes, and on a cooperative thread (one per core) it held
/// up the answers beside it that had nothing to wait for.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    typealias Waiter = (item: Item, continuation: CheckedContinuation<Outcome, any Error>)

    private struct State {
        var pending: [Waiter] = []
        var writing = false
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "benchbot.group-commit")
    /// Writes a batch in one transaction, returning one outcome per item, in order; it may block.
    private let write: @Sendable ([Item]) throws -> [Outcome]

    init(write: @escaping @Sendable ([Item]) throws -> [Outcome]) {
        self.write = write
    }

    /// How many items wait for the next write.
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Writes `item` with whatever else is waiting, and returns its outcome once that write is done.
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.pending.append((item, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if leads { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let outcomes = try write(batch.map(\.item))
                for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
