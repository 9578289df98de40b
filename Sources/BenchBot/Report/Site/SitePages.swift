import Compare
import Crypto
import Foundation

/// Every file of the site, planned from its model: a path relative to the site's root, what the
/// file is made from, and how to make it. Making is deferred, so that the writer makes only the
/// files whose inputs changed.
struct SitePages: Sendable {
    let model: SiteModel
    let templates: SiteTemplates
    /// The switch to the other machine classes' page sets; `nil` on a site of one class, which
    /// shows its class without one and is laid out at the root.
    var machineSwitch: SiteSwitch? = nil

    /// One file of the site: its path, what it is made from, and how to make it.
    struct Entry: Sendable {
        let path: String
        /// Changes whenever the file's inputs do; `nil` for a file made every time (the index).
        let inputs: String?
        let render: @Sendable () -> Data
        /// Whether a file made again is compared with the last build's, to keep it when the same;
        /// not for the series file, tens of megabytes that change whenever its inputs do.
        var comparesContent = true

        /// The series caches and the manifest are the writer's; the rest are the site's.
        var isPage: Bool { !path.hasPrefix(".") && !path.contains("/.") }
    }

    /// Rows of the table per data file: one new commit rewrites one file per benchmark, not its history.
    static let rowsPerDataFile = 1000

    func all() -> [Entry] {
        let context = PlanContext(model: model)
        var entries = [
            Entry(path: "style.css", inputs: SiteTemplates.version) { Data(SiteTemplates.style.utf8) },
            Entry(path: "plot.js", inputs: SiteTemplates.version) { Data(SiteTemplates.script.utf8) },
            Entry(path: "index.html", inputs: nil) {
                page("index", title: "\(model.repository) benchmarks", path: "index.html", context: index(context), stamped: true)
            },
        ]
        entries += benchmarkEntries(context)
        entries += commitEntries(context)
        entries += experimentEntries(context)
        if let score = scoreEntry(context) { entries.append(score) }
        for (file, inputs) in context.rowFileInputs.enumerated() {
            entries.append(Entry(path: "\(SeriesTable.cacheFolder)/\(file)", inputs: SeriesTable.cacheVersion + inputs,
                                 render: { model.table.slice(rowFile(file)).encoded() }, comparesContent: false))
        }
        // A commit measured on the tracked branch and for a pull request gets the tracked page.
        var seen = Set<String>()
        entries = entries.filter { seen.insert($0.path).inserted }
        guard let machineSwitch else { return entries }
        let folder = machineSwitch.sets[machineSwitch.current].folder
        return entries.map { entry in
            // Only pages show the switch; a copied graph named `.html` is made again with it, harmlessly.
            let inputs = entry.path.hasSuffix(".html") ? entry.inputs.map { $0 + machineSwitch.inputs(of: entry.path) } : entry.inputs
            return Entry(path: folder + entry.path, inputs: inputs, render: entry.render, comparesContent: entry.comparesContent)
        }
    }

    /// What several pages' plans share, worked out once.
    struct PlanContext: Sendable {
        let version = SiteTemplates.version
        /// Changes whenever any row of the table does: the digest of every file's.
        let history: String
        let changesByBenchmark: [String: [ChangeRecord]]
        let changesByCommit: [ObjectID: [ChangeRecord]]
        let commitsByID: [ObjectID: CommitMetadata]
        /// Commits that get a page, so that only links to those are made.
        let commitPages: Set<ObjectID>
        /// Each benchmark's variants with other parameters, itself among them, numbers in order.
        let variants: [String: [String]]
        /// The table's benchmarks' file names, by column.
        let slugs: [String]
        /// Each tracked commit's row in the table.
        let rowOfCommit: [ObjectID: Int]
        /// Changes whenever a row of its file of ``SitePages/rowsPerDataFile`` rows does, by file.
        let rowFileInputs: [String]
        /// Each tracked commit's subject and author, and its page from a benchmark's, by row: made
        /// once, not once per point of every plot of every page that shows it.
        let pointLabels: [String]
        let commitLinks: [String]

