public import Foundation
import GRDB
public import Notify

extension SQLiteStore {
    public func recordDelivery(_ delivery: WebhookDelivery, durability: DeliveryDurability) async throws(StoreError) -> Bool {
        try await intake(create: true)!.keep(delivery, durability: durability)
    }

    /// The delivery intake beside this store; `nil` when none was ever made and `create` is `false`.
    func intake(create: Bool) throws(StoreError) -> DeliveryIntake? {
        try openedIntake.withLock { (opened: inout DeliveryIntake?) throws(StoreError) -> DeliveryIntake? in
            if let opened { return opened }
            opened = try DeliveryIntake.open(beside: path, create: create)
            return opened
        }
    }

    /// How long this process's syncs of its intake took for deliveries kept with `disk` durability;
    /// `nil` before this process opened the intake.
    public func deliverySyncTimes() -> SyncTimes? {
        openedIntake.withLock { $0?.syncTimes }
    }

    /// Admits the deliveries received in the intake since the last admission into the store,
    /// oldest first, each once: how far it got is stored in the same transaction as the rows. A
    /// delivery the store holds already (kept before the intake existed) is skipped by its id.
    ///
    /// Each admission is synced to the disk, whatever the route's durability: from here on a
    /// delivery is as safe as a queued job.
    func admitReceivedDeliveries() async throws(StoreError) {
        guard let intake = try intake(create: false) else { return }
        while true {
            let through = try await admittedThrough(intake)
            let received = try await intake.received(after: through, limit: Self.admissionBatch)
            guard let last = received.last else { return }
            // Kept for the process only, a delivery may still be in the operating system's cache:
            // once admitted, it is as safe as a queued job, so its record must be on the disk first.
            try intake.sync()
            try await write { db in
                // Another process admitting at once: whoever commits first admits, the other none.
                let now = try Int64.fetchOne(db, sql: "SELECT admitted_through FROM intake_admission WHERE intake = ?",
                                             arguments: [intake.identity]) ?? 0
                guard now == through else { return }
                let row = try db.cachedStatement(sql: """
                    INSERT INTO webhook_delivery (id, event, action, received_at, state, next_attempt_at)
                    VALUES (?, ?, ?, ?, 'received', ?) ON CONFLICT (id) DO NOTHING
                    """)
                for delivery in received.map(\.delivery) {
                    try row.execute(arguments: [delivery.id, delivery.event, delivery.action,
                                                delivery.receivedAt.storeValue, delivery.receivedAt.storeValue])
                }
                try db.execute(sql: """
                    INSERT INTO intake_admission (intake, admitted_through) VALUES (?, ?)
                    ON CONFLICT (intake) DO UPDATE SET admitted_through = excluded.admitted_through
                    """, arguments: [intake.identity, last.sequence])
            }
            if received.count < Self.admissionBatch { return }
        }
    }

    /// The most deliveries admitted in one transaction.
    static let admissionBatch = 500

