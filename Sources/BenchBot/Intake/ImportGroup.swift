import Compare
import Foundation

/// The files of one `benchbot import` that belong to one commit, and what storing them will do.
///
/// They form one run: checked together, before anything of the import is stored, against each
/// other and against the run the commit already has from earlier imports.
struct ImportGroup: Sendable {
    let request: EnqueueRequest
    var files: [Intake.ImportFile]
    /// The files whose results go into the store.
    private(set) var toStore: [Intake.ImportFile] = []
    /// The files whose content the commit's imported run holds already.
    private(set) var alreadyImported: [Intake.ImportFile] = []
    /// The commit's imported run before this import, if it had one.
    private(set) var earlier: Int64?

    /// Decides what to store, or refuses the import.
    ///
    /// - Parameters:
    ///   - existing: The commit's imported run, as stored now.
    ///   - replace: Whether this import's files replace that run rather than add to it.
    /// - Throws: ``IntakeError`` naming the file, when two files hold the same series, or, unless
    ///   `replace`, when a file holds a series the run already holds.
    mutating func check(against existing: ImportedRunContents?, replace: Bool) throws {
        let short = request.commits[0].id.short
        var owner: [String: String] = [:]
        for file in files {
            for name in file.results.map(\.displayName) {
                if let other = owner[name] {
                    throw IntakeError.io(file.path, detail: """
                        benchmark '\(name)' is also in \(other), and both are for commit \(short): one run holds each benchmark once; \
                        import them for different commits (--commit), or leave one out
                        """)
                }
                owner[name] = file.path
            }
        }
        earlier = existing?.id
        guard let existing, !replace else {
            toStore = files
            return
        }
        alreadyImported = files.filter { existing.digests.contains($0.contentDigest) }
        toStore = files.filter { !existing.digests.contains($0.contentDigest) }
        for file in toStore {
            if let name = file.results.map(\.displayName).first(where: existing.series.contains) {
                throw IntakeError.io(file.path, detail: """
                    benchmark '\(name)' is already in run \(existing.id) of commit \(short), from an earlier import; \
                    pass --replace to replace that commit's imported run with this import's files
                    """)
            }
        }
    }
}
