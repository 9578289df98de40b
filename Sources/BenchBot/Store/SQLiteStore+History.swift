public import Compare
import Foundation
import GRDB

extension SQLiteStore {
    /// SQLite allows 32,766 parameters; chunks of 500 commits stay far below it and keep each query quick.
    private static let chunk = 500

    public func runMachines(repository: String, suite: String) async throws(StoreError) -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT run.machine FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = ? AND run.suite = ?
                """, arguments: [repository, suite]).sorted()
        }
    }

    public func latestRunIDs(repository: String, machine: String, suite: String, commits: [ObjectID]) async throws(StoreError) -> [ObjectID: Int64] {
        try await read { db in
            var found: [ObjectID: Int64] = [:]
            // A whole history (a site's, change detection's) is one pass over the repository's
            // runs, kept where asked for: twenty queries of 500 parameters cost several times more.
            if commits.count > Self.chunk {
                let wanted = Set(commits)
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT run.sha AS sha, MAX(run.id) AS id FROM run JOIN repository ON repository.id = run.repository_id
                    WHERE repository.name = ? AND run.machine = ? AND run.suite = ? AND run.role IS NULL
                    GROUP BY run.sha
                    """, arguments: [repository, machine, suite])
                while let row = try rows.next() {
                    if let id = ObjectID(hex: row[0]), wanted.contains(id) { found[id] = row[1] }
                }
                return found
            }
            for start in stride(from: 0, to: commits.count, by: Self.chunk) {
                let slice = commits[start..<min(start + Self.chunk, commits.count)]
                let rows = try Row.fetchAll(db, sql: """
                    SELECT run.sha AS sha, MAX(run.id) AS id FROM run JOIN repository ON repository.id = run.repository_id
                    WHERE repository.name = ? AND run.machine = ? AND run.suite = ? AND run.role IS NULL
                      AND run.sha IN (\(slice.map { _ in "?" }.joined(separator: ",")))
                    GROUP BY run.sha
                    """, arguments: StatementArguments([repository, machine, suite] + slice.map(\.hex)))
                for row in rows { if let id = ObjectID(hex: row[0]) { found[id] = row[1] } }
            }
            return found
        }
    }

    public func pairedRuns(repository: String, machine: String, candidate: ObjectID) async throws(StoreError) -> (baseline: StoredRun, candidate: StoredRun)? {
        let path = self.path
        return try await read { db in
            guard let candidateRow = try Row.fetchOne(db, sql: """
                SELECT run.* FROM run JOIN repository ON repository.id = run.repository_id
                WHERE repository.name = ? AND run.machine = ? AND run.sha = ? AND run.role = 'candidate' ORDER BY run.id DESC LIMIT 1
                """, arguments: [repository, machine, candidate.hex]),
                let baselineRow = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE job_id = ? AND role = 'baseline' ORDER BY id DESC LIMIT 1",
                                                   arguments: [candidateRow["job_id"]]),
                let baseline = ObjectID(hex: baselineRow["sha"]) else { return nil }
            return (try Self.loadRun(db, baselineRow, commit: baseline, path: path), try Self.loadRun(db, candidateRow, commit: candidate, path: path))
        }
    }

    public func run(id: Int64) async throws(StoreError) -> StoredRun? {
        let path = self.path
        return try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]),
                  let commit = ObjectID(hex: row["sha"]) else { return nil }
            return try Self.loadRun(db, row, commit: commit, path: path)
        }
    }

    public func medians(runIDs: [Int64]) async throws(StoreError) -> [Int64: [String: SeriesPoint]] {
        try await read { db in
            var found: [Int64: [String: SeriesPoint]] = [:]
            var suffixes: [String: String] = [:]
            for start in stride(from: 0, to: runIDs.count, by: Self.chunk) {
                let slice = runIDs[start..<min(start + Self.chunk, runIDs.count)]
                // Columns by position and one parsed suffix per distinct parameter set: a site reads a million of these rows.
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT run_id, benchmark, parameters, unit, direction, median, sample_count, minimum, maximum FROM result
                    WHERE run_id IN (\(slice.map { _ in "?" }.joined(separator: ","))) AND median IS NOT NULL
                    """, arguments: StatementArguments(Array(slice)))
                while let row = try rows.next() {
                    let parameters: String = row[2]
                    var name: String = row[1]
                    if parameters != "{}" {
                        if suffixes[parameters] == nil { suffixes[parameters] = Self.parameterSuffix(parameters) }
                        name += suffixes[parameters] ?? ""
                    }
                    let median: Double = row[5]
                    found[row[0], default: [:]][name] = SeriesPoint(
                        median: median, sampleCount: row[6], unit: row[3], direction: Direction(rawValue: row[4]) ?? .lowerIsBetter,
                        minimum: row[7] ?? median, maximum: row[8] ?? median)
                }
            }
            return found
        }
    }
}

extension SQLiteStore {
    /// The display name's suffix for a result's stored `parameters` column: `[key=value,…]`, as
    /// ``BenchmarkResult/displayName`` writes it.
    static func parameterSuffix(_ parameters: String) -> String {
        guard case .object(let fields)? = try? JSONValue.parse(Data(parameters.utf8)) else { return "" }
        let pairs = fields.compactMap { key, value -> String? in if case .string(let text) = value { "\(key)=\(text)" } else { nil } }
        return "[" + pairs.sorted().joined(separator: ",") + "]"
    }
}

/// One benchmark's summary at one run, as history queries return it.
public struct SeriesPoint: Sendable, Hashable {
    public let median: Double
    public let sampleCount: Int
    public let unit: String
    public let direction: Direction
    /// The smallest and largest sample: the spread a plot shows around the median.
    public let minimum: Double
    public let maximum: Double
}
