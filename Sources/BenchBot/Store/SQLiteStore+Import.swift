import Compare
import Foundation
import GRDB

/// A commit's imported run: the files `benchbot import` read for it, stored as one run that later
/// imports add to or replace.
///
/// `run.import_digest` holds the SHA-256 of each file the run came from, space-separated, so that
/// importing a file again stores nothing. Older versions stored one run per file, each with one
/// digest; the newest of those is the commit's imported run, and every digest still counts.
extension SQLiteStore {
    public func importedRun(_ request: EnqueueRequest) async throws(StoreError) -> ImportedRunContents? {
        guard let commit = request.commits.first, request.commits.count == 1 else {
            throw StoreError.unavailable(path, detail: "an import names exactly one commit")
        }
        return try await read { db in
            guard let jobID = try Int64.fetchOne(db, sql: """
                SELECT job.id FROM job JOIN repository ON repository.id = job.repository_id
                WHERE repository.name = ? AND job.sha = ? AND job.suite = ? AND job.machine = ?
                """, arguments: [request.repository, commit.id.hex, request.suite, request.machine])
            else { return nil }
            let imported = try Self.importedRuns(db, jobID: jobID)
            guard let current = imported.last else { return nil }
            return ImportedRunContents(id: current.id, digests: Set(imported.flatMap(\.digests)),
                                       series: try Self.seriesNames(db, runID: current.id))
        }
    }

    /// A run that an import stored, with the digests of its files and its environment as stored.
    struct ImportedRunRow {
        let id: Int64
        let digests: [String]
        let environment: String
    }

    /// The job's imported runs, oldest first.
    static func importedRuns(_ db: Database, jobID: Int64) throws -> [ImportedRunRow] {
        try Row.fetchAll(db, sql: """
            SELECT id, import_digest, environment FROM run WHERE job_id = ? AND import_digest IS NOT NULL ORDER BY id
            """, arguments: [jobID]).map { row in
            let column: String = row["import_digest"]
            return ImportedRunRow(id: row["id"], digests: column.split(separator: " ").map(String.init), environment: row["environment"])
        }
    }

    static func digestColumn(_ digests: [String]) -> String { digests.joined(separator: " ") }

    /// The display names of a run's results.
    static func seriesNames(_ db: Database, runID: Int64) throws -> Set<String> {
        var names = Set<String>()
        for row in try Row.fetchAll(db, sql: "SELECT benchmark, parameters FROM result WHERE run_id = ?", arguments: [runID]) {
            let parameters: String = row["parameters"]
            let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(parameters.utf8))) ?? [:]
            names.insert(BenchmarkResult(benchmark: row["benchmark"], parameters: decoded, unit: "", direction: .lowerIsBetter, samples: []).displayName)
        }
        return names
    }

    /// Stores the commit's imported run again, under a new id, holding `current`'s results (unless
    /// `replace`) and `run`'s; the job's older imported runs are deleted.
    ///
    /// A new id rather than new rows under the old one: the site and other readers cache a run's
    /// series by its id, and a run that changed must not be read from such a cache.
    ///
    /// - Returns: The new run's id.
    static func supersedeImportedRuns(_ db: Database, jobID: Int64, _ imported: [ImportedRunRow], with run: EncodedRun,
                                      environment: [String: String], digests: [String], replace: Bool, path: String) throws -> Int64 {
        let runID = try insertRun(db, jobID: jobID, run)
        var allDigests = digests
        if let current = imported.last, !replace {
            let earlier = (try? JSONDecoder().decode([String: String].self, from: Data(current.environment.utf8))) ?? [:]
            var merged = earlier.merging(environment) { old, _ in old }
            merged["imported_from"] = [earlier["imported_from"], environment["imported_from"]].compactMap { $0 }.joined(separator: ", ")
            try db.execute(sql: """
                UPDATE run SET environment = ?, started_at = (SELECT started_at FROM run WHERE id = ?) WHERE id = ?
                """, arguments: [try encodeJSON(merged, path: path), current.id, runID])
            // The benchmarks the earlier files' tools marked failed stay recorded beside the new ones.
            if let earlierText = try String.fetchOne(db, sql: "SELECT experiments FROM run WHERE id = ?", arguments: [current.id]) {
                let earlierOutcomes = try decodeJSON([ExperimentOutcome].self, earlierText, path: path)
                let newOutcomes = try decodeJSON([ExperimentOutcome].self, run.experiments, path: path)
                if !earlierOutcomes.isEmpty {
                    try db.execute(sql: "UPDATE run SET experiments = ? WHERE id = ?",
                                   arguments: [try encodeJSON(earlierOutcomes + newOutcomes, path: path), runID])
                }
            }
            // Moved, not copied: the earlier results keep their rows, and come first as they did.
            try db.execute(sql: "UPDATE result SET run_id = ? WHERE run_id = ?", arguments: [runID, current.id])
            try db.execute(sql: "UPDATE telemetry SET run_id = ? WHERE run_id = ?", arguments: [runID, current.id])
            allDigests = current.digests + digests
        }
        for old in imported {
            // A notification about the run is about the run that holds its results now.
            try db.execute(sql: "UPDATE notification SET run_id = ? WHERE run_id = ?", arguments: [runID, old.id])
            try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [old.id])
        }
        // After the deletes: an older run may hold the same digests, and (job, digests) is unique.
        try db.execute(sql: "UPDATE run SET import_digest = ? WHERE id = ?", arguments: [digestColumn(allDigests), runID])
        return runID
    }
}
