import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A task executor with one thread of its own, at a lower priority (`nice` 10): work that can wait
/// runs there, so that the work answering requests goes first.
///
/// The webhook route answers on Swift's cooperative threads, one per core. Applying deliveries
/// (reading each 10 KB payload) ran there too, in passes of a hundred deliveries, and each answer
/// arriving during a pass waited for a thread.
///
/// Not `SCHED_IDLE`, though it gives way to a waking request sooner: a thread at that policy gets
/// no CPU at all while other processes keep the cores busy (a worker's benchmarks, on the machine
/// `serve --work` runs on), and this one takes locks others wait for (malloc's arenas, which every
/// `fork` takes; SQLite's write lock, which the worker needs to record its run). At `nice` 10 it
/// still gets a share of a busy machine, so no lock it holds is held for long.
final class BackgroundExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// The `nice` value of the executors' threads.
    static let niceness: Int32 = 10

    /// The executor that applies webhook deliveries in `serve`.
    static let deliveries = BackgroundExecutor(name: "bb-deliveries")

    /// - Parameter name: The thread's name, as `top -H` and a debugger show it (15 bytes at most).
    private init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = name
            // On Linux a nice value belongs to a thread, and 0 names the calling one. Where it is
            // refused, the work runs at the usual priority.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
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
