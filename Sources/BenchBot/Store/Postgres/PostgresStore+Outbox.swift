public import Foundation
import Logging
public import Notify
import PostgresNIO

/// The outbox on PostgreSQL, with ``SQLiteStore``'s rules. Senders on many machines claim at once:
/// each claim holds a transaction-scoped advisory lock, so that two never both see a topic's
/// oldest message unsent and take it and the next one; a claim is a few statements, over at once.
extension PostgresStore: NotificationOutbox {
    /// The claims' advisory lock: ASCII "outbox" read as an integer.
    static let claimLock: Int64 = 0x6F75_7462_6F78

    /// Adds messages inside a caller's transaction; a key already there is left as it is, and a
    /// new message on a topic replaces the older ones of that topic not yet sent.
    static func insertNotifications(_ connection: PostgresConnection, _ logger: Logger, _ messages: [OutgoingMessage], runID: Int64?,
                                    now: Date) async throws {
        let queued = now.storeValue
        for message in messages {
            let inserted = try await ids(connection.query("""
                INSERT INTO notification (key, destination, kind, body, run_id, state, queued_at, next_attempt_at, topic, thread_parent)
                VALUES (\(message.key), \(message.destination.storedForm), \(message.kind), \(message.body), \(runID), 'pending',
                        \(queued), \(queued), \(message.topic), \(message.threadParent))
                ON CONFLICT (key) DO NOTHING RETURNING id
                """, logger: logger))
            guard let id = inserted.first, let topic = message.topic else { continue }
            try await connection.query("""
                UPDATE notification SET state = 'superseded', finished_at = \(queued), last_error = 'replaced by #' || \(id)
                WHERE topic = \(topic) AND id < \(id) AND state IN ('pending', 'failed', 'uncertain')
                """, logger: logger)
        }
    }

    public func enqueueNotifications(_ messages: [OutgoingMessage], now: Date) async throws(StoreError) {
        try await transaction { connection, logger in try await Self.insertNotifications(connection, logger, messages, runID: nil, now: now) }
    }

