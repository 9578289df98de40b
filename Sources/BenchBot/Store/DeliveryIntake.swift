import Foundation
import GRDB

/// Where `serve` keeps a webhook delivery before it answers: a small SQLite file of its own beside
/// the store, with a writer of its own.
///
/// SQLite has one write lock per file. With deliveries kept in the store itself, each answer waited
/// behind whatever held that lock: the processor's pass applying 200 deliveries, a worker recording
/// a run, a checkpoint. Here the route's inserts wait only for each other. The processor admits
/// what arrived into the store (``SQLiteStore/admitReceivedDeliveries()``), where deliveries are
/// deduplicated by their id, and then forgets it here: a crash between the two admits it again,
/// which changes nothing.
final class DeliveryIntake: Sendable {
    /// A delivery waiting here, with its place in arrival order.
    struct Received: Sendable {
        var sequence: Int64
        var delivery: WebhookDelivery
    }

    let pool: DatabasePool
    let path: String
    let busyTimeout: Double
    /// Deliveries arriving together, kept in one transaction with one sync.
    let commits: GroupCommit<(WebhookDelivery, DeliveryDurability), Bool>

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
    /// - Parameter isKnown: Which of some delivery ids the store holds already: a redelivery of one
    ///   admitted long ago is known there, not here.
    /// - Returns: `nil` when there is no intake and `create` is `false`.
    static func open(beside storePath: String, busyTimeout: Double, create: Bool,
                     isKnown: @escaping @Sendable ([String]) async throws -> Set<String>) throws(StoreError) -> DeliveryIntake? {
        let path = Self.path(beside: storePath)
        guard create || FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "benchbot-intake"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                // An answered delivery must survive a power loss unless the server was told otherwise
                // (`benchbot.serve.durability: process`, set per write).
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.inTransaction(.immediate) {
                    let found = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if found > version { throw StoreError.newerSchema(path) }
                    // `AUTOINCREMENT`: a sequence number is never reused after the rows before it are forgotten,
                    // so forgetting "up to n" can never forget a delivery that arrived after n was read.
                    try db.execute(sql: """
                        CREATE TABLE IF NOT EXISTS received (
                            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                            id TEXT NOT NULL UNIQUE,
                            event TEXT NOT NULL,
                            action TEXT,
                            received_at REAL NOT NULL,
                            body BLOB NOT NULL
                        );
                        PRAGMA user_version = \(version);
                        """)
                    return .commit
                }
            }
            return DeliveryIntake(pool: pool, path: path, busyTimeout: busyTimeout, isKnown: isKnown)
        } catch {
            throw SQLiteStore.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    private init(pool: DatabasePool, path: String, busyTimeout: Double,
                 isKnown: @escaping @Sendable ([String]) async throws -> Set<String>) {
        self.pool = pool
        self.path = path
        self.busyTimeout = busyTimeout
        commits = GroupCommit { batch in
            let known = try await isKnown(batch.map(\.0.id))
            return try await Self.keep(batch, known: known, pool: pool)
        }
    }

    /// Keeps deliveries in one transaction: whether each was new, in order. A delivery id twice in
    /// one batch (a redelivery racing its first) is new only the first time.
    ///
    /// The transaction is synced unless every delivery in it asked only for ``DeliveryDurability/process``.
    private static func keep(_ batch: [(WebhookDelivery, DeliveryDurability)], known: Set<String>, pool: DatabasePool) async throws -> [Bool] {
        let synced = batch.contains { $0.1 == .disk }
        return try await pool.writeWithoutTransaction { db in
            if !synced { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            defer { if !synced { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
            var inserted: [Bool] = []
            try db.inTransaction(.immediate) {
                // Compiled once per connection: the writer is the one queue every delivery waits in.
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO received (id, event, action, received_at, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """)
                for (delivery, _) in batch {
                    guard !known.contains(delivery.id) else {
                        inserted.append(false)
                        continue
                    }
                    try insert.execute(arguments: [delivery.id, delivery.event, delivery.action,
                                                   delivery.receivedAt.storeValue, delivery.body])
                    inserted.append(db.changesCount == 1)
                }
                return .commit
            }
            return inserted
        }
    }

    /// The oldest deliveries waiting, in arrival order.
    func waiting(limit: Int) async throws(StoreError) -> [Received] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM received ORDER BY sequence LIMIT ?", arguments: [limit]).map { row in
                    Received(sequence: row["sequence"],
                             delivery: WebhookDelivery(id: row["id"], event: row["event"], action: row["action"], body: row["body"],
                                                       receivedAt: Date(storeValue: row["received_at"])))
                }
            }
        } catch {
            throw SQLiteStore.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Forgets the deliveries up to `sequence`, once the store holds them.
    func forget(through sequence: Int64) async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM received WHERE sequence <= ?", arguments: [sequence])
            }
        } catch {
            throw SQLiteStore.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }
}
