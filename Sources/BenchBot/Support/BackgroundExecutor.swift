import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A task executor with one thread of its own, scheduled only on CPU time nobody else wants
/// (Linux's `SCHED_IDLE`): work that can wait runs there, so that the work answering requests, and
/// the benchmarks a worker runs, go first.
///
/// The webhook route answers on Swift's cooperative threads, one per core. Applying deliveries
/// (reading each 10 KB payload) ran there too, in passes of a hundred deliveries, and each answer
/// arriving during a pass waited for a thread. On a thread of its own at `nice` 10 it still held a
/// core for a whole scheduler slice (milliseconds) before a waking request thread got it; a
/// `SCHED_IDLE` thread gives way at once.
final class BackgroundExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// The executor that applies webhook deliveries in `serve`.
    static let deliveries = BackgroundExecutor(name: "bb-deliveries")

    /// - Parameter name: The thread's name, as `top -H` and a debugger show it (15 bytes at most).
    private init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = name
            // Linux applies the policy to the calling thread only; 5 is SCHED_IDLE, which Glibc's
            // module does not carry. Where it is refused, the work runs at the usual priority.
            var parameters = sched_param(sched_priority: 0)
            _ = sched_setscheduler(0, 5, &parameters)
            while true {
                ready.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
