import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A task executor with one thread of its own, scheduled only on CPU time nobody else wants
/// (Linux's `SCHED_IDLE`): work that can wait runs there, so that answers to requests, and the
/// benchmarks a worker runs, go first.
///
/// The webhook route answers on Swift's cooperative threads, one per core. Applying deliveries
/// (reading each 10 KB payload) ran there too, and each answer arriving during a pass waited for a
/// thread. On a thread of its own at `nice` 10 it still took a core from a waking answer for a
/// scheduler slice: in `bench webhooks`' quiet rounds the `process` route's p99 was 3–5 ms against
/// the bare route's 1 ms, and 1.6–2.9 ms at `SCHED_IDLE`.
///
/// The store's transactions for that work run on this thread too (``SQLiteStore`` calls SQLite
/// here rather than on its own threads): at the usual priority, a pass's transaction of a hundred
/// deliveries held a core for milliseconds, and the answers that arrived meanwhile waited for it
/// (quiet rounds' p99 ratio to the bare route 1.8–1.9×, against 1.3–1.5× here).
///
/// An idle thread still gets some CPU while other work keeps every core busy: Linux weighs it 3
/// against a normal thread's 1024, so a pass's transaction (about 10 ms) takes some 3.5 s while
/// every core runs a busy thread. Another writer waits that long, within the store's busy timeout
/// (10 s by default); a worker measures nothing while it waits, since it writes only between
/// benchmarks, and its lease renewals retry. The intake log's lock is held for a glance at its
/// index. This thread also holds malloc's lock of its own arena inside an allocation, which a
/// `fork` elsewhere in the process takes too: such a fork waits until the cores have a moment
/// for this thread. A benchmark measured while deliveries arrive pays nothing for them, which is
/// the point of a benchmark machine.
///
/// Where `SCHED_IDLE` is refused, the thread runs at `nice` 10.
final class BackgroundExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// The `nice` value of the executors' threads, where `SCHED_IDLE` is refused.
    static let niceness: Int32 = 10
    /// Linux's `SCHED_IDLE`, which Glibc's module does not carry.
    static let idlePolicy: Int32 = 5

    /// The executor that applies webhook deliveries in `serve`.
    static let deliveries = BackgroundExecutor(name: "bb-deliveries")

    /// - Parameter name: The thread's name, as `top -H` and a debugger show it (15 bytes at most).
    private init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = name
            Self.backgroundThreads.withLock { _ = $0.insert(UInt(pthread_self())) }
            // On Linux a policy and a nice value belong to a thread, and 0 names the calling one.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
            var parameters = sched_param(sched_priority: 0)
            _ = sched_setscheduler(0, Self.idlePolicy, &parameters)
            while true {
                ready.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.start()
    }

    /// The threads of every background executor, by `pthread_self()`.
    private static let backgroundThreads = Mutex<Set<UInt>>([])

    /// Whether the calling thread is a background executor's: work there may block it, since
    /// nothing else waits for that thread.
    static var isCurrentThread: Bool {
        let current = UInt(pthread_self())
        return backgroundThreads.withLock { $0.contains(current) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}
