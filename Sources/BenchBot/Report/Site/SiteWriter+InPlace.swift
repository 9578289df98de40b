import Foundation

/// A build that changes few files, such as the worker's after each job, written into the site's
/// own folder: each changed file is written beside itself and renamed over it, so a reader sees
/// the old file or the new one, never part of one.
///
/// New files are moved in before the files that replace others, so that a page that starts to
/// link to a new page (the index to a new commit's) is in place only once that page is. Files no
/// longer made are deleted last, and the manifest is replaced at the very end.
extension SiteWriter {
    /// In the folder while an update in place runs. Found at the start of a build, it says one was
    /// cut short: files may be newer than the manifest says, so that build makes every file again.
    static let updatingMarkerName = ".benchbot-updating"

    /// The most files an update in place makes again, as a share of the site: past it, a new build
    /// swapped in whole keeps readers from a site that is half old and half new for longer.
    static let inPlaceShare = 4

    var updatingMarker: String { folder + "/" + Self.updatingMarkerName }

    /// Whether an update in place was cut short: the manifest cannot be trusted then.
    var wasInterrupted: Bool { access(updatingMarker, F_OK) == 0 }

    /// Whether this build can update the folder in place: it holds a whole earlier build, and at
    /// most a quarter of the files are to be made again.
    func canUpdateInPlace(_ entries: [SitePages.Entry], inputs: [String?], old: [String: Record]) -> Bool {
        guard !old.isEmpty, !wasInterrupted else { return false }
        var stale = 0
        for (entry, digest) in zip(entries, inputs) where digest == nil || old[entry.path]?.inputs != digest {
            stale += 1
        }
        return stale * Self.inPlaceShare <= entries.count
    }

    /// Makes the files whose inputs changed, and moves them over the old ones.
    ///
    /// - Throws: ``SiteError`` when a file cannot be written or moved. The marker stays then, so
    ///   the next build makes the whole site again.
    func updateInPlace(_ entries: [SitePages.Entry], inputs: [String?], old: [String: Record],
                       after clearing: Task<Void, Never>) async throws -> SiteGenerator.Summary {
        let manager = FileManager.default
        var summary = SiteGenerator.Summary()
        do {
            try Self.writeFile(Data(), to: updatingMarker)
            var folders = Set<Substring>()
            for entry in entries where old[entry.path] == nil {
                if let slash = entry.path.lastIndex(of: "/"), folders.insert(entry.path[..<slash]).inserted {
                    try manager.createDirectory(atPath: folder + "/" + entry.path[..<slash], withIntermediateDirectories: true)
                }
            }
            let outcomes = try build(entries, inputs: inputs, old: old, into: .inPlace)
            let written = zip(entries, outcomes).filter { $0.1.written }.map(\.0.path)
            for path in written where old[path] == nil { try moveIn(path) }
            for path in written where old[path] != nil { try moveIn(path) }
            let kept = Set(entries.map(\.path))
            for path in old.keys where !kept.contains(path) {
                unlink(folder + "/" + path)
                // Only an emptied folder goes; `rmdir` leaves one that still holds files.
                if let slash = path.lastIndex(of: "/") { rmdir(folder + "/" + path[..<slash]) }
            }
            let manifest = folder + "/" + Self.manifestName
            try Self.writeFile(Self.manifest(entries, outcomes), to: manifest + ".new")
            try rename(manifest + ".new", to: manifest)
            unlink(updatingMarker)
            summary.written = Self.writtenPages(entries, outcomes)
        } catch {
            let reason = (error as? SiteError)?.message ?? error.localizedDescription
            throw SiteError(message: "cannot update the site in \(folder): \(reason); check that the folder is writable, "
                            + "then run `benchbot site`, which makes the whole site again")
        }
        await clearing.value
        summary.pages = entries.count { $0.isPage }
        return summary
    }

    /// Where a changed file is written before it is moved over the old one: hidden, beside it,
    /// so that the move is a rename within one folder.
    func pendingPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return folder + "/." + path + ".new" }
        return folder + "/" + path[...slash] + "." + path[path.index(after: slash)...] + ".new"
    }

    private func moveIn(_ path: String) throws {
        try rename(pendingPath(path), to: folder + "/" + path)
    }

    private func rename(_ source: String, to target: String) throws {
        guard Foundation.rename(source, target) == 0 else {
            throw SiteError(message: "cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
    }
}
