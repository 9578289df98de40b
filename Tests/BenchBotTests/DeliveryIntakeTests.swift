@testable import BenchBot
import Foundation
import GRDB
import Testing

/// The webhook route keeps deliveries in an intake of their own, so its answers never wait for the
/// store's write lock; the processor admits them into the store, each exactly once.
@Suite("The delivery intake")
struct DeliveryIntakeTests {
    private static func delivery(_ id: String) -> WebhookDelivery {
        WebhookDelivery(id: id, event: "ping", action: nil, body: Data("{\"zen\":\"\(id)\"}".utf8), receivedAt: Date())
    }

    @Test("a delivery is kept while another process holds the store's write lock")
    func keptWhileStoreLocked() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            // Another process's long transaction: a worker recording a run, the processor applying a pass.
            let other = try DatabaseQueue(path: path)
            let taken = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
            let holder = Task.detached {
                try other.inTransaction(.immediate) { db in
                    try db.execute(sql: "INSERT INTO repository (name, url, created_at) VALUES ('held', 'held', 0)")
                    taken.signal()
                    release.wait()
                    return .rollback
                }
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { taken.wait(); continuation.resume() }
            }
            // Before the intake, this waited for the lock and failed as locked after 5 s.
            #expect(try await store.recordDelivery(Self.delivery("d-1"), durability: .disk))
            #expect(try await store.recordDelivery(Self.delivery("d-1"), durability: .process) == false, "a redelivery")
            #expect(try await store.countDeliveries() == [.received: 1])
            release.signal()
            try await holder.value
            let due = try await store.dueDeliveries(now: Date(), limit: 10)
            #expect(due.map(\.id) == ["d-1"] && due.first?.body == Self.delivery("d-1").body)
        }
    }

    @Test("two processes admitting at once admit each delivery once, and later deliveries follow")
    func admittedOnce() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path), other = try SQLiteStore.open(path: path)
            for id in ["d-1", "d-2"] { #expect(try await store.recordDelivery(Self.delivery(id))) }
            async let one: Void = store.admitReceivedDeliveries()
            async let two: Void = other.admitReceivedDeliveries()
            _ = try await (one, two)
            let rows = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM webhook_delivery") }
            #expect(rows == 2)
            #expect(try await store.countDeliveries() == [.received: 2])
            #expect(try await store.applyDeliveries([("d-1", DeliveryEffects(outcome: "pinged"))], now: Date()).map(\.applied) == [true])
            #expect(try await store.recordDelivery(Self.delivery("d-3")))
            #expect(try await store.recordDelivery(Self.delivery("d-1")) == false, "a redelivery of an applied delivery")
            let due = try await other.dueDeliveries(now: Date(), limit: 10)
            #expect(due.map(\.id) == ["d-2", "d-3"] && due.map(\.body) == [Self.delivery("d-2").body, Self.delivery("d-3").body])
            #expect(try await store.countDeliveries() == [.processed: 1, .received: 2])
        }
    }

    @Test("an intake made anew (the old file removed) is admitted from its start, although its numbers start again at 1")
    func newIntakeAdmittedFromStart() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            #expect(try await store.recordDelivery(Self.delivery("d-1")))
            try await store.admitReceivedDeliveries()
            try FileManager.default.removeItem(atPath: DeliveryIntake.path(beside: path))
            let later = try SQLiteStore.open(path: path)
            #expect(try await later.recordDelivery(Self.delivery("d-2")))
            #expect(try await later.dueDeliveries(now: Date(), limit: 10).map(\.id) == ["d-1", "d-2"])
        }
    }

    @Test("a redelivery of a delivery kept before the intake existed changes nothing, and admission moves past it")
    func deliveryKeptBeforeTheIntake() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_delivery (id, event, received_at, state, next_attempt_at, outcome) VALUES ('old', 'ping', 0, 'processed', 0, 'pinged');
                    INSERT INTO webhook_body (id, body) VALUES ('old', x'7b7d');
                    """)
            }
            _ = try await store.recordDelivery(Self.delivery("old"))
            #expect(try await store.dueDeliveries(now: Date(), limit: 10).isEmpty)
            let kept = try await store.deliveries(limit: 10)
            #expect(kept.map(\.id) == ["old"] && kept.first?.state == .processed && kept.first?.body == Data("{}".utf8))
            let intake = try #require(try store.intake(create: false))
            #expect(try await store.countDeliveries() == [.processed: 1])
            #expect(try await intake.received(after: 0, limit: 10).count == 1)
        }
    }

    @Test("looking at deliveries admits nothing: status and /metrics only read")
    func readingAdmitsNothing() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            #expect(try await store.recordDelivery(Self.delivery("d-1"), durability: .process))
            let reader = try SQLiteStore.open(path: path)
            #expect(try await reader.deliveries(limit: 10).map(\.id) == ["d-1"])
            #expect(try await reader.countDeliveries() == [.received: 1])
            let inStore = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM webhook_delivery") }
            #expect(inStore == 0)
        }
    }

    @Test("each sync that a `disk` delivery's answer waited for is timed; `process` deliveries and redeliveries sync nothing")
    func syncsTimed() async throws {
        try await withTemporaryDirectory { root in
            let store = try SQLiteStore.open(path: (root as NSString).appendingPathComponent("store.sqlite"))
            #expect(store.deliverySyncTimes() == nil, "no intake opened yet")
            #expect(try await store.recordDelivery(Self.delivery("d-1"), durability: .process))
            #expect(store.deliverySyncTimes()?.count == 0)
            #expect(try await store.recordDelivery(Self.delivery("d-2"), durability: .disk))
            #expect(try await store.recordDelivery(Self.delivery("d-2"), durability: .disk) == false)
            let times = try #require(store.deliverySyncTimes())
            #expect(times.count == 1 && times.sum > 0)
        }
    }

    @Test("sync times: nearest-rank quantiles by bucket, and the difference of two snapshots")
    func syncTimeQuantiles() {
        var times = SyncTimes()
        #expect(times.quantile(0.5) == nil)
        for _ in 0..<98 { times.record(0.00025) }
        let earlier = times
        times.record(0.0012)
        times.record(7)
        #expect(times.count == 100)
        #expect(times.quantile(0.5) == 0.0003 && times.quantile(0.98) == 0.0003)
        #expect(times.quantile(0.99) == 0.0015, "the 99th of 100 is the 1.2 ms sync, in the bucket up to 1.5 ms")
        #expect(times.quantile(1) == .infinity, "7 s is past the last bound")
        let later = times.since(earlier)
        #expect(later.count == 2 && abs(later.sum - 7.0012) < 1e-9)
        #expect(later.quantile(0.5) == 0.0015 && later.quantile(0) == 0.0015)
        // Exactly on a bound counts in that bound's bucket, as Prometheus' `le` says.
        var edge = SyncTimes()
        edge.record(0.001)
        #expect(edge.quantile(1) == 0.001)
    }

    @Test("the sync times render as a Prometheus histogram: cumulative buckets by `le`, then sum and count")
    func syncHistogramText() {
        var times = SyncTimes()
        // Powers of two, so that the sum prints exactly.
        for seconds in [0.000244140625, 0.000244140625, 7.0] { times.record(seconds) }
        let text = ServerMetrics().render(jobs: [:], outbox: [:], deliveries: [:], syncs: times)
        for line in ["# TYPE benchbot_webhook_sync_seconds histogram", #"benchbot_webhook_sync_seconds_bucket{le="0.0001"} 0"#,
                     #"benchbot_webhook_sync_seconds_bucket{le="0.0002"} 0"#, #"benchbot_webhook_sync_seconds_bucket{le="0.0003"} 2"#,
                     #"benchbot_webhook_sync_seconds_bucket{le="1.0"} 2"#, #"benchbot_webhook_sync_seconds_bucket{le="2.5"} 2"#,
                     #"benchbot_webhook_sync_seconds_bucket{le="+Inf"} 3"#, "benchbot_webhook_sync_seconds_sum 7.00048828125",
                     "benchbot_webhook_sync_seconds_count 3"] {
            #expect(text.contains(line + "\n"), "\(line) missing from:\n\(text)")
        }
        #expect(text.components(separatedBy: "# TYPE benchbot_webhook_sync_seconds").count == 2)
        #expect(!ServerMetrics().render(jobs: [:], outbox: [:], deliveries: [:], syncs: nil).contains("benchbot_webhook_sync_seconds"))
    }

    @Test("after a failed sync every keep is refused, naming the first failure and what to do")
    func failedSyncRefusesAll() {
        let recorder = SyncTimes.Recorder()
        #expect(recorder.failure == nil)
        recorder.failed(.unavailable("/h/store-intake.log", detail: "the delivery intake log cannot be synced to the disk: EIO"), path: "/h/store-intake.log")
        recorder.failed(.unavailable("/h/store-intake.log", detail: "a second failure"), path: "/h/store-intake.log")
        let failure = "\(recorder.failure.map { "\($0)" } ?? "none")"
        #expect(failure.contains("EIO") && !failure.contains("a second failure"), "the first failure is the one named: \(failure)")
        #expect(failure.contains("store-intake.log") && failure.contains("restarts") && failure.contains("dmesg"), "\(failure)")
    }

    @Test("an intake written by a newer BenchBot is refused, naming its file")
    func newerIntakeRefused() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            #expect(try await store.recordDelivery(Self.delivery("d-1")))
            let intakePath = DeliveryIntake.path(beside: path)
            #expect(intakePath == (root as NSString).appendingPathComponent("store-intake.log"))
            // The header's version, after its 16-byte name.
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: intakePath))
            try file.seek(toOffset: 16)
            try file.write(contentsOf: Data([9, 0, 0, 0]))
            try file.close()
            let later = try SQLiteStore.open(path: path)
            do {
                _ = try await later.recordDelivery(Self.delivery("d-2"))
                Issue.record("a newer intake was used")
            } catch {
                #expect("\(error)".contains("newer BenchBot") && "\(error)".contains("store-intake.log"), "\(error)")
            }
        }
    }
}
