public import Foundation
import Logging
public import Notify
import PostgresNIO

/// GitHub's deliveries on PostgreSQL, with ``SQLiteStore``'s rows and rules, but no intake log
/// beside the store: a delivery's row and payload go straight into the database, which every
/// process serving the hook shares.
extension PostgresStore: DeliveryStore {
    /// The appliers' advisory lock: ASCII "deliver" read as an integer.
    static let applyLock: Int64 = 0x64_656C_6976_6572

    /// Keeps the delivery's row, and its payload in `webhook_body`, in one transaction.
    ///
    /// Both `durability`s are kept alike: a committed transaction is on the server's disk before
    /// the commit returns (PostgreSQL's default `synchronous_commit`), so there is nothing cheaper
    /// to do for `.process`, nor a local log to sync for `.disk`.
    public func recordDelivery(_ delivery: WebhookDelivery, durability: DeliveryDurability) async throws(StoreError) -> Bool {
        let received = delivery.receivedAt.storeValue
        return try await transaction { connection, logger in
            // A redelivery's id is there already: the row, and the payload kept with it, stay as they were.
            let kept = try await Self.count(connection.query("""
                INSERT INTO webhook_delivery (id, event, action, received_at, state, next_attempt_at)
                VALUES (\(delivery.id), \(delivery.event), \(delivery.action), \(received), 'received', \(received))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger)) == 1
            if kept {
                try await connection.query("INSERT INTO webhook_body (id, body) VALUES (\(delivery.id), \(delivery.body))", logger: logger)
            }
            return kept
        }
    }

    public func dueDeliveries(now: Date, limit: Int) async throws(StoreError) -> [WebhookDelivery] {
        let moment = now.storeValue
        // No rowid: deliveries received at the same instant go in their ids' order.
        return try await transaction { connection, logger in
            try await Self.deliveries(connection.query("""
                SELECT webhook_delivery.*, webhook_body.body FROM webhook_delivery LEFT JOIN webhook_body USING (id)
                WHERE state = 'received' AND next_attempt_at <= \(moment)
                ORDER BY received_at, id LIMIT \(limit)
                """, logger: logger))
        }
    }

    /// Marks each delivery processed and stores its effects, in one transaction.
    ///
    /// Appliers in several processes take turns, holding a transaction-scoped advisory lock. The
    /// row check alone gives each delivery one winner, but two passes whose effects share keys
    /// (a job, a message, a command's once-key) would each wait for a row the other inserted
    /// first, and PostgreSQL would end one as a deadlock; in turns, a pass sees what the one
    /// before it committed, and applies nothing twice.
    public func applyDeliveries(_ batch: [(id: String, effects: DeliveryEffects)], now: Date) async throws(StoreError) -> [AppliedDelivery] {
        let processed = now.storeValue
        return try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.applyLock))", logger: logger)
            var results: [AppliedDelivery] = []
            for (id, effects) in batch {
                let won = try await Self.count(connection.query("""
                    UPDATE webhook_delivery SET state = 'processed', processed_at = \(processed), outcome = \(effects.outcome), attempts = attempts + 1
                    WHERE id = \(id) AND state = 'received' RETURNING id
                    """, logger: logger)) == 1
                guard won else {
                    var applied = AppliedDelivery()
                    applied.applied = false
                    results.append(applied)
                    continue
                }
                let applied = try await Self.apply(connection, logger, effects, now: now)
                if applied.alreadyApplied {
                    let outcome = effects.outcome + " (obeyed before, under another delivery: nothing done)"
                    try await connection.query("UPDATE webhook_delivery SET outcome = \(outcome) WHERE id = \(id)", logger: logger)
                }
                results.append(applied)
            }
            return results
        }
    }

    /// Takes the appliers' turn too, so that a poll's effects and a delivery's never deadlock on the keys they share.
    public func applyEffects(_ effects: DeliveryEffects, now: Date) async throws(StoreError) -> AppliedDelivery {
        try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.applyLock))", logger: logger)
            return try await Self.apply(connection, logger, effects, now: now)
        }
    }

    /// Queues, cancels and queues messages as `effects` ask, inside the caller's transaction.
    private static func apply(_ connection: PostgresConnection, _ logger: Logger, _ effects: DeliveryEffects, now: Date) async throws -> AppliedDelivery {
        let moment = now.storeValue
        var applied = AppliedDelivery()
        if let key = effects.onceKey {
            let obeyed = try await count(connection.query("""
                INSERT INTO github_command (key, obeyed_at) VALUES (\(key), \(moment)) ON CONFLICT (key) DO NOTHING RETURNING key
                """, logger: logger))
            if obeyed == 0 {
                applied.alreadyApplied = true
                return applied
            }
        }
        for request in effects.enqueues {
            applied.enqueued.append(try await enqueue(connection, logger, request, now: moment))
        }
        if let cancel = effects.cancelPullRequest {
            applied.cancelled = try await count(connection.query("""
                UPDATE job SET state = 'cancelled', finished_at = \(moment), message = \(cancel.reason)
                WHERE state = 'queued' AND pull_request = \(cancel.number)
                  AND repository_id = (SELECT id FROM repository WHERE name = \(cancel.repository))
                RETURNING id
                """, logger: logger))
        }
        try await insertNotifications(connection, logger, effects.notifications, runID: nil, now: now)
        for bisection in effects.bisections {
            try await connection.query("""
                INSERT INTO bisection (pull_request, comment_id, benchmark, good_sha, bad_sha, state, created_at)
                VALUES (\(bisection.pullRequest), \(bisection.commentID), \(bisection.benchmark), \(bisection.good.hex), \(bisection.bad.hex),
                        'open', \(moment))
                ON CONFLICT (comment_id) DO NOTHING
                """, logger: logger)
        }
        return applied
    }

    public func deferDelivery(id: String, reason: String, retryAt: Date?, now: Date) async throws(StoreError) {
        // Worked out here rather than by `CASE WHEN $n IS NULL`: PostgreSQL cannot tell a lone NULL parameter's type.
        let state = retryAt == nil ? "failed" : "received"
        let retry = retryAt?.storeValue
        let failedAt = retryAt == nil ? now.storeValue : nil
        try await transaction { connection, logger in
            _ = try await connection.query("""
                UPDATE webhook_delivery SET attempts = attempts + 1, outcome = \(reason), state = \(state),
                    next_attempt_at = COALESCE(\(retry), next_attempt_at), processed_at = \(failedAt)
                WHERE id = \(id) AND state = 'received'
                """, logger: logger)
        }
    }

    public func deliveries(limit: Int) async throws(StoreError) -> [WebhookDelivery] {
        try await transaction { connection, logger in
            try await Self.deliveries(connection.query("""
                SELECT webhook_delivery.*, webhook_body.body FROM webhook_delivery LEFT JOIN webhook_body USING (id)
                ORDER BY received_at DESC, id DESC LIMIT \(limit)
                """, logger: logger))
        }
    }

    public func countDeliveries() async throws(StoreError) -> [WebhookDelivery.State: Int] {
        try await transaction { connection, logger in
            var counts: [WebhookDelivery.State: Int] = [:]
            for try await (state, count) in try await connection.query("SELECT state, count(*) FROM webhook_delivery GROUP BY state", logger: logger)
                .decode((String, Int).self) {
                if let state = WebhookDelivery.State(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func jobs(repository: String, commit: ObjectID) async throws(StoreError) -> [Job] {
        try await transaction { connection, logger in
            try await Self.jobs(connection.query(PostgresQuery(unsafeSQL: Self.jobSelect + """
                 WHERE repository.name = $1 AND job.sha = $2 ORDER BY job.id
                """, binds: try Self.binds(repository, commit.hex)), logger: logger))
        }
    }

    public func jobs(repository: String, pullRequest: Int) async throws(StoreError) -> [Job] {
        try await transaction { connection, logger in
            try await Self.jobs(connection.query(PostgresQuery(unsafeSQL: Self.jobSelect + """
                 WHERE repository.name = $1 AND job.pull_request = $2 ORDER BY job.id
                """, binds: try Self.binds(repository, pullRequest)), logger: logger))
        }
    }

    public func openBisections() async throws(StoreError) -> [BisectionRequest] {
        try await transaction { connection, logger in
            let rows = try await connection.query("""
                SELECT id, pull_request, comment_id, benchmark, good_sha, bad_sha FROM bisection WHERE state = 'open' ORDER BY id
                """, logger: logger)
            var open: [BisectionRequest] = []
            for try await (id, pullRequest, commentID, benchmark, good, bad) in rows.decode((Int64, Int, Int, String, String, String).self) {
                guard let good = ObjectID(hex: good), let bad = ObjectID(hex: bad) else { continue }
                var request = BisectionRequest(pullRequest: pullRequest, commentID: commentID, benchmark: benchmark, good: good, bad: bad)
                request.id = id
                open.append(request)
            }
            return open
        }
    }

    public func finishBisection(id: Int64, result: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError) -> Bool {
        let finished = now.storeValue
        return try await transaction { connection, logger in
            let closed = try await Self.count(connection.query("""
                UPDATE bisection SET state = 'done', result = \(result), finished_at = \(finished) WHERE id = \(id) AND state = 'open' RETURNING id
                """, logger: logger))
            guard closed == 1 else { return false }
            try await Self.insertNotifications(connection, logger, notifications, runID: nil, now: now)
            return true
        }
    }

    public func httpCacheEntry(key: String) async throws(StoreError) -> HTTPCacheEntry? {
        try await transaction { connection, logger in
            var entry: HTTPCacheEntry?
            for try await (etag, body) in try await connection.query("SELECT etag, body FROM http_cache WHERE key = \(key)", logger: logger)
                .decode((String, Data).self) {
                entry = HTTPCacheEntry(etag: etag, body: body)
            }
            return entry
        }
    }

    public func saveHTTPCacheEntry(key: String, _ entry: HTTPCacheEntry, now: Date) async throws(StoreError) {
        let updated = now.storeValue
        try await transaction { connection, logger in
            _ = try await connection.query("""
                INSERT INTO http_cache (key, etag, body, updated_at) VALUES (\(key), \(entry.etag), \(entry.body), \(updated))
                ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }

    /// How many rows a statement gave: those its `RETURNING` names, or a query's.
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// Deliveries from rows of `webhook_delivery` joined with their `body`, which a row copied
    /// from a SQLite store may lack: that store kept payloads in its intake log.
    private static func deliveries(_ rows: PostgresRowSequence) async throws -> [WebhookDelivery] {
        var found: [WebhookDelivery] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type = Value.self) throws -> Value {
                try cells[column].decode(Value.self)
            }
            var delivery = WebhookDelivery(id: try value("id"), event: try value("event"), action: try value("action"),
                                           body: try value("body", Data?.self) ?? Data(), receivedAt: Date(storeValue: try value("received_at")))
            delivery.state = WebhookDelivery.State(rawValue: try value("state")) ?? .failed
            delivery.attempts = try value("attempts")
            delivery.outcome = try value("outcome")
            found.append(delivery)
        }
        return found
    }
}
