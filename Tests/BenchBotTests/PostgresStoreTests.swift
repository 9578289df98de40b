@testable import BenchBot
import Foundation
import Logging
import Testing

/// The PostgreSQL store against a real server (``PostgresCluster``): its schema, its migrations,
/// and what a user is told when it cannot be used.
@Suite("PostgreSQL store", .enabled(if: PostgresCluster.enabled, PostgresCluster.skipReason))
struct PostgresStoreTests {
    static let logger = Logger(label: "benchbot.test.postgres")

    @Test("opening a new database makes every described table and index, once, even when four machines open it at the same moment")
    func migratesOnce() async throws {
        let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await PostgresStore.with(location, password: nil, logger: Self.logger) { try await $0.schemaVersion() }
                }
            }
            for try await version in group { #expect(version == StoreSchema.postgresVersion) }
        }
        try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
            let tables = try await Self.strings(store, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
            #expect(Set(tables) == Set(StoreSchema.tables.map(\.name) + ["benchbot_schema"]))
            let indexes = try await Self.strings(store, "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'")
            #expect(Set(StoreSchema.indexes.map(\.name)).isSubset(of: Set(indexes)))
            let rows = try await Self.strings(store, "SELECT version::text FROM benchbot_schema")
            #expect(rows == [String(StoreSchema.postgresVersion)])
        }
    }

    @Test("an integer key takes the ids it is given, as a copied SQLite store's, or numbers the row itself; a described check holds")
    func identityKeys() async throws {
        let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
        try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
            let given = try await Self.strings(store, "INSERT INTO repository (id, name, url, created_at) VALUES (7, 'a', 'u', 0) RETURNING id::text")
            let numbered = try await Self.strings(store, "INSERT INTO repository (name, url, created_at) VALUES ('b', 'u', 0) RETURNING id::text")
            #expect(given == ["7"] && numbered.count == 1 && numbered != given)
            let refused = await #expect(throws: (any Error).self) {
                _ = try await Self.strings(store, "INSERT INTO job (repository_id, sha, suite, machine, source, state, max_attempts, enqueued_at) "
                                           + "VALUES (7, 's', 'x', 'm', 'hook', 'bogus', 1, 0) RETURNING id::text")
            }
            let message = refused.map { store.failure($0).description } ?? ""
            #expect(message.contains("violates check constraint"), "a state outside the described ones is refused: \(message)")
        }
    }

    @Test("a database at schema 1 gains the workers' table and the queue's partial indexes, and only them, when a newer BenchBot opens it; its rows stay")
    func migratesFromOne() async throws {
        let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
        try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
            // Schema 1 as the first PostgreSQL release made it: every table but the workers', without the queue's partial indexes.
            for statement in ["DROP TABLE worker", "DROP INDEX job_queued", "DROP INDEX job_lease_expiry"] {
                _ = try await Self.strings(store, statement)
            }
            _ = try await Self.strings(store, "UPDATE benchbot_schema SET version = 1 RETURNING version::text")
            _ = try await Self.strings(store, "INSERT INTO repository (name, url, created_at) VALUES ('kept', 'u', 0) RETURNING id::text")
        }
        let steps = PostgresStore.steps(from: 1)
        #expect(steps.count == 3 && steps.first?.contains("CREATE TABLE worker") == true && steps.dropFirst().allSatisfy { $0.contains("CREATE INDEX job_") },
                "\(steps)")
        try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
            #expect(try await store.schemaVersion() == StoreSchema.postgresVersion)
            #expect(try await Self.strings(store, "SELECT name FROM repository") == ["kept"])
            try await store.beat(WorkerBeat(identity: "h/1@1", name: "n", machine: "c", repository: "r", startedAt: Date(), heartbeatAt: Date(), state: .working))
            #expect(try await store.workers().map(\.identity) == ["h/1@1"])
        }
    }

    @Test("a database a newer BenchBot migrated is refused, untouched, with what to do")
    func newerRefused() async throws {
        let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
        try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
            _ = try await Self.strings(store, "UPDATE benchbot_schema SET version = version + 1 RETURNING version::text")
        }
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.with(location, password: nil, logger: Self.logger) { _ in }
        }
        #expect(error?.description.contains("newer BenchBot") == true, "\(String(describing: error))")
        #expect(error?.description.contains(location.database) == true)
    }

    @Test("a server that is not there, or a database that does not exist, is a clear error naming the store, not a hang")
    func unreachable() async throws {
        let cluster = try await PostgresCluster.cluster()
        let missing = try PostgresLocation(url: cluster.url(database: "no_such_database"))
        let error = await #expect(throws: StoreError.self) {
            try await PostgresStore.with(missing, password: nil, logger: Self.logger) { _ in }
        }
        #expect(error?.description.contains("no_such_database") == true && error?.description.contains("PostgreSQL said") == true,
                "\(String(describing: error))")
        let gone = try PostgresLocation(url: "postgres://benchbot@localhost/db?host=\(cluster.folder)/absent&port=\(cluster.port)")
        let unreachable = await #expect(throws: StoreError.self) {
            try await PostgresStore.with(gone, password: nil, logger: Self.logger) { _ in }
        }
        #expect(unreachable?.description.contains("cannot reach PostgreSQL") == true, "\(String(describing: unreachable))")
    }

    /// The first column of each row `sql` returns, as text.
    static func strings(_ store: PostgresStore, _ sql: String) async throws -> [String] {
        var values: [String] = []
        for try await value in try await store.client.query(.init(unsafeSQL: sql), logger: logger).decode(String.self) {
            values.append(value)
        }
        return values
    }
}
