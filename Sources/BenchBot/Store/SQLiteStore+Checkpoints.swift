import Foundation
import GRDB

extension SQLiteStore {
    /// Runs `body` with the write-ahead log copied back into the database by a connection of its
    /// own, every `interval`, instead of by whichever commit crosses SQLite's 1,000-page mark.
    ///
    /// A long-running server's processor commits a pass of deliveries a few times a second: an
    /// automatic checkpoint inside one of those commits (copying megabytes and syncing the database
    /// file) would hold the store's one writer, and the worker behind it, while it ran. A passive
    /// checkpoint on another connection runs beside the writer instead. Other processes on the same
    /// store keep SQLite's automatic checkpoints.
    public func withBackgroundCheckpoints<Result: Sendable>(every interval: Duration = .milliseconds(500),
                                                            _ body: () async throws -> Result) async throws -> Result {
        // The webhook route appends to the intake: the server takes it now, so a second server on
        // the home stops at its start rather than answering GitHub 503 at its first delivery.
        try intake(create: true)!.becomeWriter()
        let checkpointer: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.label = "benchbot-store-checkpoints"
            checkpointer = try DatabaseQueue(path: path, configuration: configuration)
            try await pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        } catch {
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout)
        }
        let loop = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // A checkpoint that meets a reader copies what it can and leaves the rest for the next.
                _ = try? await checkpointer.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
        }
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        loop.cancel()
        _ = await loop.result
        _ = try? await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000")
            try db.checkpoint(.passive)
        }
        return try outcome.get()
    }
}
