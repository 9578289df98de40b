import Compare
public import Foundation
import GRDB

extension SQLiteStore {
    public func recordRun(_ run: RunRecord) async throws(StoreError) -> Int64 {
        let path = self.path
        let encoded = try EncodedRun(startedAt: run.startedAt, finishedAt: run.finishedAt, environment: run.environment,
                                     experiments: run.experiments, results: run.results, telemetry: run.telemetry, path: path)
        let pairedBaseline = try run.pairedBaseline.map { baseline throws(StoreError) in
            (baseline.commit, try EncodedRun(startedAt: run.startedAt, finishedAt: run.finishedAt, environment: run.environment,
                                             experiments: [], results: baseline.results, telemetry: [], path: path))
        }
        let notifications = run.notifications, suspicion = run.suspicion, resolutions = run.resolutions
        return try await write { db in
            guard try Row.fetchOne(db, sql: """
                SELECT 1 FROM job WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [run.jobID, run.worker]) != nil
            else { throw StoreError.leaseLost(path, jobID: run.jobID) }
            let runID = try Self.insertRun(db, jobID: run.jobID, encoded, role: pairedBaseline == nil ? nil : "candidate")
            if let (commit, baseline) = pairedBaseline {
                _ = try Self.insertRun(db, jobID: run.jobID, baseline, commit: commit, role: "baseline")
            }
            try Self.insertNotifications(db, notifications, runID: runID, now: run.finishedAt)
            if let suspicion { _ = try Self.hold(db, suspicion, now: run.finishedAt.storeValue) }
            try Self.resolve(db, resolutions, jobID: run.jobID, now: run.finishedAt.storeValue)
            try db.execute(sql: """
                UPDATE job SET state = 'done', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, message = ?
                WHERE id = ?
                """, arguments: [run.finishedAt.storeValue, run.failureSummary, run.jobID])
            return runID
        }
    }

    public func importRun(
        _ request: EnqueueRequest, startedAt: Date, finishedAt: Date, environment: [String: String], results: [BenchmarkResult],
        failures: [BenchmarkFailure], contentDigests: [String], replace: Bool
    ) async throws(StoreError) -> ImportedRun {
        let path = self.path
        guard let commit = request.commits.first, request.commits.count == 1 else {
            throw StoreError.unavailable(path, detail: "an import names exactly one commit")
        }
        let outcomes = failures.map { failure in
            ExperimentOutcome(experiment: failure.benchmark, succeeded: false, failedStage: "run", message: failure.reason,
                              startedAt: startedAt, finishedAt: finishedAt)
        }
        let encoded = try EncodedRun(startedAt: startedAt, finishedAt: finishedAt, environment: environment,
                                     experiments: outcomes, results: results, telemetry: [], path: path)
        let series = Set(results.map(\.displayName))
        return try await write { db in
            let repositoryID = try Self.upsertRepository(db, name: request.repository, url: request.repositoryURL, now: startedAt.storeValue)
            try Self.insertCommit(db, repositoryID: repositoryID, commit)
            try db.execute(sql: """
                INSERT INTO job (repository_id, sha, suite, machine, branch, source, state, max_attempts, enqueued_at)
                VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?)
                ON CONFLICT (repository_id, sha, suite, machine) DO NOTHING
                """, arguments: [repositoryID, commit.id.hex, request.suite, request.machine, request.branch,
                                 request.source.rawValue, request.maxAttempts, startedAt.storeValue])
            let jobID = try Int64.fetchOne(db, sql: """
                SELECT id FROM job WHERE repository_id = ? AND sha = ? AND suite = ? AND machine = ?
                """, arguments: [repositoryID, commit.id.hex, request.suite, request.machine])!
            let imported = try Self.importedRuns(db, jobID: jobID)
            let outcome: ImportedRun.Outcome
            if let current = imported.last {
                let stored = Set(imported.flatMap(\.digests))
                if replace ? (imported.count == 1 && Set(current.digests) == Set(contentDigests)) : Set(contentDigests).isSubset(of: stored) {
                    return ImportedRun(id: current.id, outcome: .unchanged)
                }
                // The import checked this before storing anything; another import may have added since.
                if !replace, let clash = try Self.seriesNames(db, runID: current.id).intersection(series).sorted().first {
                    throw StoreError.unavailable(path, detail: """
                        run \(current.id) of commit \(commit.id.short) already holds '\(clash)'; \
                        pass --replace to replace that commit's imported run
                        """)
                }
                outcome = replace ? .replaced : .added
            } else {
                outcome = .created
            }
            let runID = try Self.supersedeImportedRuns(db, jobID: jobID, imported, with: encoded, environment: environment,
                                                       digests: contentDigests, replace: replace, path: path)
            // A queued job for this commit is answered by the import; a running one finishes on its own.
            try db.execute(sql: """
                UPDATE job SET state = 'done', finished_at = ?, message = NULL WHERE id = ? AND state IN ('queued', 'failed', 'cancelled')
                """, arguments: [finishedAt.storeValue, jobID])
            return ImportedRun(id: runID, outcome: outcome)
        }
    }

    public func runs(repository: String, commit: ObjectID) async throws(StoreError) -> [StoredRun] {
        let path = self.path
        return try await read { db in
            let runRows = try Row.fetchAll(db, sql: """
                SELECT run.* FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = ? AND run.sha = ? ORDER BY run.id
                """, arguments: [repository, commit.hex])
            return try runRows.map { row in try Self.loadRun(db, row, commit: commit, path: path) }
        }
    }

    /// A run row with its results, noise and telemetry.
    static func loadRun(_ db: Database, _ row: Row, commit: ObjectID, path: String) throws -> StoredRun {
        let resultRows = try Row.fetchAll(db, sql: "SELECT * FROM result WHERE run_id = ? ORDER BY id", arguments: [row["id"]])
        var noise: [String: NoiseAssessment] = [:]
        let results = try resultRows.map { result in
            BenchmarkResult(
                benchmark: result["benchmark"],
                parameters: try Self.decodeJSON([String: String].self, result["parameters"], path: path),
                unit: result["unit"],
                direction: Direction(rawValue: result["direction"]) ?? .lowerIsBetter,
                samples: try Self.decodeJSON([Double].self, result["samples"], path: path),
                rounds: try (result["rounds"] as String?).map { text throws in try Self.decodeJSON([Int].self, text, path: path) })
        }
        for (row, result) in zip(resultRows, results) { noise[result.displayName] = NoiseColumns.assessment(from: row) }
        let telemetry = try Row.fetchAll(db, sql: "SELECT * FROM telemetry WHERE run_id = ? ORDER BY id", arguments: [row["id"]]).map { record in
            let text: String = record["document"]
            guard let document = try? JSONValue.parse(Data(text.utf8)), let kind = TelemetryRecord.Kind(rawValue: record["kind"]) else {
                throw StoreError.corrupt(path, detail: "telemetry \(record["id"] ?? "?") of run \(row["id"] ?? "?") does not decode")
            }
            return TelemetryRecord(experiment: record["experiment"], kind: kind, document: document)
        }
        return StoredRun(
            id: row["id"], jobID: row["job_id"], commit: commit, machine: row["machine"], suite: row["suite"],
            startedAt: Date(storeValue: row["started_at"]), finishedAt: Date(storeValue: row["finished_at"]),
            environment: try Self.decodeJSON([String: String].self, row["environment"], path: path),
            results: results, noise: noise,
            experiments: try Self.decodeJSON([ExperimentOutcome].self, row["experiments"], path: path),
            telemetry: telemetry, role: row["role"])
    }

    /// A run's JSON columns, encoded before the transaction so it holds the lock no longer than needed.
    struct EncodedRun: Sendable {
        let startedAt: Double
        let finishedAt: Double
        let environment: String
        let experiments: String
        /// A result as its row stores it: the parameters, samples and rounds as JSON.
        typealias ResultRow = (benchmark: String, parameters: String, unit: String, direction: String, samples: String, rounds: String?,
                               noise: NoiseColumns)
        let results: [ResultRow]
        let telemetry: [(experiment: String, kind: String, document: String)]

        init(startedAt: Date, finishedAt: Date, environment: [String: String], experiments: [ExperimentOutcome],
             results: [BenchmarkResult], telemetry: [TelemetryRecord], path: String) throws(StoreError) {
            self.telemetry = telemetry.map { ($0.experiment, $0.kind.rawValue, String(decoding: $0.document.compactJSON(), as: UTF8.self)) }
            self.startedAt = startedAt.storeValue
            self.finishedAt = finishedAt.storeValue
            self.environment = try SQLiteStore.encodeJSON(environment, path: path)
            self.experiments = try SQLiteStore.encodeJSON(experiments, path: path)
            self.results = try results.map { result throws(StoreError) in
                (result.benchmark, try SQLiteStore.encodeJSON(result.parameters, path: path), result.unit,
                 result.direction.rawValue, try SQLiteStore.encodeJSON(result.samples, path: path),
                 try result.rounds.map { rounds throws(StoreError) in try SQLiteStore.encodeJSON(rounds, path: path) }, NoiseColumns(result.samples))
            }
        }
    }

    /// Inserts a run of a job, with its results; the run takes the job's commit, suite and machine.
    ///
    /// - Parameters:
    ///   - commit: The commit measured, when it is not the job's: a paired run's baseline.
    ///   - role: `candidate` or `baseline` for the halves of a paired A/B run.
    static func insertRun(_ db: Database, jobID: Int64, _ run: EncodedRun, commit: ObjectID? = nil, role: String? = nil) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, role)
            SELECT id, repository_id, COALESCE(?, sha), suite, machine, ?, ?, ?, ?, ? FROM job WHERE id = ?
            """, arguments: [commit?.hex, run.startedAt, run.finishedAt, run.environment, run.experiments, role, jobID])
        let runID = db.lastInsertedRowID
        for result in run.results {
            try db.execute(sql: """
                INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples, rounds, \(NoiseColumns.names.joined(separator: ", ")))
                VALUES (?, ?, ?, ?, ?, ?, ?, \(NoiseColumns.names.map { _ in "?" }.joined(separator: ", ")))
                """, arguments: [runID, result.benchmark, result.parameters, result.unit, result.direction, result.samples, result.rounds]
                    + result.noise.arguments)
        }
        for record in run.telemetry {
            try db.execute(sql: "INSERT INTO telemetry (run_id, experiment, kind, document) VALUES (?, ?, ?, ?)",
                           arguments: [runID, record.experiment, record.kind, record.document])
        }
        return runID
    }

    static func encodeJSON(_ value: some Encodable, path: String) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .unavailable(path, detail: "cannot encode a value to store: \(error)")
        }
    }

    static func decodeJSON<Value: Decodable>(_ type: Value.Type, _ text: String, path: String) throws -> Value {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(path, detail: "a stored JSON column does not decode: \(error)")
        }
    }
}
