import Compare
import Foundation
import Logging
import PostgresNIO

/// Storing a worker's run on PostgreSQL: the statement that holds the job, stores the run and its
/// results and finishes the job, and what goes with it.
extension PostgresStore {
    public func recordRun(_ run: RunRecord) async throws(StoreError) -> Int64 {
        let name = self.name
        let encoded = try SQLiteStore.EncodedRun(startedAt: run.startedAt, finishedAt: run.finishedAt, environment: run.environment,
                                                 experiments: run.experiments, results: run.results, telemetry: run.telemetry, path: name)
        let pairedBaseline = try run.pairedBaseline.map { baseline throws(StoreError) in
            (baseline.commit, try SQLiteStore.EncodedRun(startedAt: run.startedAt, finishedAt: run.finishedAt, environment: run.environment,
                                                         experiments: [], results: baseline.results, telemetry: [], path: name))
        }
        let notifications = run.notifications, suspicion = run.suspicion, resolutions = run.resolutions
        let finished = run.finishedAt.storeValue, summary = run.failureSummary
        // Holding a suspect may queue this commit again, which must find its job still running:
        // such a job is finished last, after the suspects are held.
        let finishesNow = suspicion == nil
        let stored = try Self.storeRun(run.jobID, worker: run.worker, encoded, role: pairedBaseline == nil ? nil : "candidate",
                                       finish: finishesNow ? (finished, summary) : nil)
        let rest = encoded.results.dropFirst(Self.resultBatch)
        // Most runs are this statement alone, its own transaction: one round trip, where BEGIN and
        // COMMIT around it would make three, paid by every job of every worker.
        if rest.isEmpty, encoded.telemetry.isEmpty, pairedBaseline == nil, notifications.isEmpty, suspicion == nil, resolutions.isEmpty {
            let runID = try await statement { connection, logger in try await Self.ids(connection.query(stored, logger: logger)).first }
            guard let runID else { throw .leaseLost(name, jobID: run.jobID) }
            return runID
        }
        return try await transaction { connection, logger in
            guard let runID = try await Self.ids(connection.query(stored, logger: logger)).first else {
                throw StoreError.leaseLost(name, jobID: run.jobID)
            }
            try await Self.insertResults(connection, logger, runID: runID, rest, telemetry: encoded.telemetry)
            if let (commit, baseline) = pairedBaseline {
                _ = try await Self.insertRun(connection, logger, jobID: run.jobID, baseline, commit: commit, role: "baseline")
            }
            try await Self.insertNotifications(connection, logger, notifications, runID: runID, now: run.finishedAt)
            if let suspicion { _ = try await Self.hold(connection, logger, suspicion, now: finished) }
            try await Self.resolve(connection, logger, resolutions, jobID: run.jobID, now: finished)
            if !finishesNow {
                try await connection.query("""
                    UPDATE job SET state = 'done', finished_at = \(finished), lease_owner = NULL, lease_expires_at = NULL, message = \(summary)
                    WHERE id = \(run.jobID)
                    """, logger: logger)
            }
            return runID
        }
    }

    /// One statement that locks the job if `worker` still holds its lease, inserts the run and
    /// its first batch of results, and finishes the job when `finish` says when; it returns the
    /// run's id, or no row when the lease is lost.
    static func storeRun(_ jobID: Int64, worker: String, _ run: SQLiteStore.EncodedRun, role: String?,
                         finish: (at: Double, message: String?)?) throws(StoreError) -> PostgresQuery {
        do {
            var sql: PostgresQuery = """
                WITH held AS (
                    SELECT id, repository_id, sha, suite, machine FROM job
                    WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(worker) FOR UPDATE
                ), finished AS (
                    UPDATE job SET state = 'done', finished_at = \(finish?.at), lease_owner = NULL, lease_expires_at = NULL, message = \(finish?.message)
                    WHERE id IN (SELECT id FROM held) AND \(finish != nil)
                ), inserted AS (
                    INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, role)
                    SELECT id, repository_id, sha, suite, machine, \(run.startedAt), \(run.finishedAt), \(run.environment), \(run.experiments), \(role)
                    FROM held
                    RETURNING id
                ), results AS (

                """
            // A statement's data-modifying CTEs all run to completion, read by the last SELECT or not.
            try appendResults(run.results.prefix(resultBatch), runID: "inserted.id", from: "inserted CROSS JOIN ", to: &sql)
            sql.sql += "\n)\nSELECT id FROM inserted"
            return sql
        } catch {
            throw .unavailable("run of job \(jobID)", detail: "its statement could not be written: \(error)")
        }
    }

