public import Foundation
import GRDB

extension SQLiteStore {
    public func storedNotifications(keys: [String]) async throws(StoreError) -> [String: StoredNotificationMark] {
        guard !keys.isEmpty else { return [:] }
        return try await read { db in
            var found: [String: StoredNotificationMark] = [:]
            for start in stride(from: 0, to: keys.count, by: 500) {
                let slice = Array(keys[start..<min(start + 500, keys.count)])
                let rows = try Row.fetchAll(db, sql: """
                    SELECT key, state, queued_at FROM notification WHERE key IN (\(slice.map { _ in "?" }.joined(separator: ",")))
                    """, arguments: StatementArguments(slice))
                for row in rows {
                    found[row["key"]] = StoredNotificationMark(state: QueuedNotification.State(rawValue: row["state"]) ?? .failed,
                                                               queuedAt: Date(storeValue: row["queued_at"]))
                }
            }
            return found
        }
    }
}

/// Where an outbox message stored earlier stands: a rerun's copy of it, under the same key, is
/// never stored nor sent again.
public struct StoredNotificationMark: Sendable, Hashable {
    public let state: QueuedNotification.State
    public let queuedAt: Date
}
