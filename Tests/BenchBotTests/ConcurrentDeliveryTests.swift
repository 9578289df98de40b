import BenchBot
import Foundation
import Testing

@Suite("Deliveries recorded concurrently")
struct ConcurrentDeliveryTests {
    @Test("concurrent recordDelivery calls, each id twice: exactly one true per id, every row stored once, each committed before its call returns")
    func concurrentRecordsLandOnce() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            let store = try SQLiteStore.open(path: path)
            // Another connection pool on the same file: what it reads is committed.
            let reader = try SQLiteStore.open(path: path)
            let ids = (0..<150).map { "delivery-\($0)" }
            let results = try await withThrowingTaskGroup(of: (String, Bool, Bool).self) { group in
                for id in ids + ids.shuffled() {
                    group.addTask {
                        let body = Data(#"{"action": "opened", "id": "\#(id)"}"#.utf8)
                        let new = try await store.recordDelivery(WebhookDelivery(id: id, event: "pull_request", action: "opened", body: body, receivedAt: Date()))
                        let committed = try await reader.deliveries(limit: 1000).contains { $0.id == id && $0.body == body }
                        return (id, new, committed)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 300)
            #expect(results.allSatisfy { $0.2 }, "a call returned before its row was committed")
            let firsts = Dictionary(grouping: results.filter(\.1), by: \.0).mapValues(\.count)
            #expect(firsts.count == ids.count && firsts.values.allSatisfy { $0 == 1 }, "\(firsts.filter { $0.value != 1 })")
            let stored = try await reader.deliveries(limit: 1000).map(\.id)
            #expect(stored.count == ids.count && Set(stored) == Set(ids))
            let counts = try await reader.countDeliveries()
            #expect(counts == [.received: ids.count])
        }
    }
}
