import Compare
public import Foundation
import GRDB
public import Notify

extension SQLiteStore {
    public func holdSuspects(_ suspicion: Suspicion, now: Date) async throws(StoreError) -> [SuspectRecord] {
        try await write { db in try Self.hold(db, suspicion, now: now.storeValue) }
    }

    public func suspects(repository: String, machine: String) async throws(StoreError) -> [SuspectRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT suspect.* FROM suspect JOIN repository ON repository.id = suspect.repository_id
                WHERE repository.name = ? AND suspect.machine = ? ORDER BY suspect.id
                """, arguments: [repository, machine]).compactMap(Self.suspect(from:))
        }
    }

    public func heldSuspects(confirmationJobID: Int64) async throws(StoreError) -> [SuspectRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM suspect WHERE confirmation_job_id = ? AND state = 'held' ORDER BY id",
                             arguments: [confirmationJobID]).compactMap(Self.suspect(from:))
        }
    }

    public func resolveSuspects(_ resolutions: [SuspectResolution], confirmationJobID: Int64, notifications: [OutgoingMessage],
                                now: Date) async throws(StoreError) {
        try await write { db in
            try Self.resolve(db, resolutions, jobID: confirmationJobID, now: now.storeValue)
            try Self.insertNotifications(db, notifications, runID: nil, now: now)
        }
    }

    /// Queues the confirmation job (again, if it ran before) and stores the suspects it decides,
    /// inside the caller's transaction. A suspect already known by commit, benchmark and kind is
    /// not stored again: it is decided, or being decided, already.
    ///
    /// - Returns: The suspects stored now.
    static func hold(_ db: Database, _ suspicion: Suspicion, now: Double) throws -> [SuspectRecord] {
        let request = suspicion.confirmation
        guard let commit = request.commits.first else { return [] }
        let repositoryID = try upsertRepository(db, name: request.repository, url: request.repositoryURL, now: now)
        var fresh: [SuspectRecord] = []
        for suspect in suspicion.suspects {
            guard try !Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM suspect WHERE repository_id = ? AND machine = ? AND sha = ? AND benchmark = ? AND kind = ?)
                """, arguments: [repositoryID, request.machine, suspect.commit.hex, suspect.benchmark, suspect.kind.rawValue])! else { continue }
            fresh.append(suspect)
        }
        guard !fresh.isEmpty else { return [] }
        var rerun = request
        rerun.rerun = true
        _ = try enqueue(db, rerun, now: now)
        guard let jobID = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE repository_id = ? AND sha = ? AND suite = ? AND machine = ?",
                                             arguments: [repositoryID, commit.id.hex, request.suite, request.machine]) else { return [] }
        // A confirmation job already queued keeps its place, but the new suspects must be decided at high priority.
        try db.execute(sql: "UPDATE job SET priority = max(priority, ?) WHERE id = ? AND state = 'queued'", arguments: [request.priority, jobID])
        return try fresh.map { suspect in
            try db.execute(sql: """
                INSERT INTO suspect (repository_id, machine, sha, benchmark, kind, origin, baseline_sha, run_job_id, state,
                                     confirmation_job_id, ratio, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'held', ?, ?, ?)
                """, arguments: [repositoryID, request.machine, suspect.commit.hex, suspect.benchmark, suspect.kind.rawValue,
                                 suspect.origin.rawValue, suspect.baseline.hex, suspect.runJobID, jobID, suspect.ratio, now])
            var stored = suspect
            stored.id = db.lastInsertedRowID
            stored.confirmationJobID = jobID
            stored.state = .held
            return stored
        }
    }

    /// Records a confirmation job's verdicts inside the caller's transaction; a suspect decided
    /// already is left alone, so a verdict is recorded once.
    static func resolve(_ db: Database, _ resolutions: [SuspectResolution], jobID: Int64, now: Double) throws {
        for resolution in resolutions {
            try db.execute(sql: """
                UPDATE suspect SET state = ?, confirmed_ratio = ?, resolved_at = ? WHERE id = ? AND confirmation_job_id = ? AND state = 'held'
                """, arguments: [resolution.confirmed ? "confirmed" : "refuted", resolution.measuredRatio, now, resolution.suspectID, jobID])
        }
    }

    static func suspect(from row: Row) -> SuspectRecord? {
        guard let commit = ObjectID(hex: row["sha"]), let kind = ChangeKind(rawValue: row["kind"]),
              let origin = SuspectRecord.Origin(rawValue: row["origin"]), let state = SuspectRecord.State(rawValue: row["state"]) else { return nil }
        return SuspectRecord(id: row["id"], commit: commit, benchmark: row["benchmark"], kind: kind, origin: origin,
                             baseline: (row["baseline_sha"] as String?).flatMap(ObjectID.init(hex:)) ?? commit,
                             runJobID: row["run_job_id"], state: state, confirmationJobID: row["confirmation_job_id"],
                             ratio: row["ratio"], confirmedRatio: row["confirmed_ratio"], createdAt: Date(storeValue: row["created_at"]))
    }
}
