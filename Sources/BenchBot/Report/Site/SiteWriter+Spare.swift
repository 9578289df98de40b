import Foundation

/// A build that changes few files, such as the worker's after each job, written into the site's
/// spare copy (`.<folder>.spare`, the build before the last, kept beside the folder) and swapped
/// in whole, so a reader, and a build killed at any moment, leaves the old site or the new one.
///
/// Updating the folder itself, file by file, was cheaper still but left a site half old and half
/// new for as long as the update ran, and for good when it was killed. Building a new folder for
/// every update meant linking every unchanged file of a large site (11,000 for 10,000 commits)
/// into it. The spare is one build behind, so bringing it up to date writes this build's changed
/// files and the last build's, taken from the folder by a link.
extension SiteWriter {
    /// In the spare while it is being brought up to date. Found at the start of a build, it says
    /// that was cut short: its files may be newer than its manifest says, so the build is whole.
    /// (An older BenchBot put it in the folder itself, for an update in place cut short.)
    static let updatingMarkerName = ".benchbot-updating"

    /// The most files an update of the spare makes again, as a share of the site: past it, a whole
    /// new build costs about the same, and starts from no spare.
    static let spareShare = 4

    /// The build before the last, beside the folder, on the same file system.
    var spareFolder: String { hiddenSibling(".spare") }

    /// Whether an older BenchBot's update of the folder in place was cut short: its manifest cannot be trusted.
    var wasInterrupted: Bool { access(folder + "/" + Self.updatingMarkerName, F_OK) == 0 }

    /// The spare's manifest, when it holds a whole build; none otherwise.
    func spareRecords() -> [String: Record] {
        guard access(spareFolder + "/" + Self.updatingMarkerName, F_OK) != 0 else { return [:] }
        return Self.readManifest(spareFolder + "/" + Self.manifestName)
    }

    /// Whether this build can bring the spare up to date: it holds a whole earlier build, and at
    /// most a quarter of the files differ from it.
    func canUpdateSpare(_ entries: [SitePages.Entry], inputs: [String?], spare: [String: Record]) -> Bool {
        guard !spare.isEmpty else { return false }
        var stale = 0
        for (entry, digest) in zip(entries, inputs) where digest == nil || spare[entry.path]?.inputs != digest {
            stale += 1
        }
        return stale * Self.spareShare <= entries.count
    }

    /// Makes the spare this build, and swaps it with the folder.
    ///
    /// - Parameters:
    ///   - spare: The spare's records; `current`, the folder's.
    /// - Throws: ``SiteError`` when a file cannot be written or moved. The folder is as it was then,
    ///   and the spare's marker stays, so the next build is whole.
    func updateSpare(_ entries: [SitePages.Entry], inputs: [String?], spare: [String: Record], current: [String: Record],
                     after clearing: Task<Void, Never>) async throws -> SiteGenerator.Summary {
        let root = spareFolder
        var summary = SiteGenerator.Summary()
        do {
            try Self.writeFile(Data(), to: root + "/" + Self.updatingMarkerName)
            try Self.makeFolders(for: entries.lazy.filter { spare[$0.path] == nil }, in: root)
            let outcomes = try build(entries, inputs: inputs, old: spare, into: .spare(root, current: current))
            for (entry, outcome) in zip(entries, outcomes) where outcome.written {
                try Self.rename(pendingPath(entry.path, in: root), to: root + "/" + entry.path)
            }
            let kept = Set(entries.map(\.path))
            for path in spare.keys where !kept.contains(path) {
                unlink(root + "/" + path)
                // Only an emptied folder goes; `rmdir` leaves one that still holds files.
                if let slash = path.lastIndex(of: "/") { rmdir(root + "/" + path[..<slash]) }
            }
            let manifest = root + "/" + Self.manifestName
            try Self.writeFile(Self.manifest(entries, outcomes), to: manifest + ".new")
            try Self.rename(manifest + ".new", to: manifest)
            unlink(root + "/" + Self.updatingMarkerName)
            await clearing.value
            try swapIn(root)
            summary.written = Self.changedPages(entries, outcomes, since: current)
        } catch {
            let reason = (error as? SiteError)?.message ?? error.localizedDescription
            throw SiteError(message: "cannot update the site in \(folder): \(reason); check that the folder and its parent are writable, "
                            + "then run `benchbot site`, which makes the whole site again")
        }
        summary.pages = entries.count { $0.isPage }
        return summary
    }

    /// Puts the whole build in `built` where the folder is, in one step, and keeps the folder's
    /// old build as the spare.
    func swapIn(_ built: String) throws {
        let manager = FileManager.default
        let spare = spareFolder
        guard manager.fileExists(atPath: folder) else {
            try Self.rename(built, to: folder)
            return
        }
        if !SiteExchange.exchange(built, folder) {
            // A file system without the atomic exchange: two renames, with a moment between them
            // in which the folder is missing.
            let previous = hiddenSibling(".previous")
            try Self.rename(folder, to: previous)
            do {
                try Self.rename(built, to: folder)
            } catch {
                try? Self.rename(previous, to: folder)
                throw error
            }
            if built != previous { try Self.rename(previous, to: built) }
        }
        // `built` now holds the old build: it becomes the spare, in place of an older one.
        if built != spare {
            if manager.fileExists(atPath: spare) { try? manager.moveItem(atPath: spare, toPath: trashPath()) }
            if (try? Self.rename(built, to: spare)) == nil { try? manager.moveItem(atPath: built, toPath: trashPath()) }
        }
    }

    /// Pages whose content differs from the folder's: what a reader sees change.
    static func changedPages(_ entries: [SitePages.Entry], _ outcomes: [Outcome], since current: [String: Record]) -> Int {
        zip(entries, outcomes).count { entry, outcome in
            guard entry.isPage else { return false }
            guard let before = current[entry.path] else { return true }
            return outcome.record.digest == "-" ? before.inputs != outcome.record.inputs || before.inputs == nil : before.digest != outcome.record.digest
        }
    }

    /// Where a changed file is written before it is moved over the old one: hidden, beside it,
    /// so that the move is a rename within one folder.
    func pendingPath(_ path: String, in root: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return root + "/." + path + ".new" }
        return root + "/" + path[...slash] + "." + path[path.index(after: slash)...] + ".new"
    }

    static func rename(_ source: String, to target: String) throws {
        guard Foundation.rename(source, target) == 0 else {
            throw SiteError(message: "cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
    }
}
