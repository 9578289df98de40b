@testable import BenchBot
import Foundation
import GRDB
import Synchronization
import Testing

/// Deliveries that arrive while one is being kept are kept together, in one transaction, and each
/// answer still says whether its own delivery was new.
@Suite("Deliveries kept in group commits")
struct GroupCommitTests {
    @Test("what arrives during a write goes into the next one, all of it, with each outcome to its own caller")
    func batchesWhatWaits() async throws {
        // The first write waits here, so the test knows the others queued behind it. Writes block
        // their thread (on the disk's sync, in the server), never a cooperative one.
        let gate = DispatchSemaphore(value: 0)
        let batches = Mutex<[[Int]]>([])
        let commits = GroupCommit<Int, Int> { items in
            batches.withLock { $0.append(items) }
            if items == [0] { gate.wait() }
            return items.map { $0 * 10 }
        }
        let first = Task { try await commits.submit(0) }
        // Known to be inside the first write before the others come.
        while batches.withLock({ $0.isEmpty }) { await Task.yield() }
        let others = (1...20).map { value in Task { try await commits.submit(value) } }
        // All twenty wait behind the gate before it opens.
        while commits.waiting < 20 { await Task.yield() }
        gate.signal()
        #expect(try await first.value == 0)
        for (index, task) in others.enumerated() { #expect(try await task.value == (index + 1) * 10) }
        let seen = batches.withLock { $0 }
        #expect(seen.count == 2 && seen[0] == [0] && Set(seen[1]) == Set(1...20), "\(seen)")
    }

    @Test("a write that fails fails each delivery that was in it, and the next write goes on")
    func failureReachesEveryWaiter() async throws {
        struct Refused: Error {}
        let commits = GroupCommit<Int, Bool> { items in
            if items.contains(13) { throw Refused() }
            return items.map { _ in true }
        }
        await #expect(throws: Refused.self) { try await commits.submit(13) }
        #expect(try await commits.submit(14))
    }

    @Test("forty deliveries kept at once, ten of them redeliveries: each id stored once, and only its first answer says new")
    func concurrentRedeliveries() async throws {
        try await withTemporaryDirectory { root in
            let store = try SQLiteStore.open(path: (root as NSString).appendingPathComponent("store.sqlite"))
            let ids = (0..<30).map { "delivery-\($0)" } + (0..<10).map { "delivery-\($0)" }
            let answers = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for id in ids {
                    group.addTask {
                        let delivery = WebhookDelivery(id: id, event: "ping", action: nil, body: Data("{\"zen\":\"\(id)\"}".utf8), receivedAt: Date())
                        return (id, try await store.recordDelivery(delivery))
                    }
                }
                return try await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
            }
            #expect(answers.filter(\.1).count == 30)
            #expect(Set(answers.filter(\.1).map(\.0)).count == 30)
            let kept = try await store.deliveries(limit: 100)
            #expect(kept.count == 30 && Set(kept.map(\.id)).count == 30)
            #expect(kept.allSatisfy { String(decoding: $0.body, as: UTF8.self) == "{\"zen\":\"\($0.id)\"}" })
        }
    }

    @Test("deliveries kept for the process only are stored like the others, and another process reads each whole")
    func processDurability() async throws {
        try await withTemporaryDirectory { root in
            let store = try SQLiteStore.open(path: (root as NSString).appendingPathComponent("store.sqlite"))
            let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let delivery = WebhookDelivery(id: "d-\(index % 15)", event: "ping", action: nil, body: Data("{}".utf8), receivedAt: Date())
                        return try await store.recordDelivery(delivery, durability: index.isMultiple(of: 3) ? .disk : .process)
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let kept = try await store.deliveries(limit: 100)
            #expect(answers.filter { $0 }.count == 15 && kept.count == 15)
            let other = try SQLiteStore.open(path: (root as NSString).appendingPathComponent("store.sqlite"))
            let read = try await other.deliveries(limit: 100)
            #expect(Set(read.map(\.id)) == Set((0..<15).map { "d-\($0)" }) && read.allSatisfy { $0.body == Data("{}".utf8) })
        }
    }
}
