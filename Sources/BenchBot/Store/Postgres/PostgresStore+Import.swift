import Compare
public import Foundation
import Logging
import PostgresNIO

/// A commit's imported run on PostgreSQL, kept as ``SQLiteStore`` keeps it: one run whose
/// `import_digest` lists the SHA-256 of every file it came from. Imports from two machines at
/// once for one commit take turns on its job's row.
extension PostgresStore {
    public func importedRun(_ request: EnqueueRequest) async throws(StoreError) -> ImportedRunContents? {
        guard let commit = request.commits.first, request.commits.count == 1 else {
            throw StoreError.unavailable(name, detail: "an import names exactly one commit")
        }
        return try await transaction { connection, logger in
            guard let jobID = try await Self.ids(connection.query("""
                SELECT job.id FROM job JOIN repository ON repository.id = job.repository_id
                WHERE repository.name = \(request.repository) AND job.sha = \(commit.id.hex) AND job.suite = \(request.suite)
                  AND job.machine = \(request.machine)
                """, logger: logger)).first else { return nil }
            let imported = try await Self.importedRuns(connection, logger, jobID: jobID)
            guard let current = imported.last else { return nil }
            return ImportedRunContents(id: current.id, digests: Set(imported.flatMap(\.digests)),
                                       series: try await Self.seriesNames(connection, logger, runID: current.id))
        }
    }

    public func importRun(
        _ request: EnqueueRequest, startedAt: Date, finishedAt: Date, environment: [String: String], results: [BenchmarkResult],
        failures: [BenchmarkFailure], contentDigests: [String], replace: Bool
    ) async throws(StoreError) -> ImportedRun {
        let name = self.name
        guard let commit = request.commits.first, request.commits.count == 1 else {
            throw StoreError.unavailable(name, detail: "an import names exactly one commit")
        }
        let outcomes = failures.map { failure in
            ExperimentOutcome(experiment: failure.benchmark, succeeded: false, failedStage: "run", message: failure.reason,
                              startedAt: startedAt, finishedAt: finishedAt)
        }
        let encoded = try SQLiteStore.EncodedRun(startedAt: startedAt, finishedAt: finishedAt, environment: environment,
                                                 experiments: outcomes, results: results, telemetry: [], path: name)
        let series = Set(results.map(\.displayName))
        let mergedEnvironment = try SQLiteStore.encodeJSON(environment, path: name)
        return try await transaction { connection, logger in
            let repositoryID = try await Self.upsertRepository(connection, logger, name: request.repository, url: request.repositoryURL,
                                                               now: startedAt.storeValue)
            try await Self.insertCommit(connection, logger, repositoryID: repositoryID, commit)
            try await connection.query("""
                INSERT INTO job (repository_id, sha, suite, machine, branch, source, state, max_attempts, enqueued_at)
                VALUES (\(repositoryID), \(commit.id.hex), \(request.suite), \(request.machine), \(request.branch), \(request.source.rawValue),
                        'done', \(request.maxAttempts), \(startedAt.storeValue))
                ON CONFLICT (repository_id, sha, suite, machine) DO NOTHING
                """, logger: logger)
            guard let jobID = try await Self.ids(connection.query("""
                SELECT id FROM job WHERE repository_id = \(repositoryID) AND sha = \(commit.id.hex) AND suite = \(request.suite)
                  AND machine = \(request.machine) FOR UPDATE
                """, logger: logger)).first else {
                throw StoreError.unavailable(name, detail: "the job of commit \(commit.id.short) vanished inside its own transaction")
            }
            let imported = try await Self.importedRuns(connection, logger, jobID: jobID)
            let outcome: ImportedRun.Outcome
            if let current = imported.last {
                let stored = Set(imported.flatMap(\.digests))
                if replace ? (imported.count == 1 && Set(current.digests) == Set(contentDigests)) : Set(contentDigests).isSubset(of: stored) {
                    return ImportedRun(id: current.id, outcome: .unchanged)
                }
                if !replace, let clash = try await Self.seriesNames(connection, logger, runID: current.id).intersection(series).sorted().first {
                    throw StoreError.unavailable(name, detail: """
                        run \(current.id) of commit \(commit.id.short) already holds '\(clash)'; \
                        pass --replace to replace that commit's imported run
                        """)
                }
                outcome = replace ? .replaced : .added
            } else {
                outcome = .created
            }
            let runID = try await Self.insertRun(connection, logger, jobID: jobID, encoded)
            var digests = contentDigests
            if let current = imported.last, !replace {
                let earlier = try SQLiteStore.decodeJSON([String: String].self, current.environment, path: name)
                let added = try SQLiteStore.decodeJSON([String: String].self, mergedEnvironment, path: name)
                var merged = earlier.merging(added) { old, _ in old }
                merged["imported_from"] = [earlier["imported_from"], added["imported_from"]].compactMap { $0 }.joined(separator: ", ")
                let earlierOutcomes = try SQLiteStore.decodeJSON([ExperimentOutcome].self, current.experiments, path: name)
                let experiments = earlierOutcomes.isEmpty ? encoded.experiments : try SQLiteStore.encodeJSON(earlierOutcomes + outcomes, path: name)
                try await connection.query("""
                    UPDATE run SET environment = \(try SQLiteStore.encodeJSON(merged, path: name)), experiments = \(experiments),
                        started_at = (SELECT started_at FROM run WHERE id = \(current.id))
                    WHERE id = \(runID)
                    """, logger: logger)
                // Moved, not copied: the earlier results keep their rows, and come first as they did.
                try await connection.query("UPDATE result SET run_id = \(runID) WHERE run_id = \(current.id)", logger: logger)
                try await connection.query("UPDATE telemetry SET run_id = \(runID) WHERE run_id = \(current.id)", logger: logger)
                digests = current.digests + contentDigests
            }
            for old in imported {
                try await connection.query("UPDATE notification SET run_id = \(runID) WHERE run_id = \(old.id)", logger: logger)
                try await connection.query("DELETE FROM run WHERE id = \(old.id)", logger: logger)
            }
            try await connection.query("UPDATE run SET import_digest = \(SQLiteStore.digestColumn(digests)) WHERE id = \(runID)", logger: logger)
            // A queued job for this commit is answered by the import; a running one finishes on its own.
            try await connection.query("""
                UPDATE job SET state = 'done', finished_at = \(finishedAt.storeValue), message = NULL
                WHERE id = \(jobID) AND state IN ('queued', 'failed', 'cancelled')
                """, logger: logger)
            return ImportedRun(id: runID, outcome: outcome)
        }
    }

