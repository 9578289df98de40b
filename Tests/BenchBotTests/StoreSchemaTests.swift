@testable import BenchBot
import Foundation
import GRDB
import Testing

/// The one description of the store's tables (``StoreSchema``), which PostgreSQL's tables are made
/// from, against what SQLite's migrations leave.
@Suite("The store's schema, described once")
struct StoreSchemaTests {
    @Test("every table, column, type, NOT NULL, key, unique set and index SQLite's migrations make is the described one")
    func sqliteMatchesTheDescription() async throws {
        try await withTemporaryDirectory { folder in
            let store = try SQLiteStore.open(path: folder.appending(path: "store.sqlite"))
            let (tables, indexes) = try await store.pool.read { db in
                let names = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                    """)
                var tables: [String: [String]] = [:]
                for name in names {
                    let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(name))").map { row -> String in
                        let notNull: Bool = row["notnull"], key: Int = row["pk"]
                        return "\(row["name"] as String) \(row["type"] as String)\(notNull || key > 0 ? " NOT NULL" : "")\(key > 0 ? " key\(key)" : "")"
                    }
                    let unique = try Row.fetchAll(db, sql: "PRAGMA index_list(\(name))").filter { ($0["origin"] as String) == "u" }
                        .map { index in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [index["name"] as String]) }
                    tables[name] = columns + unique.map { "unique (\($0.joined(separator: ", ")))" }.sorted()
                }
                let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
                return (tables, indexes)
            }
            var described: [String: [String]] = [:]
            for table in StoreSchema.tables {
                let columns = table.columns.map { column -> String in
                    let position = table.primaryKey?.firstIndex(of: column.name).map { $0 + 1 } ?? (column.primaryKey ? 1 : 0)
                    return "\(column.name) \(column.type.rawValue)\(!column.nullable || position > 0 ? " NOT NULL" : "")\(position > 0 ? " key\(position)" : "")"
                }
                let unique = table.unique + table.columns.filter(\.unique).map { [$0.name] }
                described[table.name] = columns + unique.map { "unique (\($0.joined(separator: ", ")))" }.sorted()
            }
            #expect(Set(tables.keys) == Set(described.keys))
            for (name, columns) in tables.sorted(by: { $0.key < $1.key }) {
                #expect(columns == described[name], "table \(name)")
            }
            let normalized = indexes.map { $0.replacingOccurrences(of: "  ", with: " ").replacingOccurrences(of: "( ", with: "(") }
            #expect(normalized.sorted() == StoreSchema.indexes.map(\.definition).sorted())
        }
    }
}
