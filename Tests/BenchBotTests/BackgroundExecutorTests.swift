@testable import BenchBot
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Applying deliveries runs at idle priority on a thread of its own, never on Swift's cooperative
/// threads where the webhook route answers.
@Suite("The delivery processor's and the checkpoints' threads")
struct BackgroundExecutorTests {
    @Test("work given to it runs on one thread of its own, under SCHED_IDLE, and every job runs")
    func idleThread() async {
        let here = Self.thread()
        let seen = await withTaskExecutorPreference(BackgroundExecutor.deliveries) {
            await withTaskGroup(of: (thread: UInt, policy: Int32).self) { group in
                for _ in 0..<50 { group.addTask { (Self.thread(), sched_getscheduler(0)) } }
                return await group.reduce(into: [(thread: UInt, policy: Int32)]()) { $0.append($1) }
            }
        }
        #expect(seen.count == 50)
        #expect(Set(seen.map(\.thread)).count == 1 && seen[0].thread != here)
        #expect(seen.allSatisfy { $0.policy == 5 }, "SCHED_IDLE: \(seen.map(\.policy))")
    }

    @Test("the store's transactions and reads run on it, at its priority, not on the store's own threads; elsewhere they do not")
    func storeWorkStaysOnTheThread() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bb-executor-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore.open(path: folder + "/store.sqlite")
        let (executor, written, read) = try await withTaskExecutorPreference(BackgroundExecutor.deliveries) {
            (Self.thread(), try await store.write { _ in Self.thread() }, try await store.read { _ in Self.thread() })
        }
        #expect(written == executor && read == executor)
        let elsewhere = try await store.write { _ in Self.thread() }
        #expect(elsewhere != executor)
    }

    private static func thread() -> UInt { UInt(pthread_self()) }
}
