import Foundation
import GRDB

/// Reading a SQLite store's tables as typed rows, for `store migrate`.
extension SQLiteStore {
    /// The tables `store migrate` copies, in an order that puts every referenced row first. The
    /// intake's admission mark counts lines of this machine's delivery log, and the workers' beats
    /// are of processes that use the old store: neither means anything in another store.
    static var copiedTables: [TableDescription] {
        StoreSchema.tables.filter { !["intake_admission", "worker"].contains($0.name) }
    }

    /// One page of `table`'s rows in key order: those after `afterKey` for a table with an integer
    /// key, else those after the first `offset`.
    func exportRows(_ table: TableDescription, afterKey: Int64?, offset: Int, limit: Int) async throws(StoreError) -> [[StoreValue]] {
        let columns = table.columns
        let order = table.orderingColumns.joined(separator: ", ")
        return try await read { db in
            let list = columns.map(\.name).joined(separator: ", ")
            let rows: [Row]
            if let key = table.integerKey {
                rows = try Row.fetchAll(db, sql: "SELECT \(list) FROM \(table.name) WHERE \(key) > ? ORDER BY \(key) LIMIT ?",
                                        arguments: [afterKey ?? Int64.min, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(list) FROM \(table.name) ORDER BY \(order) LIMIT ? OFFSET ?", arguments: [limit, offset])
            }
            return rows.map { row in columns.indices.map { Self.value(row[$0] as DatabaseValue, as: columns[$0].type) } }
        }
    }

    /// A stored value as its column's declared type reads it: SQLite keeps what it is given, and a
    /// REAL column may hold an integer.
    private static func value(_ stored: DatabaseValue, as type: ColumnType) -> StoreValue {
        switch (stored.storage, type) {
        case (.null, _): .null
        case (.int64(let number), .real): .real(Double(number))
        case (.int64(let number), .text): .text(String(number))
        case (.int64(let number), _): .integer(number)
        case (.double(let number), .integer) where number.rounded() == number && abs(number) < 9.2e18: .integer(Int64(number))
        case (.double(let number), .text): .text(String(number))
        case (.double(let number), _): .real(number)
        case (.string(let text), .blob): .blob(Array(text.utf8))
        case (.string(let text), _): .text(text)
        case (.blob(let data), .text): .text(String(decoding: data, as: UTF8.self))
        case (.blob(let data), _): .blob(Array(data))
        }
    }

    /// Every copied table's row count and digest.
    func tableDigests() async throws(StoreError) -> [String: TableDigest] {
        var digests: [String: TableDigest] = [:]
        for table in Self.copiedTables {
            var digest = TableDigest()
            var afterKey: Int64?
            var offset = 0
            while true {
                let page = try await exportRows(table, afterKey: afterKey, offset: offset, limit: 5000)
                for row in page { digest.add(row) }
                guard page.count == 5000 else { break }
                offset += page.count
                if let index = table.columns.firstIndex(where: { $0.name == table.integerKey }), case .integer(let last)? = page.last?[index] {
                    afterKey = last
                }
            }
            digests[table.name] = digest
        }
        return digests
    }
}

extension SQLiteStore {
    /// Makes the store hold everything the home's delivery intake does: deliveries not yet
    /// admitted are admitted, and the payloads of those still to apply, which live in the intake's
    /// log, are written beside them in `webhook_body`, where another store can be given them.
    func gatherDeliveries() async throws(StoreError) {
        try await admitReceivedDeliveries()
        let waiting = try await dueDeliveries(now: .distantFuture, limit: Int.max)
        try await write { db in
            for delivery in waiting where !delivery.body.isEmpty {
                try db.execute(sql: "INSERT INTO webhook_body (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                               arguments: [delivery.id, delivery.body])
            }
        }
    }
}
