@testable import BenchBot
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Applying deliveries runs at idle priority on a thread of its own, never on Swift's cooperative
/// threads where the webhook route answers.
@Suite("The delivery processor's thread")
struct BackgroundExecutorTests {
    @Test("work given to it runs on one thread of its own, at SCHED_IDLE, and every job runs")
    func idleThread() async {
        let here = Self.thread()
        let seen = await withTaskExecutorPreference(BackgroundExecutor.deliveries) {
            await withTaskGroup(of: (thread: UInt, policy: Int32, nice: Int32).self) { group in
                for _ in 0..<50 {
                    group.addTask { (Self.thread(), sched_getscheduler(0), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)) }
                }
                return await group.reduce(into: [(thread: UInt, policy: Int32, nice: Int32)]()) { $0.append($1) }
            }
        }
        #expect(seen.count == 50)
        #expect(Set(seen.map(\.thread)).count == 1 && seen[0].thread != here)
        #expect(seen.allSatisfy { $0.policy == BackgroundExecutor.idlePolicy }, "\(seen.map { ($0.policy, $0.nice) })")
    }

    private static func thread() -> UInt { UInt(pthread_self()) }
}
