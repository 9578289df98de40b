import Dispatch

/// Runs work that blocks a thread (libgit2 reads and fetches, file reads) off Swift's cooperative
/// threads.
///
/// The cooperative pool has one thread per core: a fetch that waits on the network there, or a
/// long history walk, would stall every request of the server behind it, webhooks included.
/// Each call gets a serial dispatch queue of its own, whose thread libdispatch creates on demand.
public enum BlockingWork {
    /// Runs `operation`, and every task it awaits, on a thread of its own.
    ///
    /// Actors and the store's own queues still run their parts where they always do; everything
    /// else in `operation`, such as libgit2 calls between two store calls, runs on that thread.
    public static func run<Result, Failure>(
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        try await withTaskExecutorPreference(QueueExecutor(), isolation: isolation, operation: operation)
    }
}

/// A task executor backed by a serial dispatch queue.
private final class QueueExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "benchbot.blocking")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