    public func claimNotifications(owner: String, isDead: @escaping @Sendable (String) -> Bool, leaseDuration: Duration,
                                   now: Date, limit: Int) async throws(StoreError) -> [QueuedNotification] {
        let name = self.name, moment = now.storeValue
        let expires = now.addingTimeInterval(leaseDuration.seconds).storeValue
        return try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: logger)
            // A sender that died mid-send leaves its lease: repeat what is harmless to repeat, and
            // keep the rest apart for a person to decide.
            let stale = try await connection.query("SELECT id, destination, lease_owner, lease_expires_at FROM notification WHERE state = 'sending'",
                                                   logger: logger)
            var interrupted: [(id: Int64, state: String, reason: String)] = []
            for try await (id, destination, leaseOwner, leaseExpires) in stale.decode((Int64, String, String?, Double?).self) {
                guard (leaseExpires ?? 0) < moment || leaseOwner.map(isDead) == true else { continue }
                let repeatable = Destination(storedForm: destination)?.isRepeatable ?? false
                interrupted.append((id, repeatable ? "pending" : "uncertain",
                                    "its sender \(leaseOwner ?? "?") stopped while sending it" + (repeatable ? "; sent again" : "; whether it arrived is unknown")))
            }
            for (id, state, reason) in interrupted {
                try await connection.query("""
                    UPDATE notification SET state = \(state), lease_owner = NULL, lease_expires_at = NULL, last_error = \(reason), interrupted = 1
                    WHERE id = \(id)
                    """, logger: logger)
            }
            // A reply waits for the message it answers; a topic's messages go one at a time, oldest first.
            let due = try await Self.notifications(connection.query("""
                SELECT message.*, parent.receipt AS parent_receipt
                FROM notification AS message
                LEFT JOIN notification AS parent ON parent.key = message.thread_parent
                WHERE message.state = 'pending' AND message.next_attempt_at <= \(moment)
                  AND (parent.id IS NULL OR parent.state NOT IN ('pending', 'sending'))
                  AND (message.topic IS NULL OR NOT EXISTS (
                        SELECT 1 FROM notification AS earlier
                        WHERE earlier.topic = message.topic AND earlier.id < message.id AND earlier.state IN ('pending', 'sending')))
                ORDER BY message.next_attempt_at, message.id LIMIT \(limit)
                """, logger: logger), name: name, claimedUntil: expires)
            for message in due {
                try await connection.query("""
                    UPDATE notification SET state = 'sending', attempts = attempts + 1, lease_owner = \(owner), lease_expires_at = \(expires)
                    WHERE id = \(message.id)
                    """, logger: logger)
            }
            return due
        }
    }

    public func renewNotificationLease(id: Int64, owner: String, expiresAt: Date) async throws(StoreError) -> Bool {
        let expires = expiresAt.storeValue
        return try await transaction { connection, logger in
            try await !Self.ids(connection.query("""
                UPDATE notification SET lease_expires_at = \(expires) WHERE id = \(id) AND state = 'sending' AND lease_owner = \(owner) RETURNING id
                """, logger: logger)).isEmpty
        }
    }

    public func settleNotification(id: Int64, owner: String, _ settlement: NotificationSettlement, now: Date) async throws(StoreError) -> Bool {
        let finished = now.storeValue
        return try await transaction { connection, logger in
            var (state, next, message, receipt) = settlement.columns
            // A retry that a newer message on its topic has overtaken is not sent at all.
            if state == "pending", try await !Self.ids(connection.query("""
                SELECT newer.id FROM notification AS newer JOIN notification AS this ON this.id = \(id)
                WHERE newer.topic = this.topic AND newer.id > this.id LIMIT 1
                """, logger: logger)).isEmpty {
                state = "superseded"
                message = (message ?? "") + "; a newer message on its topic replaced it"
            }
            let done: Double? = state == "pending" ? nil : finished
            // An interrupted send stays interrupted until it is settled for good, so that every retry looks for it first.
            return try await !Self.ids(connection.query("""
                UPDATE notification SET state = \(state), next_attempt_at = COALESCE(\(next), next_attempt_at), last_error = \(message),
                    interrupted = CASE WHEN \(state) = 'pending' THEN interrupted ELSE 0 END, receipt = COALESCE(\(receipt), receipt),
                    lease_owner = NULL, lease_expires_at = NULL, finished_at = \(done)
                WHERE id = \(id) AND state = 'sending' AND lease_owner = \(owner)
                RETURNING id
                """, logger: logger)).isEmpty
        }
    }

    public func notifications(in states: Set<QueuedNotification.State>?, limit: Int?) async throws(StoreError) -> [QueuedNotification] {
        let name = self.name
        let states = (states ?? Set(QueuedNotification.State.allCases)).map(\.rawValue).sorted()
        return try await transaction { connection, logger in
            try await Self.notifications(connection.query("""
                SELECT * FROM (SELECT *, NULL::text AS parent_receipt FROM notification WHERE state = ANY(\(states))
                               ORDER BY id DESC LIMIT \(limit ?? Int.max)) AS newest ORDER BY id
                """, logger: logger), name: name, claimedUntil: nil)
        }
    }

    public func storedNotifications(keys: [String]) async throws(StoreError) -> [String: StoredNotificationMark] {
        guard !keys.isEmpty else { return [:] }
        return try await transaction { connection, logger in
            var found: [String: StoredNotificationMark] = [:]
            let rows = try await connection.query("SELECT key, state, queued_at FROM notification WHERE key = ANY(\(keys))", logger: logger)
            for try await (key, state, queued) in rows.decode((String, String, Double).self) {
                found[key] = StoredNotificationMark(state: QueuedNotification.State(rawValue: state) ?? .failed, queuedAt: Date(storeValue: queued))
            }
            return found
        }
    }

    public func retryNotifications(in states: Set<QueuedNotification.State>, now: Date) async throws(StoreError) -> Int {
        let allowed = states.intersection([.failed, .uncertain]).map(\.rawValue).sorted()
        guard !allowed.isEmpty else { return 0 }
        let moment = now.storeValue
        return try await transaction { connection, logger in
            try await Self.ids(connection.query("""
                UPDATE notification SET state = 'pending', next_attempt_at = \(moment), queued_at = \(moment), finished_at = NULL
                WHERE state = ANY(\(allowed)) RETURNING id
                """, logger: logger)).count
        }
    }

    public func countNotifications() async throws(StoreError) -> [QueuedNotification.State: Int] {
        try await transaction { connection, logger in
            var counts: [QueuedNotification.State: Int] = [:]
            for try await (state, count) in try await connection.query("SELECT state, count(*) FROM notification GROUP BY state", logger: logger)
                .decode((String, Int).self) {
                if let state = QueuedNotification.State(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    /// Messages from notification rows with a `parent_receipt` column; rows claimed until a time
    /// are read as the claim leaves them (sending, one attempt more, that lease).
    static func notifications(_ rows: PostgresRowSequence, name: String, claimedUntil: Double?) async throws -> [QueuedNotification] {
        let claimed = claimedUntil != nil
        var found: [QueuedNotification] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type = Value.self) throws -> Value {
                try cells[column].decode(Value.self)
            }
            let id: Int64 = try value("id"), stored: String = try value("destination")
            guard let destination = Destination(storedForm: stored) else {
                throw StoreError.corrupt(name, detail: "notification \(id) has an unknown destination \(stored)")
            }
            let state = claimed ? .sending : QueuedNotification.State(rawValue: try value("state")) ?? .failed
            found.append(QueuedNotification(
                id: id,
                message: OutgoingMessage(key: try value("key"), destination: destination, kind: try value("kind"), body: try value("body", Data.self),
                                         topic: try value("topic"), threadParent: try value("thread_parent")),
                state: state, attempts: try value("attempts", Int.self) + (claimed ? 1 : 0), queuedAt: Date(storeValue: try value("queued_at")),
                nextAttemptAt: Date(storeValue: try value("next_attempt_at")), lastError: try value("last_error"),
                interrupted: try value("interrupted", Int.self) != 0, receipt: try value("receipt"), parentReceipt: try value("parent_receipt"),
                leaseExpiresAt: (try claimedUntil ?? value("lease_expires_at", Double?.self)).map(Date.init(storeValue:))))
        }
        return found
    }
}
