import Crypto
import Foundation

extension Intake {
    /// One file of results to import, already parsed.
    public struct ImportFile: Sendable {
        public let path: String
        /// The commit the file names (`"commit"` in benchbot-json), if any.
        public let commit: String?
        /// The format it was read as: the one asked for, or the one `--format auto` recognised.
        public let format: BenchmarkFormat
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
    ///   - format: Their format, or `nil` to recognise each file's from its content (`--format auto`).
    ///   - directions: The directions the user set (`--direction`), replacing the parser's.
    /// - Throws: ``FormatError`` for the first bad or unrecognised file, or ``IntakeError`` for one that cannot be read.
    public static func readResults(_ paths: [String], format: BenchmarkFormat?,
                                   directions: DirectionOverrides = DirectionOverrides()) throws -> [ImportFile] {
        var files: [(path: String, format: BenchmarkFormat?)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IntakeError.io(path, detail: "no such file or folder")
            }
            if isDirectory.boolValue, format?.readsFolder != true {
                if format == nil, let folderFormat = BenchmarkFormat.recognizeFolder(path) {
                    files.append((path, folderFormat))
                    continue
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".txt") }.sorted()
                    .map { ((path as NSString).appendingPathComponent($0), format) }
            } else {
                files.append((path, format))
            }
        }
        return try files.map { file, format in
            if let format, format.readsFolder {
                let parsed = directions.apply(to: try format.parse(contentsOf: file))
                return ImportFile(path: file, commit: nil, format: format, results: parsed.results, failures: parsed.failures,
                                  warnings: parsed.warnings, contentDigest: DirectoryDigest.of(file))
            }
            guard let data = FileManager.default.contents(atPath: file) else { throw IntakeError.io(file, detail: "cannot be read") }
            let format = try format ?? BenchmarkFormat.recognize(FormatProbe(data), file: file)
            let parsed = directions.apply(to: try format.parse(data, file: file))
            var commit: String?
            if format == .benchbotJSON, case .string(let named)? = (try? JSONValue.parse(data))?["commit"] {
                commit = named
            }
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            return ImportFile(path: file, commit: commit, format: format, results: parsed.results, failures: parsed.failures,
                              warnings: parsed.warnings, contentDigest: digest)
        }
    }

    /// Stores imported results: the files of one commit together form its imported run.
    ///
    /// Everything is checked before the first commit is stored: every file's commit, no series in
    /// two files of one commit, and, unless `replace`, no series the commit's imported run already
    /// holds. Each commit's write is one transaction.
    ///
    /// - Parameters:
    ///   - files: Parsed files; each goes to its own commit, or to `commit`.
    ///   - commit: The commit for files that name none.
    ///   - branch: The branch to record with the job.
    ///   - replace: Whether the files replace each commit's imported run rather than add to it.
    /// - Returns: One line per commit stored, and one per commit whose files were all imported before.
    public func importResults(_ files: [ImportFile], commit: String?, branch: String?, replace: Bool = false) async throws -> [String] {
        // One machine, one moment: read once, not once per file of a 10,000-commit import.
        let machineEnvironment = EnvironmentRecord.capture(machine: settings.machine, counting: false)
        // Every file's commit is found before the first is stored: a file naming no commit, or
        // one the mirror does not have, stops the import with nothing stored.
        var groups: [ImportGroup] = []
        var groupOfCommit: [ObjectID: Int] = [:]
        for file in files {
            guard let revision = file.commit ?? commit else {
                throw IntakeError.io(file.path, detail: "names no commit; pass --commit SHA, or add \"commit\" to the file")
            }
            let (repository, id) = try resolveFetchingOnce(revision)
            if let index = groupOfCommit[id] {
                groups[index].files.append(file)
            } else {
                groupOfCommit[id] = groups.count
                groups.append(ImportGroup(request: EnqueueRequest(
                    repository: settings.repository.name, repositoryURL: settings.repository.url, commits: [try repository.metadata(of: id)],
                    suite: settings.suite, machine: settings.machine, branch: branch, source: .import,
                    maxAttempts: settings.intake.maxAttempts), files: [file]))
            }
        }
        for index in groups.indices {
            try groups[index].check(against: try await store.importedRun(groups[index].request), replace: replace)
        }
        var lines: [String] = []
        for group in groups {
            let short = group.request.commits[0].id.short
            if let earlier = group.earlier, !group.alreadyImported.isEmpty {
                lines.append("already imported: \(group.alreadyImported.map(\.path).joined(separator: ", ")) for commit \(short) (run \(earlier)); nothing stored")
            }
            guard !group.toStore.isEmpty else { continue }
            let now = Date()
            var environment = machineEnvironment
            let paths = group.toStore.map(\.path).joined(separator: ", ")
            environment["imported_from"] = paths
            let results = group.toStore.flatMap(\.results)
            let run = try await store.importRun(group.request, startedAt: now, finishedAt: now, environment: environment, results: results,
                                                failures: group.toStore.flatMap(\.failures),
                                                contentDigests: group.toStore.map(\.contentDigest), replace: replace)
            let line = switch run.outcome {
            case .created: "imported \(results.count) result(s) from \(paths) for commit \(short) (run \(run.id))"
            case .added: "imported \(results.count) result(s) from \(paths) for commit \(short) (added to run \(run.id))"
            case .replaced: "imported \(results.count) result(s) from \(paths) for commit \(short) (replaced run \(run.id))"
            case .unchanged: "already imported: \(paths) for commit \(short) (run \(run.id)); nothing stored"
            }
            lines.append(line)
        }
        return lines
    }
}
