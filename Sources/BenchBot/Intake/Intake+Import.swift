import Crypto
import Foundation

extension Intake {
    /// One file of results to import, already parsed.
    public struct ImportFile: Sendable {
        public let path: String
        /// The commit the file names (`"commit"` in benchbot-json), if any.
        public let commit: String?
        public let results: [BenchmarkResult]
        /// Benchmarks the tool marked failed: each is stored as a failed outcome of the run.
        public let failures: [BenchmarkFailure]
        /// The parser's guesses, such as a custom unit's direction, for the user to check.
        public let warnings: [String]
        /// A SHA-256 of the file's bytes (of every file, for a folder): importing the same content
        /// for the same commit again stores nothing, so an interrupted import can simply be rerun.
        public let contentDigest: String
    }

    /// Reads and checks result files before anything is stored.
    ///
    /// - Parameters:
    ///   - paths: Files, or folders whose `*.json` and `*.txt` files are read, in name order; for a
    ///     format whose output is a folder (criterion), the folders themselves.
    ///   - format: Their format.
    ///   - directions: The directions the user set (`--direction`), replacing the parser's.
    /// - Throws: ``FormatError`` for the first bad file, or ``IntakeError`` for one that cannot be read.
    public static func readResults(_ paths: [String], format: BenchmarkFormat, directions: DirectionOverrides = DirectionOverrides()) throws -> [ImportFile] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IntakeError.io(path, detail: "no such file or folder")
            }
            if isDirectory.boolValue, !format.readsFolder {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".txt") }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return try files.map { file in
            let parsed = directions.apply(to: try format.parse(contentsOf: file))
            let data = format.readsFolder ? nil : FileManager.default.contents(atPath: file)
            var commit: String?
            if format == .benchbotJSON, let data, case .string(let named)? = (try? JSONValue.parse(data))?["commit"] {
                commit = named
            }
            let digest = data.map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() } ?? DirectoryDigest.of(file)
            return ImportFile(path: file, commit: commit, results: parsed.results, failures: parsed.failures, warnings: parsed.warnings,
                              contentDigest: digest)
        }
    }

    /// Stores imported results as runs of their commits.
    ///
    /// - Parameters:
    ///   - files: Parsed files; each goes to its own commit, or to `commit`.
    ///   - commit: The commit for files that name none.
    ///   - branch: The branch to record with the job.
    /// - Returns: One line per run stored.
    public func importResults(_ files: [ImportFile], commit: String?, branch: String?) async throws -> [String] {
        var lines: [String] = []
        // One machine, one moment: read once, not once per file of a 10,000-commit import.
        let machineEnvironment = EnvironmentRecord.capture(machine: settings.machine, counting: false)
        // Every file's commit is found before the first is stored: a file naming no commit, or
        // one the mirror does not have, stops the import with nothing stored.
        let resolved = try files.map { file in
            guard let revision = file.commit ?? commit else {
                throw IntakeError.io(file.path, detail: "names no commit; pass --commit SHA, or add \"commit\" to the file")
            }
            let (repository, id) = try resolveFetchingOnce(revision)
            return (file, id, try repository.metadata(of: id))
        }
        for (file, id, metadata) in resolved {
            let request = EnqueueRequest(
                repository: settings.repository.name, repositoryURL: settings.repository.url, commits: [metadata],
                suite: settings.suite, machine: settings.machine, branch: branch, source: .import,
                maxAttempts: settings.intake.maxAttempts)
            let now = Date()
            var environment = machineEnvironment
            environment["imported_from"] = file.path
            let run = try await store.importRun(request, startedAt: now, finishedAt: now, environment: environment,
                                                results: file.results, failures: file.failures, contentDigest: file.contentDigest)
            if run.isNew {
                lines.append("imported \(file.results.count) result(s) from \(file.path) for commit \(id.short) (run \(run.id))")
            } else {
                lines.append("already imported: \(file.path) for commit \(id.short) (run \(run.id)); nothing stored")
            }
        }
        return lines
    }
}
