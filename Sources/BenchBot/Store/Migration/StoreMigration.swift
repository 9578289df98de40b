import Foundation

/// `benchbot store migrate`: copies a SQLite store's whole history into a PostgreSQL database,
/// table by table with every id kept, and verifies the copy.
///
/// It can run again after it stopped: rows copied already are kept and skipped, and the
/// database remembers which SQLite file it is being filled from. A database that holds other
/// rows is refused unless ``merge`` is set; then the copy goes in beside them, and the
/// verification checks that every source row arrived as it was.
public struct StoreMigration: Sendable {
    public let source: SQLiteStore
    public let target: PostgresStore
    public var merge = false
    /// Rows read and written per transaction.
    var pageSize = 5000

    public init(source: SQLiteStore, target: PostgresStore) {
        self.source = source
        self.target = target
    }

    /// What the migration copied and checked.
    public struct Report: Sendable {
        /// Per table, in copy order: rows in the source, and how many were new to the target.
        public var tables: [(name: String, rows: Int, inserted: Int)] = []
        /// The SHA-256 of each table's rows, the same in both stores.
        public var digests: [String: String] = [:]
    }

    /// Copies, then verifies; `progress` hears a line per table.
    public func run(progress: (String) -> Void) async throws -> Report {
        let origin = source.path
        try await source.gatherDeliveries()
        let held = try await target.copiedRowCount()
        let mark = try await target.migrationMark()
        let resuming = mark.map { $0.source == origin && !$0.finished } ?? false
        if held > 0, !resuming, !merge {
            let what = mark.map { $0.source == origin ? "a finished copy of this store" : "a copy of \($0.source)" } ?? "rows of its own"
            throw StoreMigrationError(message: "\(target.name) holds \(held) row(s) (\(what)); migrate into an empty database, "
                                      + "or pass --merge to add this store's rows beside them")
        }
        if resuming { progress("resuming the copy of \(origin) that stopped before it finished") }
        try await target.markMigration(source: origin, finished: false)
        var report = Report()
        var sourceKeys: [String: Set<[StoreValue]>] = [:]
        for table in SQLiteStore.copiedTables {
            var afterKey: Int64?
            var offset = 0, rows = 0, inserted = 0
            let keyIndexes = table.orderingColumns.compactMap { name in table.columns.firstIndex { $0.name == name } }
            let integerKeyIndex = table.columns.firstIndex { $0.name == table.integerKey }
            while true {
                let page = try await source.exportRows(table, afterKey: afterKey, offset: offset, limit: pageSize)
                inserted += try await target.importRows(table, page)
                rows += page.count
                if merge { for row in page { sourceKeys[table.name, default: []].insert(keyIndexes.map { row[$0] }) } }
                guard page.count == pageSize else { break }
                offset += page.count
                if let integerKeyIndex, case .integer(let last)? = page.last?[integerKeyIndex] { afterKey = last }
            }
            report.tables.append((table.name, rows, inserted))
            progress("\(table.name): \(rows) row(s), \(inserted) copied now")
        }
        try await target.resetIdentities()
        let expected = try await source.tableDigests()
        let found = try await target.tableDigests(only: merge ? sourceKeys : nil)
        for table in SQLiteStore.copiedTables {
            let want = expected[table.name] ?? TableDigest(), got = found[table.name] ?? TableDigest()
            guard want.rows == got.rows, want.hex == got.hex else {
                throw StoreMigrationError(message: "table \(table.name) differs after the copy: \(want.rows) row(s) in \(origin), "
                                          + "\(got.rows) matching in \(target.name)"
                                          + (merge ? "; rows of the database's own hold the same keys as this store's: merge two stores "
                                             + "only when their ids do not overlap" : "; run the migration again"))
            }
            report.digests[table.name] = want.hex
        }
        try await target.markMigration(source: origin, finished: true)
        return report
    }
}

/// Why `store migrate` refused or stopped, with what to do.
public struct StoreMigrationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
