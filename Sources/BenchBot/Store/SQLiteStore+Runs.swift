import Compare
public import Foundation
import GRDB

extension SQLiteStore {
    public func recordRun(_ run: RunRecord) async throws(StoreError) -> Int64 {
        let path = self.path
        let environment = try Self.encodeJSON(run.environment, path: path)
        let experiments = try Self.encodeJSON(run.experiments, path: path)
        let results = try run.results.map { result throws(StoreError) in
            (result, try Self.encodeJSON(result.parameters, path: path), try Self.encodeJSON(result.samples, path: path))
        }
        return try await write { db in
            guard let job = try Row.fetchOne(db, sql: """
                SELECT repository_id, sha, suite, machine FROM job WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [run.jobID, run.worker])
            else { throw StoreError.leaseLost(path, jobID: run.jobID) }
            try db.execute(sql: """
                INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [run.jobID, job["repository_id"], job["sha"], job["suite"], job["machine"],
                                 run.startedAt.storeValue, run.finishedAt.storeValue, environment, experiments])
            let runID = db.lastInsertedRowID
            for (result, parameters, samples) in results {
                try db.execute(sql: """
                    INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [runID, result.benchmark, parameters, result.unit, result.direction.rawValue, samples])
            }
            try db.execute(sql: """
                UPDATE job SET state = 'done', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, message = ?
                WHERE id = ?
                """, arguments: [run.finishedAt.storeValue, run.failureSummary, run.jobID])
            return runID
        }
    }

    public func importRun(
        _ request: EnqueueRequest, startedAt: Date, finishedAt: Date, environment: [String: String], results: [BenchmarkResult]
    ) async throws(StoreError) -> Int64 {
        let path = self.path
        guard let commit = request.commits.first, request.commits.count == 1 else {
            throw StoreError.unavailable(path, detail: "an import names exactly one commit")
        }
        let environmentJSON = try Self.encodeJSON(environment, path: path)
        let encoded = try results.map { result throws(StoreError) in
            (result, try Self.encodeJSON(result.parameters, path: path), try Self.encodeJSON(result.samples, path: path))
        }
        return try await write { db in
            let repositoryID = try Self.upsertRepository(db, name: request.repository, url: request.repositoryURL, now: startedAt.storeValue)
            try db.execute(sql: """
                INSERT INTO commit_info (repository_id, sha, parents, author_name, author_email, author_time, subject)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [repositoryID, commit.id.hex, commit.parents.map(\.hex).joined(separator: " "),
                                 commit.authorName, commit.authorEmail, commit.authorTime.storeValue, commit.subject])
            try db.execute(sql: """
                INSERT INTO job (repository_id, sha, suite, machine, branch, source, state, max_attempts, enqueued_at)
                VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?)
                ON CONFLICT (repository_id, sha, suite, machine) DO NOTHING
                """, arguments: [repositoryID, commit.id.hex, request.suite, request.machine, request.branch,
                                 request.source.rawValue, request.maxAttempts, startedAt.storeValue])
            let jobID = try Int64.fetchOne(db, sql: """
                SELECT id FROM job WHERE repository_id = ? AND sha = ? AND suite = ? AND machine = ?
                """, arguments: [repositoryID, commit.id.hex, request.suite, request.machine])!
            try db.execute(sql: """
                INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [jobID, repositoryID, commit.id.hex, request.suite, request.machine,
                                 startedAt.storeValue, finishedAt.storeValue, environmentJSON])
            let runID = db.lastInsertedRowID
            for (result, parameters, samples) in encoded {
                try db.execute(sql: """
                    INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [runID, result.benchmark, parameters, result.unit, result.direction.rawValue, samples])
            }
            // A queued job for this commit is answered by the import; a running one finishes on its own.
            try db.execute(sql: """
                UPDATE job SET state = 'done', finished_at = ?, message = NULL WHERE id = ? AND state IN ('queued', 'failed', 'cancelled')
                """, arguments: [finishedAt.storeValue, jobID])
            return runID
        }
    }

    public func runs(repository: String, commit: ObjectID) async throws(StoreError) -> [StoredRun] {
        let path = self.path
        return try await read { db in
            let runRows = try Row.fetchAll(db, sql: """
                SELECT run.* FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = ? AND run.sha = ? ORDER BY run.id
                """, arguments: [repository, commit.hex])
            return try runRows.map { row in
                let resultRows = try Row.fetchAll(db, sql: "SELECT * FROM result WHERE run_id = ? ORDER BY id", arguments: [row["id"]])
                let results = try resultRows.map { result in
                    BenchmarkResult(
                        benchmark: result["benchmark"],
                        parameters: try Self.decodeJSON([String: String].self, result["parameters"], path: path),
                        unit: result["unit"],
                        direction: Direction(rawValue: result["direction"]) ?? .lowerIsBetter,
                        samples: try Self.decodeJSON([Double].self, result["samples"], path: path))
                }
                return StoredRun(
                    id: row["id"], jobID: row["job_id"], commit: commit, machine: row["machine"], suite: row["suite"],
                    startedAt: Date(storeValue: row["started_at"]), finishedAt: Date(storeValue: row["finished_at"]),
                    environment: try Self.decodeJSON([String: String].self, row["environment"], path: path),
                    results: results,
                    experiments: try Self.decodeJSON([ExperimentOutcome].self, row["experiments"], path: path))
            }
        }
    }

    private static func encodeJSON(_ value: some Encodable, path: String) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .unavailable(path, detail: "cannot encode a value to store: \(error)")
        }
    }

    private static func decodeJSON<Value: Decodable>(_ type: Value.Type, _ text: String, path: String) throws -> Value {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(path, detail: "a stored JSON column does not decode: \(error)")
        }
    }
}