    private func admittedThrough(_ intake: DeliveryIntake) async throws(StoreError) -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT admitted_through FROM intake_admission WHERE intake = ?", arguments: [intake.identity]) ?? 0
        }
    }

    public func dueDeliveries(now: Date, limit: Int) async throws(StoreError) -> [WebhookDelivery] {
        try await admitReceivedDeliveries()
        let due = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT webhook_delivery.*, webhook_body.body FROM webhook_delivery LEFT JOIN webhook_body USING (id)
                WHERE state = 'received' AND next_attempt_at <= ?
                ORDER BY received_at, webhook_delivery.rowid LIMIT ?
                """, arguments: [now.storeValue, limit]).map(Self.delivery(from:))
        }
        return try await withIntakeBodies(due)
    }

    /// Fills in the payloads kept in the intake: every delivery's since the intake exists.
    private func withIntakeBodies(_ deliveries: [WebhookDelivery]) async throws(StoreError) -> [WebhookDelivery] {
        let missing = deliveries.filter(\.body.isEmpty).map(\.id)
        guard !missing.isEmpty, let intake = try intake(create: false) else { return deliveries }
        let bodies = try await intake.bodies(of: missing)
        return deliveries.map { delivery in
            var delivery = delivery
            if delivery.body.isEmpty, let body = bodies[delivery.id] { delivery.body = body }
            return delivery
        }
    }

    public func applyDeliveries(_ batch: [(id: String, effects: DeliveryEffects)], now: Date) async throws(StoreError) -> [AppliedDelivery] {
        try await write { db in
            // Compiled once per pass, not per delivery: preparing a statement costs more than running it.
            let processed = try db.cachedStatement(sql: """
                UPDATE webhook_delivery SET state = 'processed', processed_at = ?, outcome = ?, attempts = attempts + 1
                WHERE id = ? AND state = 'received'
                """)
            return try batch.map { id, effects in
                try processed.execute(arguments: [now.storeValue, effects.outcome, id])
                guard db.changesCount == 1 else {
                    var applied = AppliedDelivery()
                    applied.applied = false
                    return applied
                }
                let applied = try Self.apply(db, effects, now: now)
                if applied.alreadyApplied {
                    try db.execute(sql: "UPDATE webhook_delivery SET outcome = ? WHERE id = ?",
                                   arguments: [effects.outcome + " (obeyed before, under another delivery: nothing done)", id])
                }
                return applied
            }
        }
    }

    public func applyEffects(_ effects: DeliveryEffects, now: Date) async throws(StoreError) -> AppliedDelivery {
        try await write { db in try Self.apply(db, effects, now: now) }
    }

    /// Queues, cancels and queues messages as `effects` ask, inside the caller's transaction.
    private static func apply(_ db: Database, _ effects: DeliveryEffects, now: Date) throws -> AppliedDelivery {
        var applied = AppliedDelivery()
        if let key = effects.onceKey {
            try db.execute(sql: "INSERT INTO github_command (key, obeyed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                           arguments: [key, now.storeValue])
            if db.changesCount == 0 {
                applied.alreadyApplied = true
                return applied
            }
        }
        for request in effects.enqueues {
            applied.enqueued.append(try enqueue(db, request, now: now.storeValue))
        }
        if let cancel = effects.cancelPullRequest {
            try db.execute(sql: """
                UPDATE job SET state = 'cancelled', finished_at = ?, message = ?
                WHERE state = 'queued' AND pull_request = ? AND repository_id = (SELECT id FROM repository WHERE name = ?)
                """, arguments: [now.storeValue, cancel.reason, cancel.number, cancel.repository])
            applied.cancelled = db.changesCount
        }
        try insertNotifications(db, effects.notifications, runID: nil, now: now)
        for bisection in effects.bisections {
            try db.execute(sql: """
                INSERT INTO bisection (pull_request, comment_id, benchmark, good_sha, bad_sha, state, created_at)
                VALUES (?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (comment_id) DO NOTHING
                """, arguments: [bisection.pullRequest, bisection.commentID, bisection.benchmark, bisection.good.hex,
                                 bisection.bad.hex, now.storeValue])
        }
        return applied
    }

    public func deferDelivery(id: String, reason: String, retryAt: Date?, now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhook_delivery SET attempts = attempts + 1, outcome = ?,
                    state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'received' END,
                    next_attempt_at = COALESCE(?, next_attempt_at),
                    processed_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END
                WHERE id = ? AND state = 'received'
                """, arguments: [reason, retryAt?.storeValue, retryAt?.storeValue, retryAt?.storeValue, now.storeValue, id])
        }
    }

    public func deliveries(limit: Int) async throws(StoreError) -> [WebhookDelivery] {
        let waiting = try await notYetAdmitted(limit: limit)
        let admitted = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT webhook_delivery.*, webhook_body.body FROM webhook_delivery LEFT JOIN webhook_body USING (id)
                ORDER BY received_at DESC, webhook_delivery.rowid DESC LIMIT ?
                """,
                             arguments: [limit]).map(Self.delivery(from:))
        }
        // One admitted between the two reads is in both.
        let admittedIDs = Set(admitted.map(\.id))
        return try await withIntakeBodies(Array((waiting.reversed().filter { !admittedIDs.contains($0.id) } + admitted).prefix(limit)))
    }

    /// What the intake received and the store has not admitted yet, oldest first, without payloads.
    /// Reading it admits nothing: `status` and `/metrics` only look.
    private func notYetAdmitted(limit: Int) async throws(StoreError) -> [WebhookDelivery] {
        guard let intake = try intake(create: false) else { return [] }
        return try await intake.received(after: try await admittedThrough(intake), limit: limit).map(\.delivery)
    }

    private func notYetAdmittedCount() async throws(StoreError) -> Int {
        guard let intake = try intake(create: false) else { return 0 }
        return try await intake.count(after: try await admittedThrough(intake))
    }

    public func countDeliveries() async throws(StoreError) -> [WebhookDelivery.State: Int] {
        let waiting = try await notYetAdmittedCount()
        return try await read { db in
            var counts: [WebhookDelivery.State: Int] = waiting > 0 ? [.received: waiting] : [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM webhook_delivery GROUP BY state") {
                if let state = WebhookDelivery.State(rawValue: row["state"]) { counts[state, default: 0] += row["n"] }
            }
            return counts
        }
    }

    public func countNotifications() async throws(StoreError) -> [QueuedNotification.State: Int] {
        try await read { db in
            var counts: [QueuedNotification.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM notification GROUP BY state") {
                if let state = QueuedNotification.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func jobs(repository: String, commit: ObjectID) async throws(StoreError) -> [Job] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.jobSelect + " WHERE repository.name = ? AND job.sha = ? ORDER BY job.id",
                             arguments: [repository, commit.hex]).map(Self.job(from:))
        }
    }

    public func jobs(repository: String, pullRequest: Int) async throws(StoreError) -> [Job] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.jobSelect + " WHERE repository.name = ? AND job.pull_request = ? ORDER BY job.id",
                             arguments: [repository, pullRequest]).map(Self.job(from:))
        }
    }

    public func openBisections() async throws(StoreError) -> [BisectionRequest] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM bisection WHERE state = 'open' ORDER BY id").compactMap { row in
                guard let good = ObjectID(hex: row["good_sha"]), let bad = ObjectID(hex: row["bad_sha"]) else { return nil }
                var request = BisectionRequest(pullRequest: row["pull_request"], commentID: row["comment_id"], benchmark: row["benchmark"],
                                               good: good, bad: bad)
                request.id = row["id"]
                return request
            }
        }
    }

    public func finishBisection(id: Int64, result: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE bisection SET state = 'done', result = ?, finished_at = ? WHERE id = ? AND state = 'open'",
                           arguments: [result, now.storeValue, id])
            guard db.changesCount == 1 else { return false }
            try Self.insertNotifications(db, notifications, runID: nil, now: now)
            return true
        }
    }

    public func httpCacheEntry(key: String) async throws(StoreError) -> HTTPCacheEntry? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT etag, body FROM http_cache WHERE key = ?", arguments: [key]).map {
                HTTPCacheEntry(etag: $0["etag"], body: $0["body"])
            }
        }
    }

    public func saveHTTPCacheEntry(key: String, _ entry: HTTPCacheEntry, now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO http_cache (key, etag, body, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at
                """, arguments: [key, entry.etag, entry.body, now.storeValue])
        }
    }

    private static func delivery(from row: Row) -> WebhookDelivery {
        // Deliveries kept since the intake exists have their payloads there, not here.
        var delivery = WebhookDelivery(id: row["id"], event: row["event"], action: row["action"], body: row["body"] ?? Data(),
                                       receivedAt: Date(storeValue: row["received_at"]))
        delivery.state = WebhookDelivery.State(rawValue: row["state"]) ?? .failed
        delivery.attempts = row["attempts"]
        delivery.outcome = row["outcome"]
        return delivery
    }
}
