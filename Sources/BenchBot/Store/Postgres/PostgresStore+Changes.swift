import Compare
public import Foundation
import Logging
public import Notify
import PostgresNIO

/// Change points and the suspects that confirm them, on PostgreSQL, with ``SQLiteStore``'s rules.
extension PostgresStore {
    /// The suspects' advisory lock: ASCII "suspect" read as an integer. Holding a suspect looks
    /// before it inserts, and two workers on two machines must not both find it new.
    static let suspectLock: Int64 = 0x73_7573_7065_6374

    public func changes(repository: String, machine: String) async throws(StoreError) -> [ChangeRecord] {
        try await transaction { connection, logger in
            try await Self.changeRecords(connection.query("""
                SELECT change_point.id, benchmark, sha, kind, unit, before, after, p_value, detected_at
                FROM change_point JOIN repository ON repository.id = change_point.repository_id
                WHERE repository.name = \(repository) AND change_point.machine = \(machine) ORDER BY change_point.id
                """, logger: logger))
        }
    }

    public func saveChanges(repository: String, machine: String, new: [ChangeRecord], moved: [ChangeRecord]) async throws(StoreError) -> [ChangeRecord] {
        try await transaction { connection, logger in
            guard let repositoryID = try await Self.ids(connection.query("SELECT id FROM repository WHERE name = \(repository)", logger: logger)).first
            else { return [] }
            for change in moved {
                guard let id = change.id else { continue }
                // As SQLite's `UPDATE OR IGNORE`: a move onto a commit that holds the benchmark's change already is left out.
                try await connection.query("""
                    UPDATE change_point SET sha = \(change.commit.hex), before = \(change.before), after = \(change.after),
                        p_value = \(change.pValue), updated_at = \(change.detectedAt.storeValue)
                    WHERE id = \(id) AND NOT EXISTS (
                        SELECT 1 FROM change_point AS other WHERE other.repository_id = change_point.repository_id
                          AND other.machine = change_point.machine AND other.benchmark = change_point.benchmark
                          AND other.sha = \(change.commit.hex) AND other.id <> change_point.id)
                    """, logger: logger)
            }
            var inserted: [ChangeRecord] = []
            for change in new {
                let id = try await Self.ids(connection.query("""
                    INSERT INTO change_point (repository_id, machine, benchmark, sha, kind, unit, before, after, p_value, detected_at, updated_at)
                    VALUES (\(repositoryID), \(machine), \(change.benchmark), \(change.commit.hex), \(change.kind.rawValue), \(change.unit),
                            \(change.before), \(change.after), \(change.pValue), \(change.detectedAt.storeValue), \(change.detectedAt.storeValue))
                    ON CONFLICT (repository_id, machine, benchmark, sha) DO NOTHING RETURNING id
                    """, logger: logger)).first
                if let id {
                    var stored = change
                    stored.id = id
                    inserted.append(stored)
                }
            }
            return inserted
        }
    }

    static func changeRecords(_ rows: PostgresRowSequence) async throws -> [ChangeRecord] {
        var found: [ChangeRecord] = []
        for try await (id, benchmark, sha, kind, unit, before, after, pValue, detectedAt)
            in rows.decode((Int64, String, String, String, String, Double, Double, Double, Double).self) {
            guard let commit = ObjectID(hex: sha), let kind = ChangeKind(rawValue: kind) else { continue }
            found.append(ChangeRecord(id: id, benchmark: benchmark, commit: commit, kind: kind, unit: unit, before: before, after: after,
                                      pValue: pValue, detectedAt: Date(storeValue: detectedAt)))
        }
        return found
    }

    public func holdSuspects(_ suspicion: Suspicion, now: Date) async throws(StoreError) -> [SuspectRecord] {
        try await transaction { connection, logger in try await Self.hold(connection, logger, suspicion, now: now.storeValue) }
    }

    public func suspects(repository: String, machine: String) async throws(StoreError) -> [SuspectRecord] {
        try await transaction { connection, logger in
            try await Self.suspects(connection.query("""
                SELECT suspect.* FROM suspect JOIN repository ON repository.id = suspect.repository_id
                WHERE repository.name = \(repository) AND suspect.machine = \(machine) ORDER BY suspect.id
                """, logger: logger))
        }
    }

    public func heldSuspects(confirmationJobID: Int64) async throws(StoreError) -> [SuspectRecord] {
        try await transaction { connection, logger in
            try await Self.suspects(connection.query("""
                SELECT * FROM suspect WHERE confirmation_job_id = \(confirmationJobID) AND state = 'held' ORDER BY id
                """, logger: logger))
        }
    }

