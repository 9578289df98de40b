import Foundation
import GRDB
import Notify
import Synchronization

/// The store in one SQLite file, in WAL mode, shared safely by every BenchBot process on the machine.
///
/// Each write is an `IMMEDIATE` transaction: it takes the write lock up front, so concurrent
/// processes queue behind each other (up to the busy timeout) instead of failing half-way.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    /// The database file.
    public let path: String
    public var locationDescription: String { path }
    let busyTimeout: Double
    /// Where webhook deliveries wait to be admitted, opened when first needed: most commands never
    /// touch it.
    let openedIntake = Mutex<DeliveryIntake?>(nil)

    private init(pool: DatabasePool, path: String, busyTimeout: Double) {
        self.pool = pool
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// Opens the store, creating it and bringing its schema up to date as needed.
    ///
    /// A damaged file is reported, never replaced: what is stored is not lost.
    ///
    /// - Parameters:
    ///   - path: The database file; its folder is created when missing.
    ///   - busyTimeout: How long to wait for another process's write lock.
    ///   - create: Whether a missing store is created; commands that only read it (the site) say
    ///     `false`, so a moved or mistyped store is an error rather than an empty history.
    /// - Throws: ``StoreError``.
    public static func open(path: String, busyTimeout: Duration = .seconds(10), create: Bool = true) throws(StoreError) -> SQLiteStore {
        let seconds = Double(busyTimeout.components.seconds) + Double(busyTimeout.components.attoseconds) / 1e18
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .unavailable(path, detail: "cannot create its folder: \(error.localizedDescription)")
        }
        // SQLite takes an empty file for an empty database, so a store truncated to zero bytes
        // would open as a new one and the site would be rebuilt from nothing. A new store is
        // written under the migration lock, from creating the file until its WAL header is on
        // disk, so an empty file seen under that lock is a damaged store, not one being born.
        var creation: FileLock?
        if fileSize(path) ?? 0 == 0 {
            guard create || fileSize(path) != nil else {
                throw .unavailable(path, detail: "no store here; run `benchbot poll` or `benchbot work` first, or correct benchbot.store.path")
            }
            do {
                creation = try FileLock.acquire(at: path + ".migrate.lock", timeout: .seconds(Int64(seconds) + 10))
            } catch {
                throw .unavailable(path, detail: error.description)
            }
            if fileSize(path) == 0 {
                throw .corrupt(path, detail: "the file is empty (0 bytes)")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(seconds)
        configuration.label = "benchbot-store"
        configuration.foreignKeysEnabled = true
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB puts a pool's writer in WAL mode with `synchronous = NORMAL`, whose commits survive
            // the process's crash but not a power loss. What BenchBot acknowledges (a job queued, a
            // message sent, a delivery answered) must survive both: every commit syncs the log.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw mapError(error, path: path, busyTimeout: seconds)
        }
        let store = SQLiteStore(pool: pool, path: path, busyTimeout: seconds)
        try store.migrateIfNeeded(holding: creation)
        return store
    }

    private static func fileSize(_ path: String) -> Int? {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : nil
    }

    /// - Parameter creation: The migration lock, when the caller already holds it.
    private func migrateIfNeeded(holding creation: FileLock?) throws(StoreError) {
        let migrator = Self.migrator
        do {
            let (complete, superseded) = try pool.read { db in
                (try migrator.hasCompletedMigrations(db), try migrator.hasBeenSuperseded(db))
            }
            if superseded { throw StoreError.newerSchema(path) }
            if complete { return }
            // GRDB reads which migrations ran outside the transaction that runs them, so two
            // processes opening a new store at once would both create its tables.
            let lock = try creation ?? FileLock.acquire(at: path + ".migrate.lock", timeout: .seconds(Int64(busyTimeout) + 10))
            defer { withExtendedLifetime(lock) {} }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Runs `body` in an `IMMEDIATE` transaction.
    func write<Result: Sendable>(_ body: @escaping @Sendable (Database) throws -> Result) async throws(StoreError) -> Result {
        let transaction = { @Sendable (db: Database) throws -> Result in
            var result: Result?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
        do {
            // On a background thread the transaction runs right there, at that thread's priority:
            // sent to the store's own threads it would compete with the answers it stays behind.
            if BackgroundExecutor.isCurrentThread { return try Self.blocking { try pool.writeWithoutTransaction(transaction) } }
            return try await pool.writeWithoutTransaction(transaction)
        } catch {
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Runs `body` on a consistent snapshot.
    func read<Result: Sendable>(_ body: @escaping @Sendable (Database) throws -> Result) async throws(StoreError) -> Result {
        do {
            if BackgroundExecutor.isCurrentThread { return try Self.blocking { try pool.read(body) } }
            return try await pool.read(body)
        } catch {
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Calls GRDB's blocking API, which an async caller would not get: Swift picks the async overload there.
    private static func blocking<Result>(_ body: () throws -> Result) rethrows -> Result {
        try body()
    }

    static func mapError(_ error: any Error, path: String, busyTimeout: Double) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? FileLockError { return .unavailable(path, detail: error.description) }
        guard let error = error as? DatabaseError else {
            return .unavailable(path, detail: "\(error)")
        }
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .corrupt(path, detail: error.message ?? "\(error.resultCode)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .locked(path, timeout: busyTimeout)
        case .SQLITE_FULL:
            return .unavailable(path, detail: "the disk is full; free some space, then run the command again")
        case .SQLITE_IOERR where FreeSpace.bytes(at: (path as NSString).deletingLastPathComponent).map({ $0 < 1 << 20 }) == true:
            // SQLite says "disk I/O error" when a write finds no room; the space left says which.
            return .unavailable(path, detail: "the disk is full; free some space, then run the command again")
        case .SQLITE_READONLY where !folderWritable(path), .SQLITE_CANTOPEN where !folderWritable(path):
            return .unavailable(path, detail: "its folder is not writable by this user; BenchBot needs to write the store and its WAL beside it")
        default:
            return .unavailable(path, detail: error.message ?? "\(error)")
        }
    }

    private static func folderWritable(_ path: String) -> Bool {
        FileManager.default.isWritableFile(atPath: (path as NSString).deletingLastPathComponent)
    }

}

extension Date {
    /// The representation stored in REAL columns: seconds since 1970, UTC.
    var storeValue: Double { timeIntervalSince1970 }

    init(storeValue: Double) {
        self.init(timeIntervalSince1970: storeValue)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
