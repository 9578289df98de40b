public import Foundation
import GRDB
public import Notify

extension SQLiteStore {
    /// Adds messages to the outbox inside a caller's transaction; a key already there is left as
    /// it is. A new message on a topic replaces the older ones of that topic not yet sent.
    static func insertNotifications(_ db: Database, _ messages: [OutgoingMessage], runID: Int64?, now: Date) throws {
        for message in messages {
            try db.execute(sql: """
                INSERT INTO notification (key, destination, kind, body, run_id, state, queued_at, next_attempt_at, topic, thread_parent)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                ON CONFLICT (key) DO NOTHING
                """, arguments: [message.key, message.destination.storedForm, message.kind, message.body, runID,
                                 now.storeValue, now.storeValue, message.topic, message.threadParent])
            guard db.changesCount == 1, let topic = message.topic else { continue }
            try db.execute(sql: """
                UPDATE notification SET state = 'superseded', finished_at = ?, last_error = 'replaced by #' || ?
                WHERE topic = ? AND id < ? AND state IN ('pending', 'failed', 'uncertain')
                """, arguments: [now.storeValue, db.lastInsertedRowID, topic, db.lastInsertedRowID])
        }
    }

    public func enqueueNotifications(_ messages: [OutgoingMessage], now: Date) async throws(StoreError) {
        try await write { db in try Self.insertNotifications(db, messages, runID: nil, now: now) }
    }

    public func claimNotifications(owner: String, isDead: @escaping @Sendable (String) -> Bool, leaseDuration: Duration,
                                   now: Date, limit: Int) async throws(StoreError) -> [QueuedNotification] {
        let path = self.path
        return try await write { db in
            // A sender that died mid-send leaves its lease: repeat what is harmless to repeat, and
            // keep the rest apart for a person to decide.
            let stale = try Row.fetchAll(db, sql: """
                SELECT id, destination, lease_owner, lease_expires_at FROM notification WHERE state = 'sending'
                """)
            for row in stale {
                let owner: String? = row["lease_owner"]
                let expires: Double? = row["lease_expires_at"]
                guard (expires ?? 0) < now.storeValue || owner.map(isDead) == true else { continue }
                let repeatable = Destination(storedForm: row["destination"])?.isRepeatable ?? false
                try db.execute(sql: """
                    UPDATE notification SET state = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = ?, interrupted = 1
                    WHERE id = ?
                    """, arguments: [repeatable ? "pending" : "uncertain",
                                     "its sender \(owner ?? "?") stopped while sending it" + (repeatable ? "; sent again" : "; whether it arrived is unknown"),
                                     row["id"]])
            }
            // A reply waits for the message it answers; a topic's messages go one at a time, oldest first.
            let due = try Row.fetchAll(db, sql: """
                SELECT message.*, parent.receipt AS parent_receipt
                FROM notification AS message
                LEFT JOIN notification AS parent ON parent.key = message.thread_parent
                WHERE message.state = 'pending' AND message.next_attempt_at <= ?
                  AND (parent.id IS NULL OR parent.state NOT IN ('pending', 'sending'))
                  AND (message.topic IS NULL OR NOT EXISTS (
                        SELECT 1 FROM notification AS earlier
                        WHERE earlier.topic = message.topic AND earlier.id < message.id AND earlier.state IN ('pending', 'sending')))
                ORDER BY message.next_attempt_at, message.id LIMIT ?
                """, arguments: [now.storeValue, limit])
            let expires = now.addingTimeInterval(leaseDuration.seconds).storeValue
            return try due.map { row in
                try db.execute(sql: """
                    UPDATE notification SET state = 'sending', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ? WHERE id = ?
                    """, arguments: [owner, expires, row["id"]])
                return try Self.notification(row, state: .sending, attemptsDelta: 1, path: path, lease: expires)
            }
        }
    }

    public func renewNotificationLease(id: Int64, owner: String, expiresAt: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE notification SET lease_expires_at = ? WHERE id = ? AND state = 'sending' AND lease_owner = ?
                """, arguments: [expiresAt.storeValue, id, owner])
            return db.changesCount == 1
        }
    }

    public func settleNotification(id: Int64, owner: String, _ settlement: NotificationSettlement, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            var (state, next, message, receipt) = settlement.columns
            // A retry that a newer message on its topic has overtaken is not sent at all.
            if state == "pending", try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM notification AS newer JOIN notification AS this ON this.id = ?
                               WHERE newer.topic = this.topic AND newer.id > this.id)
                """, arguments: [id]) == true {
                state = "superseded"
                message = (message ?? "") + "; a newer message on its topic replaced it"
            }
            // An interrupted send stays interrupted until it is settled for good, so that every
            // retry looks for it first.
            try db.execute(sql: """
                UPDATE notification SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?,
                    interrupted = CASE WHEN ? = 'pending' THEN interrupted ELSE 0 END, receipt = COALESCE(?, receipt),
                    lease_owner = NULL, lease_expires_at = NULL, finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
                WHERE id = ? AND state = 'sending' AND lease_owner = ?
                """, arguments: [state, next, message, state, receipt, state, now.storeValue, id, owner])
            return db.changesCount > 0
        }
    }

    public func notifications(in states: Set<QueuedNotification.State>?, limit: Int?) async throws(StoreError) -> [QueuedNotification] {
        let path = self.path
        return try await read { db in
            let filter = states.map { "WHERE state IN (\($0.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))" } ?? ""
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM notification \(filter) ORDER BY id DESC LIMIT ?) ORDER BY id",
                                        arguments: [limit ?? -1])
            return try rows.map { row in
                try Self.notification(row, state: QueuedNotification.State(rawValue: row["state"]) ?? .failed, attemptsDelta: 0, path: path)
            }
        }
    }

    public func retryNotifications(in states: Set<QueuedNotification.State>, now: Date) async throws(StoreError) -> Int {
        let allowed = states.intersection([.failed, .uncertain])
        guard !allowed.isEmpty else { return 0 }
        return try await write { db in
            try db.execute(sql: """
                UPDATE notification SET state = 'pending', next_attempt_at = ?, queued_at = ?, finished_at = NULL
                WHERE state IN (\(allowed.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))
                """, arguments: [now.storeValue, now.storeValue])
            return db.changesCount
        }
    }

    private static func notification(_ row: Row, state: QueuedNotification.State, attemptsDelta: Int, path: String,
                                     lease: Double? = nil) throws -> QueuedNotification {
        guard let destination = Destination(storedForm: row["destination"]) else {
            throw StoreError.corrupt(path, detail: "notification \(row["id"] ?? "?") has an unknown destination \(row["destination"] ?? "?")")
        }
        return QueuedNotification(
            id: row["id"],
            message: OutgoingMessage(key: row["key"], destination: destination, kind: row["kind"], body: row["body"],
                                     topic: row["topic"], threadParent: row["thread_parent"]),
            state: state, attempts: (row["attempts"] as Int) + attemptsDelta, queuedAt: Date(storeValue: row["queued_at"]),
            nextAttemptAt: Date(storeValue: row["next_attempt_at"]), lastError: row["last_error"], interrupted: row["interrupted"],
            receipt: row["receipt"], parentReceipt: row["parent_receipt"],
            leaseExpiresAt: (lease ?? row["lease_expires_at"]).map(Date.init(storeValue:)))
    }
}