    public func resolveSuspects(_ resolutions: [SuspectResolution], confirmationJobID: Int64, notifications: [OutgoingMessage],
                                now: Date) async throws(StoreError) {
        try await transaction { connection, logger in
            try await Self.resolve(connection, logger, resolutions, jobID: confirmationJobID, now: now.storeValue)
            try await Self.insertNotifications(connection, logger, notifications, runID: nil, now: now)
        }
    }

    /// As ``SQLiteStore/hold(_:_:now:)``, inside the caller's transaction.
    static func hold(_ connection: PostgresConnection, _ logger: Logger, _ suspicion: Suspicion, now: Double) async throws -> [SuspectRecord] {
        let request = suspicion.confirmation
        guard let commit = request.commits.first else { return [] }
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.suspectLock))", logger: logger)
        let repositoryID = try await upsertRepository(connection, logger, name: request.repository, url: request.repositoryURL, now: now)
        var fresh: [SuspectRecord] = []
        for suspect in suspicion.suspects {
            let known = try await ids(connection.query("""
                SELECT id FROM suspect WHERE repository_id = \(repositoryID) AND machine = \(request.machine) AND sha = \(suspect.commit.hex)
                  AND benchmark = \(suspect.benchmark) AND kind = \(suspect.kind.rawValue) LIMIT 1
                """, logger: logger))
            if known.isEmpty { fresh.append(suspect) }
        }
        guard !fresh.isEmpty else { return [] }
        var rerun = request
        rerun.rerun = true
        _ = try await enqueue(connection, logger, rerun, now: now)
        guard let jobID = try await ids(connection.query("""
            SELECT id FROM job WHERE repository_id = \(repositoryID) AND sha = \(commit.id.hex) AND suite = \(request.suite)
              AND machine = \(request.machine)
            """, logger: logger)).first else { return [] }
        // A confirmation job already queued keeps its place, but the new suspects must be decided at high priority.
        try await connection.query("UPDATE job SET priority = GREATEST(priority, \(request.priority)) WHERE id = \(jobID) AND state = 'queued'",
                                   logger: logger)
        var held: [SuspectRecord] = []
        for suspect in fresh {
            guard let id = try await ids(connection.query("""
                INSERT INTO suspect (repository_id, machine, sha, benchmark, kind, origin, baseline_sha, run_job_id, state,
                                     confirmation_job_id, ratio, created_at)
                VALUES (\(repositoryID), \(request.machine), \(suspect.commit.hex), \(suspect.benchmark), \(suspect.kind.rawValue),
                        \(suspect.origin.rawValue), \(suspect.baseline.hex), \(suspect.runJobID), 'held', \(jobID), \(suspect.ratio), \(now))
                RETURNING id
                """, logger: logger)).first else { continue }
            var stored = suspect
            stored.id = id
            stored.confirmationJobID = jobID
            stored.state = .held
            held.append(stored)
        }
        return held
    }

    /// Records a confirmation job's verdicts inside the caller's transaction; a suspect decided
    /// already is left alone, so a verdict is recorded once.
    static func resolve(_ connection: PostgresConnection, _ logger: Logger, _ resolutions: [SuspectResolution], jobID: Int64, now: Double) async throws {
        for resolution in resolutions {
            try await connection.query("""
                UPDATE suspect SET state = \(resolution.confirmed ? "confirmed" : "refuted"), confirmed_ratio = \(resolution.measuredRatio),
                    resolved_at = \(now)
                WHERE id = \(resolution.suspectID) AND confirmation_job_id = \(jobID) AND state = 'held'
                """, logger: logger)
        }
    }

    static func suspects(_ rows: PostgresRowSequence) async throws -> [SuspectRecord] {
        var found: [SuspectRecord] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type = Value.self) throws -> Value {
                try cells[column].decode(Value.self)
            }
            guard let commit = ObjectID(hex: try value("sha", String.self)), let kind = ChangeKind(rawValue: try value("kind")),
                  let origin = SuspectRecord.Origin(rawValue: try value("origin")),
                  let state = SuspectRecord.State(rawValue: try value("state")) else { continue }
            found.append(SuspectRecord(
                id: try value("id"), commit: commit, benchmark: try value("benchmark"), kind: kind, origin: origin,
                baseline: try value("baseline_sha", String?.self).flatMap(ObjectID.init(hex:)) ?? commit,
                runJobID: try value("run_job_id"), state: state, confirmationJobID: try value("confirmation_job_id"),
                ratio: try value("ratio"), confirmedRatio: try value("confirmed_ratio"), createdAt: Date(storeValue: try value("created_at"))))
        }
        return found
    }
}
