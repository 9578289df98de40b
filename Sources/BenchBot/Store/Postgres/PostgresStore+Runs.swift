import Compare
public import Foundation
import Logging
public import Notify
import PostgresNIO

/// Runs and their results on PostgreSQL, in the same rows as ``SQLiteStore``'s.
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
        return try await transaction { connection, logger in
            // The job's row is locked and checked, the run inserted, and (unless suspects are to
            // be held first: holding one may queue this commit again, which must find it running)
            // the job finished, in one statement: every job of every worker pays these round trips.
            let finishesNow = suspicion == nil
            let held = try await Self.ids(connection.query("""
                WITH held AS (
                    SELECT id, repository_id, sha, suite, machine FROM job
                    WHERE id = \(run.jobID) AND state = 'running' AND lease_owner = \(run.worker) FOR UPDATE
                ), finished AS (
                    UPDATE job SET state = 'done', finished_at = \(finished), lease_owner = NULL, lease_expires_at = NULL, message = \(summary)
                    WHERE id IN (SELECT id FROM held) AND \(finishesNow)
                )
                INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, role)
                SELECT id, repository_id, sha, suite, machine, \(encoded.startedAt), \(encoded.finishedAt), \(encoded.environment),
                       \(encoded.experiments), \(pairedBaseline == nil ? nil : "candidate") FROM held
                RETURNING id
                """, logger: logger))
            guard let runID = held.first else { throw StoreError.leaseLost(name, jobID: run.jobID) }
            try await Self.insertResults(connection, logger, runID: runID, encoded)
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

    public func failJob(jobID: Int64, worker: String, message: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError) {
        let name = self.name
        try await transaction { connection, logger in
            let failed = try await Self.ids(connection.query("""
                UPDATE job SET state = 'failed', message = \(message), finished_at = \(now.storeValue), lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(worker) RETURNING id
                """, logger: logger))
            guard !failed.isEmpty else { throw StoreError.leaseLost(name, jobID: jobID) }
            try await Self.insertNotifications(connection, logger, notifications, runID: nil, now: now)
        }
    }

    public func runs(repository: String, commit: ObjectID) async throws(StoreError) -> [StoredRun] {
        let name = self.name
        return try await transaction { connection, logger in
            let rows = try await Self.runRows(connection.query("""
                SELECT run.* FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = \(repository) AND run.sha = \(commit.hex) ORDER BY run.id
                """, logger: logger))
            var runs: [StoredRun] = []
            for row in rows { runs.append(try await Self.loadRun(connection, logger, row, name: name)) }
            return runs
        }
    }

    public func run(id: Int64) async throws(StoreError) -> StoredRun? {
        let name = self.name
        return try await transaction { connection, logger in
            guard let row = try await Self.runRows(connection.query("SELECT * FROM run WHERE id = \(id)", logger: logger)).first else { return nil }
            return try await Self.loadRun(connection, logger, row, name: name)
        }
    }

    /// A run row's own columns, before its results are read.
    struct RunRow: Sendable {
        let id: Int64, jobID: Int64, commit: ObjectID, machine: String, suite: String
        let startedAt: Double, finishedAt: Double, environment: String, experiments: String, role: String?
    }

    static func runRows(_ rows: PostgresRowSequence) async throws -> [RunRow] {
        var found: [RunRow] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type = Value.self) throws -> Value {
                try cells[column].decode(Value.self)
            }
            found.append(RunRow(id: try value("id"), jobID: try value("job_id"), commit: ObjectID(hex: try value("sha", String.self)) ?? .zero,
                                machine: try value("machine"), suite: try value("suite"), startedAt: try value("started_at"),
                                finishedAt: try value("finished_at"), environment: try value("environment"),
                                experiments: try value("experiments"), role: try value("role")))
        }
        return found
    }

    /// A run with its results, noise and telemetry.
    static func loadRun(_ connection: PostgresConnection, _ logger: Logger, _ row: RunRow, name: String) async throws -> StoredRun {
        var results: [BenchmarkResult] = []
        var noise: [String: NoiseAssessment] = [:]
        let resultRows = try await connection.query("""
            SELECT benchmark, parameters, unit, direction, samples, rounds, sample_count, minimum, maximum, mean, median, standard_deviation
            FROM result WHERE run_id = \(row.id) ORDER BY id
            """, logger: logger)
        for try await (benchmark, parameters, unit, direction, samples, rounds, count, minimum, maximum, mean, median, deviation)
            in resultRows.decode((String, String, String, String, String, String?, Int?, Double?, Double?, Double?, Double?, Double?).self) {
            let result = BenchmarkResult(
                benchmark: benchmark, parameters: try SQLiteStore.decodeJSON([String: String].self, parameters, path: name), unit: unit,
                direction: Direction(rawValue: direction) ?? .lowerIsBetter, samples: try SQLiteStore.decodeJSON([Double].self, samples, path: name),
                rounds: try rounds.map { text throws in try SQLiteStore.decodeJSON([Int].self, text, path: name) })
            results.append(result)
            if let count, let minimum, let maximum, let mean, let median, let deviation {
                noise[result.displayName] = NoiseAssessment(SampleSummary(count: count, minimum: minimum, maximum: maximum, mean: mean,
                                                                          median: median, standardDeviation: deviation))
            }
        }
        var telemetry: [TelemetryRecord] = []
        let telemetryRows = try await connection.query("SELECT id, experiment, kind, document FROM telemetry WHERE run_id = \(row.id) ORDER BY id",
                                                       logger: logger)
        for try await (id, experiment, kind, text) in telemetryRows.decode((Int64, String, String, String).self) {
            guard let document = try? JSONValue.parse(Data(text.utf8)), let kind = TelemetryRecord.Kind(rawValue: kind) else {
                throw StoreError.corrupt(name, detail: "telemetry \(id) of run \(row.id) does not decode")
            }
            telemetry.append(TelemetryRecord(experiment: experiment, kind: kind, document: document))
        }
        return StoredRun(
            id: row.id, jobID: row.jobID, commit: row.commit, machine: row.machine, suite: row.suite,
            startedAt: Date(storeValue: row.startedAt), finishedAt: Date(storeValue: row.finishedAt),
            environment: try SQLiteStore.decodeJSON([String: String].self, row.environment, path: name),
            results: results, noise: noise,
            experiments: try SQLiteStore.decodeJSON([ExperimentOutcome].self, row.experiments, path: name),
            telemetry: telemetry, role: row.role)
    }

    /// Inserts a run of a job, with its results, as ``SQLiteStore/insertRun(_:jobID:_:commit:role:)`` does.
    ///
    /// Results go in batches of one statement each, as columns of arrays: an import of 90,000
    /// series is some twenty round trips, not 90,000. A missing statistic travels as NaN (or -1 for
    /// a count) and is stored as NULL, as SQLite stores a NaN.
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
        try await insertResults(connection, logger, runID: runID, run)
        return runID
    }

    /// A run's results, in batches of array parameters, and its telemetry.
    static func insertResults(_ connection: PostgresConnection, _ logger: Logger, runID: Int64, _ run: SQLiteStore.EncodedRun) async throws {
        for start in stride(from: 0, to: run.results.count, by: 4096) {
            let batch = run.results[start..<min(start + 4096, run.results.count)]
            let summaries = batch.map(\.noise.assessment)
            func statistic(_ value: (NoiseAssessment) -> Double?) -> [Double] { summaries.map { $0.flatMap(value) ?? .nan } }
            try await connection.query("""
                INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples, rounds, \(unescaped: NoiseColumns.names.joined(separator: ", ")))
                SELECT \(runID), benchmark, parameters, unit, direction, samples, NULLIF(rounds, ''), NULLIF(sample_count, -1),
                       NULLIF(median, 'NaN'), NULLIF(mean, 'NaN'), NULLIF(deviation, 'NaN'), NULLIF(minimum, 'NaN'), NULLIF(maximum, 'NaN'),
                       NULLIF(variation, 'NaN'), NULLIF(detectable, 'NaN'), NULLIF(noisy, -1)
                FROM UNNEST(\(batch.map(\.benchmark))::text[], \(batch.map(\.parameters))::text[], \(batch.map(\.unit))::text[],
                            \(batch.map(\.direction))::text[], \(batch.map(\.samples))::text[], \(batch.map { $0.rounds ?? "" })::text[],
                            \(summaries.map { $0.map { Int64($0.summary.count) } ?? -1 })::bigint[],
                            \(statistic(\.summary.median))::float8[], \(statistic(\.summary.mean))::float8[],
                            \(statistic(\.summary.standardDeviation))::float8[], \(statistic(\.summary.minimum))::float8[],
                            \(statistic(\.summary.maximum))::float8[], \(statistic(\.summary.coefficientOfVariation))::float8[],
                            \(statistic(\.minimumDetectableChange))::float8[],
                            \(summaries.map { $0.map { $0.canResolve() ? Int64(0) : 1 } ?? -1 })::bigint[])
                    WITH ORDINALITY AS given (benchmark, parameters, unit, direction, samples, rounds, sample_count, median, mean, deviation,
                                              minimum, maximum, variation, detectable, noisy, position)
                ORDER BY position
                """, logger: logger)
        }
        for record in run.telemetry {
            try await connection.query("""
                INSERT INTO telemetry (run_id, experiment, kind, document) VALUES (\(runID), \(record.experiment), \(record.kind), \(record.document))
                """, logger: logger)
        }
    }
}