        init(model: SiteModel) {
            let rows = model.table.rows, fileCount = (rows.count + SitePages.rowsPerDataFile - 1) / SitePages.rowsPerDataFile
            rowFileInputs = (0..<fileCount).map { file in
                SitePages.digest(rows[SitePages.rows(ofFile: file, rowCount: rows.count)].map { "\($0.commit):\($0.run)" }.joined(separator: ","))
            }
            history = SitePages.digest(rowFileInputs.joined(separator: ","))
            changesByBenchmark = Dictionary(grouping: model.changes, by: \.benchmark)
            changesByCommit = Dictionary(grouping: model.changes, by: \.commit)
            var commits = Dictionary(model.commits.map { ($0.id, $0) }) { first, _ in first }
            for run in model.offBranch { commits[run.commit.id] = commits[run.commit.id] ?? run.commit }
            commitsByID = commits
            commitPages = Set(commits.keys)
            slugs = model.table.names.map(SiteLayout.slug)
            rowOfCommit = Dictionary(model.commits.indices.map { (model.commits[$0].id, $0) }) { first, _ in first }
            pointLabels = model.commits.map { "\($0.subject) (\($0.authorName))" }
            commitLinks = model.commits.map { "../commit/\($0.id.hex).html" }
            // n=10 before n=1000: numbers in parameters compare as numbers.
            let families = Dictionary(grouping: model.table.names, by: SitePages.family(of:))
                .mapValues { $0.sorted { $0.compare($1, options: .numeric) == .orderedAscending } }
            variants = Dictionary(uniqueKeysWithValues: model.table.names.map { ($0, families[SitePages.family(of: $0)] ?? [$0]) })
        }

        func changeList(_ changes: [ChangeRecord]) -> String {
            changes.map { "\($0.id ?? 0)\($0.kind.rawValue)" }.sorted().joined(separator: ",")
        }
    }

    /// The rows of data file `file`.
    func rowFile(_ file: Int) -> Range<Int> { Self.rows(ofFile: file, rowCount: model.table.rowCount) }

    static func rows(ofFile file: Int, rowCount: Int) -> Range<Int> {
        file * rowsPerDataFile..<min((file + 1) * rowsPerDataFile, rowCount)
    }

    static func digest(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)).prefix(16))
    }

    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// - Parameter path: The page's path in its class's set.
    func page(_ template: String, title: String, path: String, context: [String: Any], stamped: Bool = false) -> Data {
        var layout: [String: Any] = ["title": title, "root": SiteLayout.root(of: path), "repository": model.repository, "machine": model.machine,
                                     "content": templates.render(template, context)]
        if let machineSwitch {
            layout["hasMachines"] = true
            layout["machines"] = machineSwitch.links(from: path)
        }
        // The data's time, not the clock's: a page changes only when its data does.
        if stamped, let run = model.lastRun { layout["asOf"] = run.finishedAt.formatted(.iso8601) }
        // Every page: the index's filter and sorting, the plots' tooltips, each page's self-test.
        layout["script"] = true
        return Data(templates.render("layout", layout).utf8)
    }

    func change(_ change: ChangeRecord, _ context: PlanContext, root: String) -> [String: Any] {
        let scale = HumanUnits(unit: change.unit, values: [change.before, change.after])
        var row: [String: Any] = [
            "benchmark": change.benchmark, "slug": SiteLayout.slug(change.benchmark), "kind": change.kind.rawValue,
            "percent": NumberText.signedPercent(change.after / change.before - 1), "short": change.commit.short,
            "subject": context.commitsByID[change.commit]?.subject ?? "", "before": scale.number(change.before),
            "after": scale.format(change.after), "unit": change.unit,
        ]
        if context.commitPages.contains(change.commit) { row["link"] = "\(root)commit/\(change.commit.hex).html" }
        if let host = model.commitURL(change.commit.hex) { row["host"] = host }
        return row
    }
}
