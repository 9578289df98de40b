import Compare
import Foundation
import Logging
import PostgresNIO

/// A history's runs and medians on PostgreSQL. A list of commits or runs travels as one array
/// parameter, so a whole history is one query, with no chunks as SQLite's parameter limit needs.
extension PostgresStore {
    public func runMachines(repository: String, suite: String) async throws(StoreError) -> [String] {
        try await transaction { connection, logger in
            var machines: [String] = []
            let rows = try await connection.query("""
                SELECT DISTINCT run.machine FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = \(repository) AND run.suite = \(suite)
                """, logger: logger)
            for try await machine in rows.decode(String.self) { machines.append(machine) }
            // By code point, as SQLite's: the database's collation would order them by its locale.
            return machines.sorted()
        }
    }

    public func latestRunIDs(repository: String, machine: String, suite: String, commits: [ObjectID]) async throws(StoreError) -> [ObjectID: Int64] {
        try await transaction { connection, logger in
            var found: [ObjectID: Int64] = [:]
            let rows = try await connection.query("""
                SELECT run.sha, MAX(run.id) FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = \(repository) AND run.machine = \(machine) AND run.suite = \(suite) AND run.role IS NULL
                  AND run.sha = ANY(\(commits.map(\.hex)))
                GROUP BY run.sha
                """, logger: logger)
            for try await (sha, id) in rows.decode((String, Int64).self) {
                if let commit = ObjectID(hex: sha) { found[commit] = id }
            }
            return found
        }
    }

    public func pairedRuns(repository: String, machine: String, candidate: ObjectID) async throws(StoreError) -> (baseline: StoredRun, candidate: StoredRun)? {
        let name = self.name
        return try await transaction { connection, logger in
            guard let candidateRow = try await Self.runRows(connection.query("""
                SELECT run.* FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = \(repository) AND run.machine = \(machine) AND run.sha = \(candidate.hex) AND run.role = 'candidate'
                ORDER BY run.id DESC LIMIT 1
                """, logger: logger)).first,
                let baselineRow = try await Self.runRows(connection.query("""
                    SELECT * FROM run WHERE job_id = \(candidateRow.jobID) AND role = 'baseline' ORDER BY id DESC LIMIT 1
                    """, logger: logger)).first
            else { return nil }
            return (try await Self.loadRun(connection, logger, baselineRow, name: name),
                    try await Self.loadRun(connection, logger, candidateRow, name: name))
        }
    }

    public func medians(runIDs: [Int64]) async throws(StoreError) -> [Int64: [String: SeriesPoint]] {
        try await transaction { connection, logger in
            var found: [Int64: [String: SeriesPoint]] = [:]
            var suffixes: [String: String] = [:]
            let rows = try await connection.query("""
                SELECT run_id, benchmark, parameters, unit, direction, median, sample_count, minimum, maximum FROM result
                WHERE run_id = ANY(\(runIDs)) AND median IS NOT NULL
                """, logger: logger)
            for try await (runID, benchmark, parameters, unit, direction, median, count, minimum, maximum)
                in rows.decode((Int64, String, String, String, String, Double, Int, Double?, Double?).self) {
                var name = benchmark
                if parameters != "{}" {
                    if suffixes[parameters] == nil { suffixes[parameters] = SQLiteStore.parameterSuffix(parameters) }
                    name += suffixes[parameters] ?? ""
                }
                found[runID, default: [:]][name] = SeriesPoint(
                    median: median, sampleCount: count, unit: unit, direction: Direction(rawValue: direction) ?? .lowerIsBetter,
                    minimum: minimum ?? median, maximum: maximum ?? median)
            }
            return found
        }
    }

    public func offBranchJobs(repository: String, machine: String, trackedBranch: String, limit: Int) async throws(StoreError) -> [Job] {
        try await transaction { connection, logger in
            try await Self.jobs(connection.query("""
                \(unescaped: Self.jobSelect)
                WHERE job.state = 'done' AND repository.name = \(repository) AND job.machine = \(machine)
                  AND (job.baseline_sha IS NOT NULL OR job.pull_request IS NOT NULL OR job.remote_url IS NOT NULL OR job.branch <> \(trackedBranch))
                  AND job.id NOT IN (SELECT confirmation_job_id FROM suspect WHERE confirmation_job_id IS NOT NULL)
                ORDER BY job.id DESC LIMIT \(limit)
                """, logger: logger)).reversed()
        }
    }
}
