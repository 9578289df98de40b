import Crypto
import Foundation

/// `benchbot site`: the static results site, from the store and the mirror.
///
/// - An index: the last run and its experiments, the changes (regressions first), and a grid of
///   every benchmark with its latest value and change.
/// - A page per benchmark, with SVG plots of all time and of the last 2 weeks, and its data as JSON.
/// - A page per measured commit, and a comparison page per commit against the measured commit
///   before it (`compare/<baseline>...<candidate>.html`, where notifications link).
///
/// Each page's data is its own: no page loads the whole history. The site is built beside the
/// output folder and swapped in, so a reader never sees half of it; a page whose content did not
/// change is linked from the previous build instead of written again.
public struct SiteGenerator: Sendable {
    public let home: Home
    public let settings: BenchBotSettings
    public let store: any Store

    /// At most this many points in an all-time plot: longer histories are thinned, keeping every
    /// change point, so that a page stays small at any history length.
    static let maximumPlotPoints = 400

    public init(home: Home, settings: BenchBotSettings, store: any Store) {
        self.home = home
        self.settings = settings
        self.store = store
    }

    /// What a generation did.
    public struct Summary: Sendable, Hashable {
        public var pages = 0
        /// Pages whose content changed, and were written.
        public var written = 0
        public var benchmarks = 0
        public var commits = 0
    }

    /// Generates the site into `folder`, replacing what is there.
    ///
    /// - Throws: ``SiteError`` when the folder cannot be written, ``StoreError`` when the store fails.
    public func generate(into folder: String) async throws -> Summary {
        let model = try await SiteModel.load(home: home, settings: settings, store: store)
        return try SiteWriter(folder: folder).write(SitePages(model: model, templates: try SiteTemplates()).all())
    }
}

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

    func write(_ entries: [SitePages.Entry]) throws -> SiteGenerator.Summary {
        let manager = FileManager.default
        // The folder is replaced whole: never one that holds anything but an earlier site.
        let existing = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
        if !existing.isEmpty, !existing.contains(Self.manifestName) {
            throw SiteError(message: "\(folder) holds files that are not a BenchBot site, and generating would replace them; "
                            + "choose a new or empty folder with --out")
        }
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
                let digest = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
                manifest[entry.path] = Record(inputs: entry.inputs, digest: digest)
                if old[entry.path]?.digest == digest, link(previousFile, target) == 0 { continue }
                try content.write(to: URL(fileURLWithPath: target))
                summary.written += 1
            }
            try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(Self.manifestName)))
            if manager.fileExists(atPath: folder) { try manager.moveItem(atPath: folder, toPath: previous) }
            try manager.moveItem(atPath: staging, toPath: folder)
            try? manager.removeItem(atPath: previous)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw SiteError(message: "cannot write the site to \(folder): \(error.localizedDescription); check that its parent folder exists and is writable")
        }
        summary.pages = entries.count
        return summary
    }
}

public struct SiteError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// File names for benchmarks: their names may hold `/`, spaces and brackets. Letters, digits,
/// `-`, `.` and `_` stay; anything else becomes `~` and its hex code, which no server decodes.
public enum SiteLayout {
    public static func slug(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "~%02X", byte)
            }
        }
        return out.hasPrefix(".") ? "~2E" + out.dropFirst() : out
    }
}
