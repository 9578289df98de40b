import Crypto
import Foundation

/// Writes a site's files beside `folder` and swaps the new build in. A page whose inputs are
/// those of the last build is linked from it, not made again; a page made again whose content
/// came out the same is linked too, so only changed files are written.
struct SiteWriter {
    let folder: String
    static let manifestName = ".benchbot-site.json"

    /// What the last build made each file from, and its content's digest.
    struct Record: Codable {
        var inputs: String?
        var digest: String
    }

    /// The folder is replaced whole: never one that holds anything but an earlier site.
    ///
    /// - Throws: ``SiteError`` when it holds other files.
    func checkFolder() throws {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if !existing.isEmpty, !existing.contains(Self.manifestName) {
            throw SiteError(message: "\(folder) holds files that are not a BenchBot site, and generating would replace them; "
                            + "choose a new or empty folder with --out")
        }
    }

    func write(_ entries: [SitePages.Entry]) throws -> SiteGenerator.Summary {
        let manager = FileManager.default
        try checkFolder()
        let staging = folder + ".building", previous = folder + ".previous"
        try? manager.removeItem(atPath: staging)
        try? manager.removeItem(atPath: previous)
        let old = (try? JSONDecoder().decode([String: Record].self, from: Data(contentsOf: URL(fileURLWithPath: (folder as NSString)
            .appendingPathComponent(Self.manifestName))))) ?? [:]
        var manifest: [String: Record] = [:]
        var summary = SiteGenerator.Summary()
        var folders = Set<String>()
        do {
            for entry in entries {
                let target = (staging as NSString).appendingPathComponent(entry.path)
                let parent = (target as NSString).deletingLastPathComponent
                if folders.insert(parent).inserted { try manager.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                let previousFile = (folder as NSString).appendingPathComponent(entry.path)
                if let record = old[entry.path], entry.inputs != nil, record.inputs == entry.inputs, link(previousFile, target) == 0 {
                    manifest[entry.path] = record
                    continue
                }
                let content = entry.render()
                let digest = SitePages.hex(SHA256.hash(data: content))
                manifest[entry.path] = Record(inputs: entry.inputs, digest: digest)
                if old[entry.path]?.digest == digest, link(previousFile, target) == 0 { continue }
                try content.write(to: URL(fileURLWithPath: target))
                if entry.isPage { summary.written += 1 }
            }
            try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(Self.manifestName)))
            if manager.fileExists(atPath: folder) { try manager.moveItem(atPath: folder, toPath: previous) }
            try manager.moveItem(atPath: staging, toPath: folder)
            try? manager.removeItem(atPath: previous)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw SiteError(message: "cannot write the site to \(folder): \(error.localizedDescription); check that its parent folder exists and is writable")
        }
        summary.pages = entries.count { $0.isPage }
        return summary
    }
}
