@testable import BenchBot
import Foundation
import Logging
import Notify
import Testing

/// What `serve` and `poll --pull-requests` keep, checked on every store, as ``JobQueueContractTests``
/// checks the queue's rules.
@Suite("Deliveries, bisections and the HTTP cache, on every store")
struct DeliveryStoreContractTests {
    typealias Engine = JobQueueContractTests.Engine
    typealias Stored = any DeliveryStore & JobQueue & NotificationOutbox

    /// A fresh, empty store on `engine`, opened twice, as two processes serving one hook open it.
    static func withStores(_ engine: Engine, _ body: @Sendable (Stored, Stored) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            try await withTemporaryDirectory { folder in
                let path = folder.appending(path: "store.sqlite")
                try await body(try SQLiteStore.open(path: path), try SQLiteStore.open(path: path))
            }
        case .postgres:
            let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
            let logger = Logger(label: "benchbot.test.deliveries")
            try await PostgresStore.with(location, password: nil, logger: logger) { first in
                try await PostgresStore.with(location, password: nil, logger: logger) { second in try await body(first, second) }
            }
        }
    }

    static func withStore(_ engine: Engine, _ body: @Sendable (Stored) async throws -> Void) async throws {
        try await withStores(engine) { store, _ in try await body(store) }
    }

    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static func delivery(_ id: String, at seconds: Double) -> WebhookDelivery {
        WebhookDelivery(id: id, event: "issue_comment", action: "created", body: Data("{\"id\":\"\(id)\",\"zen\":\"café\"}".utf8),
                        receivedAt: start + seconds)
    }

    /// Keeps deliveries received a second apart, and reads them as the processor does before it
    /// applies or defers any: SQLite's rows are admitted from its intake log by that read.
    static func record(_ store: Stored, _ ids: [String]) async throws {
        for (index, id) in ids.enumerated() { #expect(try await store.recordDelivery(delivery(id, at: Double(index)))) }
        #expect(try await store.dueDeliveries(now: start + Double(ids.count), limit: ids.count).map(\.id) == ids)
    }

    static func commit(_ number: Int) -> ObjectID { JobQueueContractTests.commit(number).id }

    /// Jobs of pull request `number` for `numbers`' commits.
    static func pullRequest(_ number: Int, _ numbers: Range<Int>, repository: String = "demo", machine: String = "m1") -> EnqueueRequest {
        var request = JobQueueContractTests.request(numbers, machine: machine, branch: nil)
        request.repository = repository
        request.pullRequest = number
        return request
    }

    static func message(_ key: String) -> OutgoingMessage {
        OutgoingMessage(key: key, destination: .github(method: .post, path: "/repos/o/r/issues/7/comments"), kind: "comment", body: Data(key.utf8))
    }

    static func bisection(_ commentID: Int) -> BisectionRequest {
        BisectionRequest(pullRequest: 7, commentID: commentID, benchmark: "size.loop", good: commit(0), bad: commit(9))
    }

    static func effects(_ outcome: String, enqueues: [EnqueueRequest] = [], notifications: [String] = [], bisections: [Int] = [],
                        onceKey: String? = nil) -> DeliveryEffects {
        var effects = DeliveryEffects(outcome: outcome)
        effects.enqueues = enqueues
        effects.notifications = notifications.map(message)
        effects.bisections = bisections.map(bisection)
        effects.onceKey = onceKey
        return effects
    }

    @Test("a delivery is kept once, with its payload; a redelivery changes nothing", arguments: JobQueueContractTests.engines)
    func keptOnce(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            let first = Self.delivery("d-1", at: 0)
            #expect(try await store.recordDelivery(first, durability: .disk))
            var again = first
            again.body = Data("{}".utf8)
            #expect(try await store.recordDelivery(again, durability: .process) == false)
            #expect(try await store.recordDelivery(Self.delivery("d-2", at: 1), durability: .process))
            #expect(try await store.countDeliveries() == [.received: 2])
            let due = try await store.dueDeliveries(now: Self.start + 10, limit: 10)
            #expect(due.map(\.id) == ["d-1", "d-2"] && due.map(\.body) == [first.body, Self.delivery("d-2", at: 1).body])
            #expect(due[0].receivedAt == first.receivedAt && due[0].label == "issue_comment.created" && due[0].state == .received
                    && due[0].attempts == 0 && due[0].outcome == nil)
        }
    }

    @Test("due deliveries are the received ones whose attempt is due, oldest first, at most the limit; the list is newest first",
          arguments: JobQueueContractTests.engines)
    func dueInOrder(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            // Ids out of their arrival order: the order is the arrival's.
            try await Self.record(store, ["d-3", "d-1", "d-2"])
            #expect(try await store.dueDeliveries(now: Self.start + 1.5, limit: 10).map(\.id) == ["d-3", "d-1"])
            #expect(try await store.dueDeliveries(now: Self.start + 2, limit: 2).map(\.id) == ["d-3", "d-1"])
            #expect(try await store.dueDeliveries(now: Self.start + 2, limit: 10).map(\.id) == ["d-3", "d-1", "d-2"])
            #expect(try await store.applyDeliveries([("d-1", Self.effects("pinged"))], now: Self.start + 3).map(\.applied) == [true])
            #expect(try await store.dueDeliveries(now: Self.start + 3, limit: 10).map(\.id) == ["d-3", "d-2"])
            let listed = try await store.deliveries(limit: 10)
            #expect(listed.map(\.id) == ["d-2", "d-1", "d-3"] && listed.map(\.state) == [.received, .processed, .received])
            #expect(listed[1].attempts == 1 && listed[1].outcome == "pinged" && listed[1].body == Self.delivery("d-1", at: 1).body)
            #expect(try await store.deliveries(limit: 2).map(\.id) == ["d-2", "d-1"])
            #expect(try await store.countDeliveries() == [.received: 2, .processed: 1])
        }
    }

    @Test("applying queues jobs, messages and bisections, cancels a pull request's queued jobs, and obeys a command once under any delivery",
          arguments: JobQueueContractTests.engines)
    func apply(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            try await Self.record(store, ["d-1", "d-2", "d-3"])
            _ = try await store.enqueue(Self.pullRequest(7, 20..<21, repository: "other", machine: "m2"))
            let asked = Self.effects("bisect asked", enqueues: [Self.pullRequest(7, 0..<3)], notifications: ["reply:4001"], bisections: [4001],
                                     onceKey: "comment:demo:4001")
            // The same comment, brought again by a second hook under another delivery id.
            let again = Self.effects("bisect asked again", enqueues: [Self.pullRequest(7, 10..<11)], notifications: ["reply:4001-again"],
                                     bisections: [4001], onceKey: "comment:demo:4001")
            let applied = try await store.applyDeliveries([("d-1", asked), ("d-2", again)], now: Self.start + 10)
            #expect(applied.map(\.applied) == [true, true] && applied.map(\.alreadyApplied) == [false, true])
            #expect(applied[0].enqueued.map(\.queued) == [(0..<3).map(Self.commit)] && applied[1].enqueued.isEmpty)
            // Running already, one job of the pull request is not cancelled; #7 of another repository is not touched.
            let running = try #require(try await store.leaseNextJob(machine: "m1", worker: "w", leaseDuration: .seconds(60), now: Date()))
            var close = Self.effects("closed")
            close.cancelPullRequest = PullRequestCancellation(7, of: "demo", reason: "pull request #7 was closed")
            let closed = try await store.applyDeliveries([("d-3", close), ("d-1", asked), ("d-unknown", close)], now: Self.start + 20)
            #expect(closed.map(\.applied) == [true, false, false] && closed[0].cancelled == 2)
            let jobs = try await store.jobs(repository: "demo", pullRequest: 7)
            #expect(jobs.map(\.id).first == running.id && jobs.map(\.state) == [.running, .cancelled, .cancelled])
            #expect(jobs.dropFirst().allSatisfy { $0.message == "pull request #7 was closed" && $0.finishedAt == Self.start + 20 })
            #expect(try await store.jobs(repository: "other", pullRequest: 7).map(\.state) == [.queued])
            #expect(try await store.notifications(in: nil, limit: nil).map(\.message.key) == ["reply:4001"])
            // A poll's view of the same command, without its once-key, adds no second bisection.
            #expect(try await store.applyEffects(Self.effects("polled", bisections: [4001]), now: Self.start + 30).applied)
            let bisections = try await store.openBisections()
            #expect(bisections.count == 1 && bisections[0].id != 0)
            var expected = Self.bisection(4001)
            expected.id = bisections[0].id
            #expect(bisections == [expected])
            let kept = try await store.deliveries(limit: 10)
            #expect(kept.map(\.id) == ["d-3", "d-2", "d-1"] && kept.allSatisfy { $0.state == .processed && $0.attempts == 1 })
            #expect(kept.map(\.outcome) == ["closed", "bisect asked again (obeyed before, under another delivery: nothing done)", "bisect asked"])
        }
    }

    @Test("appliers in two processes given the same deliveries in different orders apply each once, and each command once",
          arguments: JobQueueContractTests.engines)
    func concurrentAppliers(engine: Engine) async throws {
        try await Self.withStores(engine) { first, second in
            let ids = (0..<40).map { "d-\($0)" }
            try await Self.record(first, ids)
            // Odd deliveries queue two commits each, in orders that cross; even ones carry one of four commands.
            let effects = (0..<40).map { index in
                index % 2 == 1
                    ? Self.effects("push \(index)", enqueues: [Self.pullRequest(7, index % 10..<index % 10 + 1),
                                                               Self.pullRequest(7, (index + 5) % 10..<(index + 5) % 10 + 1)],
                                   notifications: ["status:\(index)"])
                    : Self.effects("command \(index % 8 / 2)", enqueues: [Self.pullRequest(7, index % 10..<index % 10 + 1)],
                                   notifications: ["reply:\(index % 8 / 2)"], onceKey: "comment:demo:\(index % 8 / 2)")
            }
            let orders = [1, 39, 7, 13].map { step in (0..<40).map { $0 * step % 40 } }
            let results = try await withThrowingTaskGroup(of: [(Int, AppliedDelivery)].self) { group in
                for (applier, order) in orders.enumerated() {
                    let store = applier % 2 == 0 ? first : second
                    group.addTask {
                        var mine: [(Int, AppliedDelivery)] = []
                        for start in stride(from: 0, to: order.count, by: 10) {
                            let batch = order[start..<start + 10]
                            let applied = try await store.applyDeliveries(batch.map { (ids[$0], effects[$0]) }, now: Date())
                            mine += zip(batch, applied).map { ($0, $1) }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let won = results.filter { $0.1.applied }
            #expect(results.count == 160 && won.count == 40 && Set(won.map(\.0)).count == 40)
            let obeyed = won.filter { $0.0 % 2 == 0 && !$0.1.alreadyApplied }.map { $0.0 % 8 / 2 }
            #expect(obeyed.sorted() == [0, 1, 2, 3])
            let queued = won.flatMap(\.1.enqueued).flatMap(\.queued)
            #expect(queued.count == 10 && Set(queued) == Set((0..<10).map(Self.commit)))
            #expect(try await first.countJobs() == [.queued: 10])
            #expect(try await second.countNotifications() == [.pending: 24])
            #expect(try await first.countDeliveries() == [.processed: 40])
            let outcomes = try await second.deliveries(limit: 100).compactMap(\.outcome)
            #expect(outcomes.filter { $0.hasSuffix("(obeyed before, under another delivery: nothing done)") }.count == 16)
        }
    }

    @Test("a failed attempt is tried again when due, or fails the delivery for good; one no longer received is left alone",
          arguments: JobQueueContractTests.engines)
    func deferred(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            try await Self.record(store, ["d-1", "d-2"])
            try await store.deferDelivery(id: "d-1", reason: "GitHub answered 502", retryAt: Self.start + 60, now: Self.start + 2)
            #expect(try await store.dueDeliveries(now: Self.start + 59, limit: 10).map(\.id) == ["d-2"])
            let retried = try await store.dueDeliveries(now: Self.start + 60, limit: 10)
            #expect(retried.map(\.id) == ["d-1", "d-2"] && retried[0].attempts == 1 && retried[0].outcome == "GitHub answered 502")
            try await store.deferDelivery(id: "d-1", reason: "the payload names no repository", retryAt: nil, now: Self.start + 61)
            try await store.deferDelivery(id: "d-1", reason: "too late", retryAt: Self.start + 70, now: Self.start + 62)
            #expect(try await store.dueDeliveries(now: Self.start + 1000, limit: 10).map(\.id) == ["d-2"])
            let failed = try await store.deliveries(limit: 10).filter { $0.id == "d-1" }
            #expect(failed.map(\.state) == [.failed] && failed[0].attempts == 2 && failed[0].outcome == "the payload names no repository")
            #expect(try await store.countDeliveries() == [.failed: 1, .received: 1])
        }
    }

    @Test("a commit's jobs and a pull request's jobs are found, oldest first, in their repository only; repeated effects queue nothing twice",
          arguments: JobQueueContractTests.engines)
    func jobsByCommitAndPullRequest(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            var effects = Self.effects("polled", enqueues: [Self.pullRequest(7, 0..<2), Self.pullRequest(7, 0..<2, machine: "m2"),
                                                            Self.pullRequest(7, 0..<1, repository: "other"), Self.pullRequest(8, 5..<6)])
            let applied = try await store.applyEffects(effects, now: Self.start)
            #expect(applied.enqueued.map(\.queued.count) == [2, 2, 1, 1] && applied.cancelled == 0 && !applied.alreadyApplied)
            let ofCommit = try await store.jobs(repository: "demo", commit: Self.commit(0))
            #expect(ofCommit.map(\.machine) == ["m1", "m2"] && ofCommit.allSatisfy { $0.repository == "demo" && $0.subject == "commit 0" })
            let ofPullRequest = try await store.jobs(repository: "demo", pullRequest: 7)
            #expect(ofPullRequest.count == 4 && ofPullRequest.map(\.id) == ofPullRequest.map(\.id).sorted())
            #expect(ofPullRequest.allSatisfy { $0.pullRequest == 7 && $0.enqueuedAt == Self.start })
            #expect(try await store.jobs(repository: "demo", pullRequest: 9).isEmpty)
            #expect(try await store.jobs(repository: "nowhere", commit: Self.commit(0)).isEmpty)
            effects.outcome = "polled again"
            let repeated = try await store.applyEffects(effects, now: Self.start + 60)
            #expect(repeated.enqueued.map(\.alreadyKnown.count) == [2, 2, 1, 1] && repeated.enqueued.allSatisfy(\.queued.isEmpty))
            #expect(try await store.countJobs() == [.queued: 6])
        }
    }

    @Test("a bisection is finished once, with its messages, even by two finishers at once", arguments: JobQueueContractTests.engines)
    func bisectionFinishedOnce(engine: Engine) async throws {
        try await Self.withStores(engine) { first, second in
            _ = try await first.applyEffects(Self.effects("bisect", bisections: [4001, 4002]), now: Self.start)
            let open = try await first.openBisections()
            #expect(open.map(\.commentID) == [4001, 4002] && open[0].id < open[1].id)
            #expect(open[0].good == Self.commit(0) && open[0].bad == Self.commit(9) && open[0].benchmark == "size.loop" && open[0].pullRequest == 7)
            async let one = first.finishBisection(id: open[0].id, result: "commit 5", notifications: [Self.message("answer:one")], now: Self.start)
            async let two = second.finishBisection(id: open[0].id, result: "commit 5", notifications: [Self.message("answer:two")], now: Self.start)
            let finished = try await [one, two]
            #expect(finished.filter { $0 }.count == 1)
            #expect(try await first.finishBisection(id: open[0].id, result: "again", notifications: [Self.message("answer:again")], now: Self.start)
                    == false)
            let answers = try await second.notifications(in: nil, limit: nil).map(\.message.key)
            #expect(answers == [finished[0] ? "answer:one" : "answer:two"])
            #expect(try await second.openBisections() == [open[1]])
        }
    }

    @Test("a kept response comes back as kept, and a newer one replaces it", arguments: JobQueueContractTests.engines)
    func httpCache(engine: Engine) async throws {
        try await Self.withStore(engine) { store in
            let key = "GET /repos/o/r/pulls?state=open"
            #expect(try await store.httpCacheEntry(key: key) == nil)
            let first = HTTPCacheEntry(etag: "W/\"1\"", body: Data([0x5B, 0x00, 0xFF, 0x5D]))
            try await store.saveHTTPCacheEntry(key: key, first, now: Self.start)
            #expect(try await store.httpCacheEntry(key: key) == first)
            let newer = HTTPCacheEntry(etag: "W/\"2\"", body: Data("[]".utf8))
            try await store.saveHTTPCacheEntry(key: key, newer, now: Self.start + 60)
            #expect(try await store.httpCacheEntry(key: key) == newer)
            #expect(try await store.httpCacheEntry(key: key + "&page=2") == nil)
        }
    }
}
