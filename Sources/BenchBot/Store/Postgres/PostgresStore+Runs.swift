import Compare
public import Foundation
import Logging
public import Notify
import PostgresNIO

/// Runs and their results on PostgreSQL, in the same rows as ``SQLiteStore``'s.
extension PostgresStore {
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
}
