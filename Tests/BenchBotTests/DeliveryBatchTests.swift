@testable import BenchBot
import Foundation
import GRDB
import Testing

/// The processor applies a pass's deliveries in one transaction; these check that nothing a
/// delivery sees, or a store kept before bodies moved to a table of their own, changes with that.
@Suite("Deliveries applied in batches")
struct DeliveryBatchTests {
    @Test("two deliveries about one pull request head, applied in one pass, queue one job and one pending status, as one at a time")
    func relatedDeliveriesSeeEachOther() async throws {
        try await WebhookHarness.with { harness in
            let base = try await harness.git.head()
            let head = try await harness.commitOnBranch("faster-loop", length: 1001)
            _ = try await harness.publishPullRequest(7, branch: "faster-loop")
            // Both kept before either is applied: one pass reads them together.
            for action in ["opened", "reopened"] {
                let response = try await harness.deliver("pull_request", try GitHubPayload.pullRequest(action, number: 7, head: head, base: base))
                #expect(response.status == 200)
            }
            #expect(await harness.server.applyDueDeliveries() == 2)
            // The second must see the first's job ("already has job"), or it queues the head again
            // and leaves a second pending status that nothing ends.
            #expect(try await harness.jobs().filter { $0.pullRequest == 7 }.count == 1)
            let pending = await harness.fake.statusPosts.map(\.json).filter { $0["state"] as? String == "pending" }
            #expect(pending.count == 1, "\(pending)")
            let outcomes = try await harness.deliveries().compactMap(\.outcome)
            #expect(outcomes.contains { $0.contains("already has job") }, "\(outcomes)")
        }
    }

    @Test("many ignored deliveries are all applied in one pass, each once")
    func ignoredDeliveriesAllApplied() async throws {
        try await WebhookHarness.with { harness in
            let count = DeliveryProcessor.batchSize * 2 + 3
            for index in 0..<count {
                let payload = try GitHubPayload.push(ref: "refs/tags/v\(index)", before: String(repeating: "0", count: 40),
                                                     after: try await harness.git.head())
                #expect(try await harness.deliver("push", payload).status == 200)
            }
            #expect(await harness.server.applyDueDeliveries() == count)
            let deliveries = try await harness.fixture.store().deliveries(limit: 1000)
            #expect(deliveries.count == count && deliveries.allSatisfy { $0.state == .processed && $0.attempts == 1 })
            #expect(await harness.server.applyDueDeliveries() == 0)
        }
    }

    @Test("closing pull request #5 of one repository cancels its queued jobs, not those of #5 in another repository of the same store")
    func cancelsWithinItsRepository() async throws {
        try await withTemporaryDirectory { root in
            let store = try SQLiteStore.open(path: root.appending(path: "benchbot.sqlite"))
            for (repository, index) in [("project", 1), ("other", 2)] {
                var request = StoreTests.request([index])
                request.repository = repository
                request.repositoryURL = "/srv/\(repository).git"
                request.pullRequest = 5
                #expect(try await store.enqueue(request).queued.count == 1)
            }
            var effects = DeliveryEffects(outcome: "closed")
            effects.cancelPullRequest = PullRequestCancellation(5, of: "project", reason: "pull request #5 was closed")
            #expect(try await store.applyEffects(effects, now: Date()).cancelled == 1)
            let states = try await store.jobs(in: nil, limit: nil).map { "\($0.repository) \($0.state.rawValue)" }.sorted()
            #expect(states == ["other queued", "project cancelled"])
        }
    }

    @Test("a store kept before bodies moved apart keeps its deliveries: one waiting is applied from its body after the upgrade")
    func bodiesMoveApart() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            let old = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(old, upTo: "v11: GitHub webhook deliveries, untrusted jobs, bisections asked for in pull requests, HTTP caches")
            let body = Data(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_delivery (id, event, action, body, received_at, state, next_attempt_at)
                    VALUES ('d-1', 'ping', NULL, ?, 1, 'received', 1), ('d-0', 'ping', NULL, ?, 0, 'processed', 0)
                    """, arguments: [body, body])
            }
            try old.close()
            let store = try SQLiteStore.open(path: path)
            let due = try await store.dueDeliveries(now: Date(), limit: 10)
            #expect(due.map(\.id) == ["d-1"] && due.first?.body == body)
            #expect(try await store.deliveries(limit: 10).map(\.id) == ["d-1", "d-0"])
            let applied = try await store.applyDeliveries([("d-1", DeliveryEffects(outcome: "ping"))], now: Date())
            #expect(applied.map(\.applied) == [true])
            #expect(try await store.dueDeliveries(now: Date(), limit: 10).isEmpty)
            let columns = try await store.pool.read { db in try db.columns(in: "webhook_delivery").map(\.name) }
            #expect(!columns.contains("body"))
        }
    }
}
