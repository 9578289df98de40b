import Compare
import Foundation
import GRDB

extension SQLiteStore {
    public func changes(repository: String, machine: String) async throws(StoreError) -> [ChangeRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT change_point.* FROM change_point JOIN repository ON repository.id = change_point.repository_id
                WHERE repository.name = ? AND change_point.machine = ? ORDER BY change_point.id
                """, arguments: [repository, machine]).compactMap(Self.changeRecord)
        }
    }

    public func saveChanges(repository: String, machine: String, new: [ChangeRecord], moved: [ChangeRecord]) async throws(StoreError) -> [ChangeRecord] {
        try await write { db in
            guard let repositoryID = try Int64.fetchOne(db, sql: "SELECT id FROM repository WHERE name = ?", arguments: [repository]) else { return [] }
            for change in moved {
                guard let id = change.id else { continue }
                try db.execute(sql: """
                    UPDATE OR IGNORE change_point SET sha = ?, before = ?, after = ?, p_value = ?, updated_at = ? WHERE id = ?
                    """, arguments: [change.commit.hex, change.before, change.after, change.pValue, change.detectedAt.storeValue, id])
            }
            var inserted: [ChangeRecord] = []
            for change in new {
                try db.execute(sql: """
                    INSERT INTO change_point (repository_id, machine, benchmark, sha, kind, unit, before, after, p_value, detected_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (repository_id, machine, benchmark, sha) DO NOTHING
                    """, arguments: [repositoryID, machine, change.benchmark, change.commit.hex, change.kind.rawValue, change.unit,
                                     change.before, change.after, change.pValue, change.detectedAt.storeValue, change.detectedAt.storeValue])
                if db.changesCount > 0 {
                    var stored = change
                    stored.id = db.lastInsertedRowID
                    inserted.append(stored)
                }
            }
            return inserted
        }
    }

    private static func changeRecord(_ row: Row) -> ChangeRecord? {
        guard let commit = ObjectID(hex: row["sha"]), let kind = ChangeKind(rawValue: row["kind"]) else { return nil }
        return ChangeRecord(id: row["id"], benchmark: row["benchmark"], commit: commit, kind: kind, unit: row["unit"],
                            before: row["before"], after: row["after"], pValue: row["p_value"], detectedAt: Date(storeValue: row["detected_at"]))
    }
}
