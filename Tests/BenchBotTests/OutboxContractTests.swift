@testable import BenchBot
import Foundation
import Logging
import Notify
import Testing

/// The outbox's rules, checked on every store, as ``JobQueueContractTests`` checks the queue's.
@Suite("The outbox, on every store")
struct OutboxContractTests {
    typealias Engine = JobQueueContractTests.Engine

    static func withOutbox(_ engine: Engine, _ body: @Sendable (any NotificationOutbox) async throws -> Void) async throws {
        try await JobQueueContractTests.withQueue(engine) { try await body($0) }
    }

    static func message(_ key: String, to destination: Destination = .github(method: .post, path: "/repos/o/r/statuses/abc"),
                        topic: String? = nil, replyTo parent: String? = nil) -> OutgoingMessage {
        OutgoingMessage(key: key, destination: destination, kind: "status", body: Data("{\"key\": \"\(key)\"}".utf8), topic: topic, threadParent: parent)
    }

    static let never: @Sendable (String) -> Bool = { _ in false }

    @Test("a key is stored once; a new message on a topic replaces the older unsent ones; what is stored can be looked up by key",
          arguments: JobQueueContractTests.engines)
    func storedOnce(engine: Engine) async throws {
        try await Self.withOutbox(engine) { outbox in
            let now = Date()
            try await outbox.enqueueNotifications([Self.message("a"), Self.message("t1", topic: "pr-1")], now: now)
            try await outbox.enqueueNotifications([Self.message("a"), Self.message("t2", topic: "pr-1")], now: now)
            let all = try await outbox.notifications(in: nil, limit: nil)
            #expect(all.map(\.message.key) == ["a", "t1", "t2"])
            #expect(all.map(\.state) == [.pending, .superseded, .pending])
            #expect(all[0].message.body == Data("{\"key\": \"a\"}".utf8) && all[0].message.destination == Self.message("a").destination)
            #expect(try await outbox.countNotifications() == [.pending: 2, .superseded: 1])
            let marks = try await outbox.storedNotifications(keys: ["a", "t1", "nope"])
            #expect(Set(marks.keys) == ["a", "t1"] && marks["t1"]?.state == .superseded)
        }
    }

    @Test("a claim takes what is due, once; a reply waits for what it answers; a topic's messages go one at a time",
          arguments: JobQueueContractTests.engines)
    func claims(engine: Engine) async throws {
        try await Self.withOutbox(engine) { outbox in
            let now = Date()
            try await outbox.enqueueNotifications([Self.message("parent", to: .slackChannel("C1")), Self.message("reply", to: .slackChannel("C1"), replyTo: "parent"),
                                                   Self.message("later", topic: "t")], now: now)
            let first = try await outbox.claimNotifications(owner: "s1", isDead: Self.never, leaseDuration: .milliseconds(60_500), now: now, limit: 10)
            #expect(first.map(\.message.key) == ["parent", "later"] && first.allSatisfy { $0.state == .sending && $0.attempts == 1 })
            // A lease's fraction of a second is kept, in what the claim returns and what is read back.
            let leases = try await first.map(\.leaseExpiresAt) + outbox.notifications(in: [.sending], limit: nil).map(\.leaseExpiresAt)
            #expect(leases.count == 4 && leases.allSatisfy { abs(($0?.timeIntervalSince(now) ?? 0) - 60.5) < 0.001 }, "\(leases)")
            #expect(try await outbox.claimNotifications(owner: "s2", isDead: Self.never, leaseDuration: .seconds(60), now: now, limit: 10).isEmpty)
            #expect(try await outbox.settleNotification(id: first[0].id, owner: "s1", .delivered(receipt: "ts-1"), now: now))
            #expect(try await !outbox.settleNotification(id: first[1].id, owner: "s2", .delivered(receipt: nil), now: now))
            // The later message's retry is overtaken by a newer one on its topic.
            try await outbox.enqueueNotifications([Self.message("newest", topic: "t")], now: now)
            #expect(try await outbox.settleNotification(id: first[1].id, owner: "s1", .retry(at: now, reason: "HTTP 502"), now: now))
            let second = try await outbox.claimNotifications(owner: "s2", isDead: Self.never, leaseDuration: .seconds(60), now: now, limit: 10)
            #expect(second.map(\.message.key) == ["reply", "newest"] && second[0].parentReceipt == "ts-1")
            let later = try await outbox.notifications(in: [.superseded], limit: nil)
            #expect(later.map(\.message.key) == ["later"] && later[0].lastError?.contains("a newer message on its topic replaced it") == true)
        }
    }

    @Test("a dead sender's message is sent again when that is harmless, and kept apart as uncertain when not; retrying takes it back",
          arguments: JobQueueContractTests.engines)
    func deadSender(engine: Engine) async throws {
        try await Self.withOutbox(engine) { outbox in
            let now = Date()
            try await outbox.enqueueNotifications([Self.message("status"), Self.message("slack", to: .slackWebhook)], now: now)
            _ = try await outbox.claimNotifications(owner: "dead", isDead: Self.never, leaseDuration: .seconds(600), now: now, limit: 10)
            let again = try await outbox.claimNotifications(owner: "s2", isDead: { $0 == "dead" }, leaseDuration: .seconds(60), now: now, limit: 10)
            #expect(again.map(\.message.key) == ["status"] && again[0].interrupted && again[0].attempts == 2)
            let uncertain = try await outbox.notifications(in: [.uncertain], limit: nil)
            #expect(uncertain.map(\.message.key) == ["slack"] && uncertain[0].lastError?.contains("whether it arrived is unknown") == true)
            #expect(try await outbox.retryNotifications(in: [.uncertain, .delivered], now: now) == 1)
            #expect(try await outbox.countNotifications() == [.sending: 1, .pending: 1])
        }
    }

    @Test("senders claiming at once each get different messages, and every message is claimed exactly once", arguments: JobQueueContractTests.engines)
    func concurrentClaims(engine: Engine) async throws {
        try await Self.withOutbox(engine) { outbox in
            let now = Date()
            try await outbox.enqueueNotifications((0..<50).map { Self.message("m\($0)") }, now: now)
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for sender in 0..<5 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let batch = try await outbox.claimNotifications(owner: "s\(sender)", isDead: Self.never, leaseDuration: .seconds(600),
                                                                            now: now, limit: 3)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.message.key)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 50 && Set(claimed).count == 50)
        }
    }
}
