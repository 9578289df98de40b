import Foundation
import GRDB

/// Where `serve` keeps a webhook delivery before it answers: a log of its own beside the store
/// (``DeliveryLog``), one record appended per delivery.
///
/// SQLite has one write lock per file. With deliveries kept in the store itself, each answer waited
/// behind whatever held that lock: the processor's pass applying 200 deliveries, a worker recording
/// a run, a checkpoint. An intake of its own in SQLite still wrote each 10 KB payload as five or
/// six pages of its write-ahead log (a dozen writes, then a checkpoint copying them again): 0.1 ms
/// at the median and up to milliseconds behind the disk's syncs, while the answer waited. A log
/// record is one `write(2)`.
///
/// A delivery's payload stays here for good; the processor admits its small row into the store
/// (``SQLiteStore/admitReceivedDeliveries()``) together with how far it has admitted, in one
/// transaction, so each delivery is admitted exactly once and the route never waits for the
/// processor, not even to be forgotten.
final class DeliveryIntake: Sendable {
    typealias Received = DeliveryLog.Received

    let log: DeliveryLog
    /// Deliveries to sync arriving together, written at once with one sync.
    private let commits: GroupCommit<WebhookDelivery, Bool>
    /// How long those syncs took (what answers with `disk` durability wait for), and whether any
    /// sync failed, after which nothing is kept.
    private let syncs: SyncTimes.Recorder

    var path: String { log.path }
    var identity: String { log.identity }

    /// The intake of the store at `storePath`: `store.sqlite` keeps its deliveries in `store-intake.log`.
    static func path(beside storePath: String) -> String {
        sibling(of: storePath, suffix: "-intake.log")
    }

    /// Where BenchBot before the log kept deliveries: a SQLite file, read once into the log.
    static func legacyPath(beside storePath: String) -> String {
        sibling(of: storePath, suffix: "-intake.sqlite")
    }

    private static func sibling(of storePath: String, suffix: String) -> String {
        let folder = (storePath as NSString).deletingLastPathComponent
        let name = ((storePath as NSString).lastPathComponent as NSString).deletingPathExtension
        return (folder as NSString).appendingPathComponent(name + suffix)
    }

    /// Opens the intake beside `storePath`, creating it when `create` says so (or when an older
    /// BenchBot's intake waits to be read into it).
    ///
    /// - Returns: `nil` when there is no intake and `create` is `false`.
    static func open(beside storePath: String, create: Bool) throws(StoreError) -> DeliveryIntake? {
        let legacy = FileManager.default.fileExists(atPath: legacyPath(beside: storePath))
        guard let log = try DeliveryLog.open(path: path(beside: storePath), create: create || legacy) else { return nil }
        return DeliveryIntake(log: log, legacyPath: legacyPath(beside: storePath))
    }

    private let legacyPath: String

    private init(log: DeliveryLog, legacyPath: String) {
        self.log = log
        self.legacyPath = legacyPath
        let syncs = SyncTimes.Recorder()
        self.syncs = syncs
        commits = GroupCommit { batch in
            // After a failed sync even a redelivery's earlier record may be lost: none is answered.
            if let failure = syncs.failure { throw failure }
            let outcomes = try log.append(batch)
            // Redeliveries alone have nothing of their own to sync: their records were synced
            // before their first answers, one batch at a time.
            if outcomes.contains(true) {
                let start = ContinuousClock.now
                try Self.sync(log, as: .appender, recordingIn: syncs)
                syncs.record(ContinuousClock.now - start)
            }
            return outcomes
        }
    }

    private static func sync(_ log: DeliveryLog, as syncer: DeliveryLog.Syncer, recordingIn syncs: SyncTimes.Recorder) throws(StoreError) {
        do {
            try log.sync(syncer)
        } catch {
            syncs.failed(error, path: log.path)
            throw error
        }
    }

    /// Takes the right to append, and reads into the log what an older BenchBot's intake holds.
    ///
    /// - Throws: ``StoreError`` when another process appends to this intake.
    func becomeWriter() throws(StoreError) {
        if try log.acquireWriter() { try importLegacy() }
    }

    /// Keeps one delivery: whether it was new.
    ///
    /// A delivery to sync waits in a group commit, sharing its sync with those that arrive beside
    /// it. One kept for the process only is appended at once, on the caller's thread: one write
    /// takes microseconds, less than handing it to another thread and back would.
    func keep(_ delivery: WebhookDelivery, durability: DeliveryDurability) async throws(StoreError) -> Bool {
        try becomeWriter()
        if let failure = syncs.failure { throw failure }
        switch durability {
        case .disk:
            do {
                return try await commits.submit(delivery)
            } catch {
                throw SQLiteStore.mapError(error, path: path, busyTimeout: 0)
            }
        case .process:
            return try log.append([delivery])[0]
        }
    }

    /// Waits until every delivery kept so far is on the disk, for the processor to admit them.
    func sync() throws(StoreError) {
        if let failure = syncs.failure { throw failure }
        try Self.sync(log, as: .admission, recordingIn: syncs)
    }

    /// How long the syncs of deliveries kept with `disk` durability took, in this process.
    var syncTimes: SyncTimes { syncs.snapshot }

    /// The deliveries received after `sequence`, in arrival order, without their payloads.
    func received(after sequence: Int64, limit: Int) async throws(StoreError) -> [Received] {
        try log.received(after: sequence, limit: limit)
    }

    /// How many deliveries were received after `sequence`.
    func count(after sequence: Int64) async throws(StoreError) -> Int {
        try log.count(after: sequence)
    }

    /// The payloads of some deliveries, by id.
    func bodies(of ids: [String]) async throws(StoreError) -> [String: Data] {
        try log.bodies(of: ids)
    }

    /// Appends what an older BenchBot's SQLite intake received, in its order, then removes it.
    /// The store admits the log from its start: a delivery it admitted from the old file already is
    /// skipped there by its id, and one it had not gets admitted now.
    private func importLegacy() throws(StoreError) {
        guard FileManager.default.fileExists(atPath: legacyPath) else { return }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let deliveries = try DatabaseQueue(path: legacyPath, configuration: configuration).read { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard version <= 1 else { throw StoreError.newerSchema(legacyPath) }
                guard try db.tableExists("received") else { return [WebhookDelivery]() }
                return try Row.fetchAll(db, sql: "SELECT id, event, action, received_at, body FROM received ORDER BY sequence").map { row in
                    WebhookDelivery(id: row["id"], event: row["event"], action: row["action"], body: row["body"],
                                    receivedAt: Date(storeValue: row["received_at"]))
                }
            }
            _ = try log.append(deliveries)
            try Self.sync(log, as: .appender, recordingIn: syncs)
        } catch {
            throw SQLiteStore.mapError(error, path: legacyPath, busyTimeout: 0)
        }
        for suffix in ["-wal", "-shm", ""] { try? FileManager.default.removeItem(atPath: legacyPath + suffix) }
    }
}