    /// Inserts a run of a job, with its results, as ``SQLiteStore/insertRun(_:jobID:_:commit:role:)`` does.
    static func insertRun(_ connection: PostgresConnection, _ logger: Logger, jobID: Int64, _ run: SQLiteStore.EncodedRun,
                          commit: ObjectID? = nil, role: String? = nil) async throws -> Int64 {
        guard let runID = try await ids(connection.query("""
            INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, role)
            SELECT id, repository_id, COALESCE(\(commit?.hex), sha), suite, machine, \(run.startedAt), \(run.finishedAt), \(run.environment),
                   \(run.experiments), \(role) FROM job WHERE id = \(jobID)
            RETURNING id
            """, logger: logger)).first else {
            throw StoreError.unavailable("job \(jobID)", detail: "the job of a run being stored vanished inside its own transaction")
        }
        try await insertResults(connection, logger, runID: runID, run.results[...], telemetry: run.telemetry)
        return runID
    }

    /// Results per statement: an import of 90,000 series is some twenty round trips, not 90,000.
    static let resultBatch = 4096

    /// A run's results, in batches of array parameters, and its telemetry.
    static func insertResults(_ connection: PostgresConnection, _ logger: Logger, runID: Int64,
                              _ results: ArraySlice<SQLiteStore.EncodedRun.ResultRow>,
                              telemetry: [(experiment: String, kind: String, document: String)]) async throws {
        for start in stride(from: results.startIndex, to: results.endIndex, by: resultBatch) {
            var sql: PostgresQuery = ""
            try appendResults(results[start..<min(start + resultBatch, results.endIndex)], runID: String(runID), from: "", to: &sql)
            try await connection.query(sql, logger: logger)
        }
        for record in telemetry {
            try await connection.query("""
                INSERT INTO telemetry (run_id, experiment, kind, document) VALUES (\(runID), \(record.experiment), \(record.kind), \(record.document))
                """, logger: logger)
        }
    }

    /// Appends `INSERT INTO result … SELECT` of `batch`, given as one array parameter per column, to
    /// `sql`. `runID` is the SQL of the run's id: a number, or a column of a CTE that `from` joins.
    ///
    /// A missing statistic travels as NaN (or -1 for a count) and is stored as NULL, as SQLite
    /// stores a NaN.
    static func appendResults(_ batch: ArraySlice<SQLiteStore.EncodedRun.ResultRow>, runID: String, from: String,
                              to sql: inout PostgresQuery) throws {
        let summaries = batch.map(\.noise.assessment)
        func statistic(_ value: (NoiseAssessment) -> Double?) -> [Double] { summaries.map { $0.flatMap(value) ?? .nan } }
        let columns: [(values: any PostgresThrowingDynamicTypeEncodable, type: String)] = [
            (batch.map(\.benchmark), "text[]"), (batch.map(\.parameters), "text[]"), (batch.map(\.unit), "text[]"),
            (batch.map(\.direction), "text[]"), (batch.map(\.samples), "text[]"), (batch.map { $0.rounds ?? "" }, "text[]"),
            (summaries.map { $0.map { Int64($0.summary.count) } ?? -1 }, "bigint[]"),
            (statistic(\.summary.median), "float8[]"), (statistic(\.summary.mean), "float8[]"),
            (statistic(\.summary.standardDeviation), "float8[]"), (statistic(\.summary.minimum), "float8[]"),
            (statistic(\.summary.maximum), "float8[]"), (statistic(\.summary.coefficientOfVariation), "float8[]"),
            (statistic(\.minimumDetectableChange), "float8[]"),
            (summaries.map { $0.map { $0.canResolve() ? Int64(0) : 1 } ?? -1 }, "bigint[]"),
        ]
        sql.sql += """
            INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples, rounds, \(NoiseColumns.names.joined(separator: ", ")))
            SELECT \(runID), benchmark, parameters, unit, direction, samples, NULLIF(rounds, ''), NULLIF(sample_count, -1),
                   NULLIF(median, 'NaN'), NULLIF(mean, 'NaN'), NULLIF(deviation, 'NaN'), NULLIF(minimum, 'NaN'), NULLIF(maximum, 'NaN'),
                   NULLIF(variation, 'NaN'), NULLIF(detectable, 'NaN'), NULLIF(noisy, -1)
            FROM \(from)UNNEST(
            """
        for (index, column) in columns.enumerated() {
            try sql.binds.append(column.values)
            sql.sql += (index == 0 ? "" : ", ") + "$\(sql.binds.count)::\(column.type)"
        }
        sql.sql += """
            )
                WITH ORDINALITY AS given (benchmark, parameters, unit, direction, samples, rounds, sample_count, median, mean, deviation,
                                          minimum, maximum, variation, detectable, noisy, position)
            ORDER BY position
            """
    }
}
