public import Foundation
import GRDB
public import Notify

extension SQLiteStore {
    /// Adds messages to the outbox inside a caller's transaction; a key already there is left as it is.
    static func insertNotifications(_ db: Database, _ messages: [OutgoingMessage], runID: Int64?, now: Date) throws {
        for message in messages {
            try db.execute(sql: """
                INSERT INTO notification (key, destination, kind, body, run_id, state, queued_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
                ON CONFLICT (key) DO NOTHING
                """, arguments: [message.key, message.destination.storedForm, message.kind, message.body, runID,
                                 now.storeValue, now.storeValue])
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
                let repeatable = Destination(storedForm: row["destination"])?.isIdempotent ?? false
                try db.execute(sql: """
                    UPDATE notification SET state = ?, lease_owner = NULL, lease_expires_at = NULL, last_error = ?, interrupted = 1
                    WHERE id = ?
                    """, arguments: [repeatable ? "pending" : "uncertain",
                                     "its sender \(owner ?? "?") stopped while sending it" + (repeatable ? "; sent again" : "; whether it arrived is unknown"),
                                     row["id"]])
            }
            let due = try Row.fetchAll(db, sql: """
                SELECT * FROM notification WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [now.storeValue, limit])
            let expires = now.addingTimeInterval(TimeInterval(leaseDuration.components.seconds)).storeValue
            return try due.map { row in
                try db.execute(sql: """
                    UPDATE notification SET state = 'sending', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ? WHERE id = ?
                    """, arguments: [owner, expires, row["id"]])
                return try Self.notification(row, state: .sending, attemptsDelta: 1, path: path)
            }
        }
    }

    public func settleNotification(id: Int64, owner: String, _ settlement: NotificationSettlement, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            let (state, next, message): (String, Double?, String?) = switch settlement {
            case .delivered: ("delivered", nil, nil)
            case .written(let path): ("written", nil, path)
            case .retry(let at, let reason): ("pending", at.storeValue, reason)
            case .failed(let reason): ("failed", nil, reason)
            }
            try db.execute(sql: """
                UPDATE notification SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, interrupted = 0,
                    lease_owner = NULL, lease_expires_at = NULL, finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
                WHERE id = ? AND state = 'sending' AND lease_owner = ?
                """, arguments: [state, next, message, state, now.storeValue, id, owner])
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

    private static func notification(_ row: Row, state: QueuedNotification.State, attemptsDelta: Int, path: String) throws -> QueuedNotification {
        guard let destination = Destination(storedForm: row["destination"]) else {
            throw StoreError.corrupt(path, detail: "notification \(row["id"] ?? "?") has an unknown destination \(row["destination"] ?? "?")")
        }
        return QueuedNotification(
            id: row["id"], message: OutgoingMessage(key: row["key"], destination: destination, kind: row["kind"], body: row["body"]),
            state: state, attempts: (row["attempts"] as Int) + attemptsDelta, queuedAt: Date(storeValue: row["queued_at"]),
            nextAttemptAt: Date(storeValue: row["next_attempt_at"]), lastError: row["last_error"], interrupted: row["interrupted"])
    }
}
