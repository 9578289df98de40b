import Logging
import PostgresNIO

extension PostgresStore {
    /// A number no other program's advisory lock uses: ASCII "BenchBot" read as an integer.
    static let migrationLock: Int64 = 0x4265_6E63_6842_6F74

    /// Brings the schema to ``StoreSchema/postgresVersion`` in one transaction, or refuses a
    /// database that a newer BenchBot migrated. Machines that start together take turns: the
    /// first makes the tables, the others find them made.
    static func migrate(on connection: PostgresConnection, logger: Logger, name: String) async throws {
        let version = try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS benchbot_schema (version BIGINT NOT NULL)", logger: logger)
            var found = 0
            for try await version in try await connection.query("SELECT max(version) FROM benchbot_schema", logger: logger).decode(Int?.self) {
                found = version ?? 0
            }
            guard found < StoreSchema.postgresVersion else { return found }
            for statement in Self.steps(from: found) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("DELETE FROM benchbot_schema", logger: logger)
            try await connection.query("INSERT INTO benchbot_schema (version) VALUES (\(StoreSchema.postgresVersion))", logger: logger)
            return StoreSchema.postgresVersion
        }
        if version > StoreSchema.postgresVersion { throw StoreError.newerSchema(name) }
    }

    /// The statements that take a database at `version` to the current one.
    static func steps(from version: Int) -> [String] {
        let tables = StoreSchema.tables.filter { $0.since > version }
        let made = Set(tables.map(\.name))
        return tables.map(\.postgresDefinition) + StoreSchema.indexes.filter { made.contains($0.table) || $0.since > version }.map(\.definition)
    }

    /// The schema version the database holds.
    func schemaVersion() async throws(StoreError) -> Int {
        do {
            var found = 0
            for try await version in try await client.query("SELECT max(version) FROM benchbot_schema", logger: logger).decode(Int?.self) {
                found = version ?? 0
            }
            return found
        } catch {
            throw failure(error)
        }
    }
}
