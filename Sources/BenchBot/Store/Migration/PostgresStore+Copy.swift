import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Writing copied rows into a PostgreSQL store and reading them back, for `store migrate`.
extension PostgresStore {
    /// How many rows of the copied tables the database holds, in all.
    func copiedRowCount() async throws(StoreError) -> Int {
        try await transaction { connection, logger in
            var total = 0
            for table in SQLiteStore.copiedTables {
                for try await count in try await connection.query("SELECT count(*) FROM \(unescaped: table.name)", logger: logger).decode(Int.self) {
                    total += count
                }
            }
            return total
        }
    }

    /// The source a migration into this database started from and whether it finished, from the
    /// mark `store migrate` keeps; `nil` when none began here.
    func migrationMark() async throws(StoreError) -> (source: String, finished: Bool)? {
        try await transaction { connection, logger in
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS store_migration (source TEXT PRIMARY KEY, started_at DOUBLE PRECISION NOT NULL,
                                                            finished_at DOUBLE PRECISION)
                """, logger: logger)
            for try await (source, finished) in try await connection.query("SELECT source, finished_at FROM store_migration ORDER BY started_at DESC LIMIT 1",
                                                                           logger: logger).decode((String, Double?).self) {
                return (source, finished != nil)
            }
            return nil
        }
    }

    func markMigration(source: String, finished: Bool) async throws(StoreError) {
        let now = Date().storeValue
        try await transaction { connection, logger in
            _ = try await connection.query("""
                INSERT INTO store_migration (source, started_at, finished_at) VALUES (\(source), \(now), \(finished ? now : nil))
                ON CONFLICT (source) DO UPDATE SET finished_at = excluded.finished_at
                """, logger: logger)
        }
    }

    /// Inserts copied rows with their keys, in one transaction; a row whose key is there already
    /// is left as it is, so that a migration that stopped can run again from the start.
    ///
    /// - Returns: How many rows were inserted.
    func importRows(_ table: TableDescription, _ rows: [[StoreValue]]) async throws(StoreError) -> Int {
        guard !rows.isEmpty else { return 0 }
        let columns = table.columns
        // PostgreSQL takes at most 65,535 parameters in a statement.
        let perStatement = max(1, 30_000 / columns.count)
        return try await transaction { connection, logger in
            var inserted = 0
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let batch = rows[start..<min(start + perStatement, rows.count)]
                var bindings = PostgresBindings(capacity: batch.count * columns.count)
                var tuples: [String] = []
                for row in batch {
                    var placeholders: [String] = []
                    for (index, value) in row.enumerated() {
                        try Self.append(value, as: columns[index].type, to: &bindings)
                        placeholders.append("$\(bindings.count)")
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                let sql = "INSERT INTO \(table.name) (\(columns.map(\.name).joined(separator: ", "))) "
                    + (table.integerKey != nil ? "OVERRIDING SYSTEM VALUE " : "")
                    + "VALUES \(tuples.joined(separator: ", ")) ON CONFLICT DO NOTHING RETURNING 1"
                for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) { inserted += 1 }
            }
            return inserted
        }
    }

    private static func append(_ value: StoreValue, as type: ColumnType, to bindings: inout PostgresBindings) throws {
        switch value {
        case .null:
            switch type {
            case .integer: bindings.append(Int64?.none)
            case .real: bindings.append(Double?.none)
            case .text: bindings.append(String?.none)
            case .blob: bindings.append(ByteBuffer?.none)
            }
        case .integer(let number): bindings.append(number)
        case .real(let number): bindings.append(number)
        case .text(let text): bindings.append(text)
        case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }

    /// Moves each identity column's next value past the copied ids, so new rows never take one.
    func resetIdentities() async throws(StoreError) {
        try await transaction { connection, logger in
            for table in SQLiteStore.copiedTables {
                guard let key = table.integerKey else { continue }
                try await connection.query("""
                    SELECT setval(pg_get_serial_sequence('\(unescaped: table.name)', '\(unescaped: key)'), COALESCE(MAX(\(unescaped: key)), 1),
                                  MAX(\(unescaped: key)) IS NOT NULL)
                    FROM \(unescaped: table.name)
                    """, logger: logger)
            }
        }
    }

    /// Every copied table's row count and digest, over the rows whose keys `only` holds when given
    /// (a merge leaves other rows beside the copied ones).
    func tableDigests(only keys: [String: Set<[StoreValue]>]? = nil) async throws(StoreError) -> [String: TableDigest] {
        try await transaction { connection, logger in
            var digests: [String: TableDigest] = [:]
            for table in SQLiteStore.copiedTables {
                let columns = table.columns
                let keyIndexes = table.orderingColumns.compactMap { name in columns.firstIndex { $0.name == name } }
                var digest = TableDigest()
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(table.name)
                    """), logger: logger)
                for try await row in rows {
                    let cells = row.makeRandomAccess()
                    var values: [StoreValue] = []
                    for (index, column) in columns.enumerated() {
                        values.append(try Self.value(cells[index], as: column.type))
                    }
                    if let wanted = keys?[table.name], !wanted.contains(keyIndexes.map { values[$0] }) { continue }
                    digest.add(values)
                }
                digests[table.name] = digest
            }
            return digests
        }
    }

    private static func value(_ cell: PostgresCell, as type: ColumnType) throws -> StoreValue {
        switch type {
        case .integer: try cell.decode(Int64?.self).map(StoreValue.integer) ?? .null
        case .real: try cell.decode(Double?.self).map(StoreValue.real) ?? .null
        case .text: try cell.decode(String?.self).map(StoreValue.text) ?? .null
        case .blob: try cell.decode(ByteBuffer?.self).map { .blob(Array($0.readableBytesView)) } ?? .null
        }
    }

    /// Empties every BenchBot table and restarts their ids: for `bench queue`, which measures
    /// on a database made for it.
    public func removeEverything() async throws(StoreError) {
        try await transaction { connection, logger in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(StoreSchema.tables.map(\.name).joined(separator: ", ")) RESTART IDENTITY CASCADE"),
                                           logger: logger)
        }
    }
}
