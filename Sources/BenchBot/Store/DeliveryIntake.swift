import Foundation
import GRDB

/// Where `serve` keeps a webhook delivery before it answers: a small SQLite file of its own beside
/// the store, with a writer of its own.
///
/// SQLite has one write lock per file. With deliveries kept in the store itself, each answer waited
/// behind whatever held that lock: the processor's pass applying 200 deliveries, a worker recording
/// a run, a checkpoint. Here only the route writes, and its inserts wait only for each other.
///
/// A delivery's payload stays here for good; the processor admits its small row into the store
/// (``SQLiteStore/admitReceivedDeliveries()``) together with how far it has admitted, in one
/// transaction, so each delivery is admitted exactly once and the route never waits for the
/// processor, not even to be forgotten.
final class DeliveryIntake: Sendable {
    /// A delivery received here, with its place in arrival order; its payload is read apart
    /// (``bodies(of:)``), so `delivery.body` is empty.
    typealias Received = (sequence: Int64, delivery: WebhookDelivery)

    let pool: DatabasePool
    let path: String
    /// Names this file in the store's record of how far it admitted: a new intake, made after the
    /// old one was removed, numbers its deliveries from 1 again and is admitted from its start.
    let identity: String
    let busyTimeout: Double
    /// Deliveries to sync arriving together, kept in one transaction with one sync.
    private let commits: GroupCommit<WebhookDelivery, Bool>

    /// This file's layout; a file written by a newer BenchBot is refused rather than misread.
    static let version = 1

    /// The intake of the store at `storePath`: `store.sqlite` keeps its deliveries in `store-intake.sqlite`.
    static func path(beside storePath: String) -> String {
        let folder = (storePath as NSString).deletingLastPathComponent
        let name = ((storePath as NSString).lastPathComponent as NSString).deletingPathExtension
        return (folder as NSString).appendingPathComponent(name + "-intake.sqlite")
    }

    /// Opens the intake beside `storePath`, creating it when `create` says so.
    ///
    /// - Returns: `nil` when there is no intake and `create` is `false`.
    static func open(beside storePath: String, busyTimeout: Double, create: Bool) throws(StoreError) -> DeliveryIntake? {
        let path = Self.path(beside: storePath)
        guard create || FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "benchbot-intake"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            let identity = try pool.writeWithoutTransaction { db in
                // An answered delivery must survive a power loss unless the server was told otherwise
                // (`benchbot.serve.durability: process`, set per write).
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.inTransaction(.immediate) {
                    let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if found > version { throw StoreError.newerSchema(path) }
                    // `AUTOINCREMENT`: a sequence number, once used, is never used again, so "admitted
                    // through n" stays true of the same deliveries.
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS received (
                            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                            id TEXT NOT NULL UNIQUE,
                            event TEXT NOT NULL,
                            action TEXT,
                            received_at REAL NOT NULL,
                            body BLOB NOT NULL
                        );
                        CREATE TABLE IF NOT EXISTS identity (uuid TEXT NOT NULL);
                        PRAGMA user_version = \(version);
                        """)
                    if try String.fetchOne(db, sql: "SELECT uuid FROM identity") == nil {
                        try db.execute(sql: "INSERT INTO identity (uuid) VALUES (?)", arguments: [UUID().uuidString])
                    }
                    return .commit
                }
                return try String.fetchOne(db, sql: "SELECT uuid FROM identity")!
            }
            return DeliveryIntake(pool: pool, path: path, identity: identity, busyTimeout: busyTimeout)
        } catch {
            throw SQLiteStore.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    private init(pool: DatabasePool, path: String, identity: String, busyTimeout: Double) {
        self.pool = pool
        self.path = path
        self.identity = identity
        self.busyTimeout = busyTimeout
        commits = GroupCommit { batch in try await pool.writeWithoutTransaction { db in try Self.insert(batch, synced: true, db) } }
    }

    /// Keeps one delivery: whether it was new.
    ///
    /// A delivery to sync waits in a group commit, sharing its sync with those that arrive beside
    /// it. One kept for the process only is written at once, on the caller's thread: its commit
    /// takes tens of microseconds, less than handing it to the writer's queue and back would.
    func keep(_ delivery: WebhookDelivery, durability: DeliveryDurability) async throws -> Bool {
        switch durability {
        case .disk:
            return try await commits.submit(delivery)
        case .process:
            return try Self.insertNow(delivery, pool: pool)
        }
    }

    /// GRDB's blocking write: from an async function, the compiler would pick its awaiting one.
    private static func insertNow(_ delivery: WebhookDelivery, pool: DatabasePool) throws -> Bool {
        try pool.writeWithoutTransaction { db in try insert([delivery], synced: false, db) }[0]
    }

    /// Keeps deliveries in one transaction: whether each was new, in order. A delivery id twice in
    /// one batch (a redelivery racing its first) is new only the first time.
    ///
    /// - Parameter synced: Whether the commit waits for the disk, or only for the operating system.
    private static func insert(_ batch: [WebhookDelivery], synced: Bool, _ db: Database) throws -> [Bool] {
        if !synced { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        defer { if !synced { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
        var inserted: [Bool] = []
        try db.inTransaction(.immediate) {
            // Compiled once per connection: the writer is the one queue every delivery waits in.
            let insert = try db.cachedStatement(sql: """
                INSERT INTO received (id, event, action, received_at, body) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """)
            for delivery in batch {
                try insert.execute(arguments: [delivery.id, delivery.event, delivery.action,
                                               delivery.receivedAt.storeValue, delivery.body])
                inserted.append(db.changesCount == 1)
            }
            return .commit
        }
        return inserted
    }

    /// The deliveries received after `sequence`, in arrival order, without their payloads.
    func received(after sequence: Int64, limit: Int) async throws(StoreError) -> [Received] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT sequence, id, event, action, received_at FROM received WHERE sequence > ? ORDER BY sequence LIMIT ?
                """, arguments: [sequence, limit]).map { row in
                (sequence: row["sequence"], delivery: WebhookDelivery(id: row["id"], event: row["event"], action: row["action"], body: Data(),
                                                                      receivedAt: Date(storeValue: row["received_at"])))
            }
        }
    }

    /// How many deliveries were received after `sequence`.
    func count(after sequence: Int64) async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM received WHERE sequence > ?", arguments: [sequence]) ?? 0 }
    }

    /// The payloads of some deliveries, by id.
    func bodies(of ids: [String]) async throws(StoreError) -> [String: Data] {
        guard !ids.isEmpty else { return [:] }
        let list = String(decoding: (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8), as: UTF8.self)
        return try await read { db in
            var bodies: [String: Data] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, body FROM received WHERE id IN (SELECT value FROM json_each(?))",
                                        arguments: [list]) {
                bodies[row["id"]] = row["body"]
            }
            return bodies
        }
    }

    private func read<Result: Sendable>(_ body: @escaping @Sendable (Database) throws -> Result) async throws(StoreError) -> Result {
        do {
            return try await pool.read(body)
        } catch {
            throw SQLiteStore.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }
}
