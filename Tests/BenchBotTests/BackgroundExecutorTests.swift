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

    @Test("the store's transactions and reads run on that thread when it asks, and on the store's own threads otherwise")
    func storeWorkOnTheIdleThread() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-idle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore.open(path: folder + "/store.sqlite")
        let idle = try await withTaskExecutorPreference(BackgroundExecutor.deliveries) {
            let written = try await store.write { _ in (Self.thread(), sched_getscheduler(0)) }
            let read = try await store.read { _ in (Self.thread(), sched_getscheduler(0)) }
            return [written, read]
        }
        #expect(idle.allSatisfy { $0.1 == BackgroundExecutor.idlePolicy }, "\(idle)")
        let elsewhere = try await [store.write { _ in Self.thread() }, store.read { _ in Self.thread() }]
        #expect(!elsewhere.contains(idle[0].0) && !BackgroundExecutor.isCurrentThread)
    }

    private static func thread() -> UInt { UInt(pthread_self()) }
}
