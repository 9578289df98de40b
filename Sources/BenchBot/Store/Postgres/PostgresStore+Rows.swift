import Foundation
import Logging
import Notify
import PostgresNIO
import Synchronization

extension PostgresStore {
    /// Runs `body` in one transaction on a pooled connection: committed when it returns, rolled
    /// back when it throws.
    ///
    /// The pool waits for a connection for as long as it takes, retrying a server that is down:
    /// a caller would hang through an outage without knowing. A connection not had within
    /// ``connectionWait`` fails the call as ``StoreError/isUnreachable``, so that a worker can
    /// spool what it measured and try again. A statement, once it has its connection, runs as
    /// long as it needs.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result) async throws(StoreError) -> Result {
        try await pooled(transactional: true, body)
    }

    /// Runs `body`, one statement that is its own transaction, on a pooled connection, with
    /// ``transaction(_:)``'s deadline: one round trip where `BEGIN` and `COMMIT` would add two.
    func statement<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result) async throws(StoreError) -> Result {
        try await pooled(transactional: false, body)
    }

    private func pooled<Result: Sendable>(transactional: Bool, _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result)
    async throws(StoreError) -> Result {
        let logger = self.logger, client = self.client, wait = Self.connectionWait
        let leased = LeaseFlag()
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    guard transactional else {
                        return try await client.withConnection { connection in
                            leased.set()
                            return try await body(connection, logger)
                        }
                    }
                    return try await client.withTransaction(logger: logger) { connection in
                        leased.set()
                        return try await body(connection, logger)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: wait)
                    guard leased.isSet else { throw NoConnection() }
                    return nil
                }
                while let next = try await group.next() {
                    guard let result = next else { continue }
                    group.cancelAll()
                    return result
                }
                throw CancellationError()
            }
        } catch is NoConnection {
            throw .unreachable(name, detail: "no connection to PostgreSQL within \(wait); is the server running, and the URL right?")
        } catch {
            throw failure(error)
        }
    }

    /// How long a call waits for a pooled connection before it reports the store unreachable.
    static let connectionWait: Duration = .seconds(10)

    static func binds(_ values: any PostgresEncodable...) throws -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try binds.append(value) }
        return binds
    }

    /// The `id`s a statement's `RETURNING id` gave.
    static func ids(_ rows: PostgresRowSequence) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    static func upsertRepository(_ connection: PostgresConnection, _ logger: Logger, name: String, url: String, now: Double) async throws -> Int64 {
        let masked = SecretRedactor.maskingURLPasswords(in: url)
        try await connection.query("""
            INSERT INTO repository (name, url, created_at) VALUES (\(name), \(masked), \(now))
            ON CONFLICT (name) DO UPDATE SET url = excluded.url WHERE repository.url <> excluded.url
            """, logger: logger)
        guard let id = try await ids(connection.query("SELECT id FROM repository WHERE name = \(name)", logger: logger)).first else {
            throw StoreError.unavailable("repository", detail: "repository \(name) vanished inside its own transaction")
        }
        return id
    }

    static let jobSelect = SQLiteStore.jobSelect

    /// Jobs from rows of ``jobSelect``, as ``SQLiteStore/job(from:)`` reads them.
    static func jobs(_ rows: PostgresRowSequence) async throws -> [Job] {
        var jobs: [Job] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type = Value.self) throws -> Value {
                try cells[column].decode(Value.self)
            }
            jobs.append(Job(
                id: try value("id"),
                repository: try value("repository_name"),
                commit: ObjectID(hex: try value("sha", String.self)) ?? .zero,
                subject: try value("subject", String?.self).map(PlainText.singleLine),
                suite: try value("suite"),
                machine: try value("machine"),
                branch: try value("branch"),
                remoteURL: try value("remote_url"),
                source: JobSource(rawValue: try value("source")) ?? .manual,
                state: JobState(rawValue: try value("state")) ?? .failed,
                priority: try value("priority"),
                attempts: try value("attempts"),
                maxAttempts: try value("max_attempts"),
                leaseOwner: try value("lease_owner"),
                leaseExpiresAt: try value("lease_expires_at", Double?.self).map(Date.init(storeValue:)),
                enqueuedAt: Date(storeValue: try value("enqueued_at")),
                startedAt: try value("started_at", Double?.self).map(Date.init(storeValue:)),
                finishedAt: try value("finished_at", Double?.self).map(Date.init(storeValue:)),
                message: try value("message"),
                baseline: try value("baseline_sha", String?.self).flatMap(ObjectID.init(hex:)),
                pullRequest: try value("pull_request"),
                untrusted: try value("untrusted", Int.self) != 0,
                experiments: try value("experiments", String?.self).map { $0.split(separator: "\n").map(String.init) }
            ))
        }
        return jobs
    }
}

/// Whether a transaction's connection was had: set once, read by its deadline.
private final class LeaseFlag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// The deadline for a pooled connection passed.
private struct NoConnection: Error {}