    /// A run an import stored: its id, the digests of its files, its environment and failures as stored.
    struct ImportedRunRow: Sendable {
        let id: Int64
        let digests: [String]
        let environment: String
        let experiments: String
    }

    /// The job's imported runs, oldest first.
    static func importedRuns(_ connection: PostgresConnection, _ logger: Logger, jobID: Int64) async throws -> [ImportedRunRow] {
        var found: [ImportedRunRow] = []
        let rows = try await connection.query("""
            SELECT id, import_digest, environment, experiments FROM run WHERE job_id = \(jobID) AND import_digest IS NOT NULL ORDER BY id
            """, logger: logger)
        for try await (id, digests, environment, experiments) in rows.decode((Int64, String, String, String).self) {
            found.append(ImportedRunRow(id: id, digests: digests.split(separator: " ").map(String.init), environment: environment,
                                        experiments: experiments))
        }
        return found
    }

    /// The display names of a run's results.
    static func seriesNames(_ connection: PostgresConnection, _ logger: Logger, runID: Int64) async throws -> Set<String> {
        var names = Set<String>()
        let rows = try await connection.query("SELECT benchmark, parameters FROM result WHERE run_id = \(runID)", logger: logger)
        for try await (benchmark, parameters) in rows.decode((String, String).self) {
            let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(parameters.utf8))) ?? [:]
            names.insert(BenchmarkResult(benchmark: benchmark, parameters: decoded, unit: "", direction: .lowerIsBetter, samples: []).displayName)
        }
        return names
    }

    static func insertCommit(_ connection: PostgresConnection, _ logger: Logger, repositoryID: Int64, _ commit: CommitMetadata) async throws {
        try await connection.query("""
            INSERT INTO commit_info (repository_id, sha, parents, author_name, author_email, author_time, subject)
            VALUES (\(repositoryID), \(commit.id.hex), \(commit.parents.map(\.hex).joined(separator: " ")), \(commit.authorName),
                    \(commit.authorEmail), \(commit.authorTime.storeValue), \(commit.subject)) ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
