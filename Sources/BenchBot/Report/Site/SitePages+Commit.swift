import Compare
import Foundation

/// A page per measured commit, with its results against its baseline, and the comparison pages
/// notifications link to (`compare/<baseline>...<candidate>.html`).
///
/// A tracked commit's baseline is the measured commit before it, so its comparison is on its own
/// page (`commit/<sha>.html#comparison`, where its notifications link). A commit from a branch, a
/// fork or a pull request is compared with its merge base, or with the baseline it was paired
/// with, on a page of its own.
extension SitePages {
    func commitEntries(_ context: PlanContext) -> [Entry] {
        var entries: [Entry] = []
        for run in model.offBranch {
            if let baseline = run.baseline {
                let path = "compare/\(baseline.commit.id.hex)...\(run.commit.id.hex).html"
                entries.append(Entry(path: path, inputs: "\(context.version)|\(baseline.run)|\(run.run)|\(run.paired)|\(Self.describe(run.job))") {
                    let title = "\(baseline.commit.id.short) → \(run.commit.id.short)"
                    return page("compare", title: title, path: path, context: offBranchComparison(run, baseline: baseline, context))
                })
            }
        }
        for (row, commit) in model.commits.enumerated() {
            let previous = row > 0 ? row - 1 : nil
            let changes = context.changesByCommit[commit.id] ?? []
            let inputs = "\(context.version)|\(model.table.rows[row].run)|\(previous.map { "\(model.table.rows[$0].run)" } ?? "")|\(context.changeList(changes))"
            let path = "commit/\(commit.id.hex).html"
            entries.append(Entry(path: path, inputs: inputs) {
                page("commit", title: "\(commit.id.short) \(commit.subject)", path: path, context: trackedCommit(row: row, changes: changes, context))
            })
        }
        for run in model.offBranch {
            let inputs = "\(context.version)|\(run.run)|\(run.baseline.map { "\($0.run)" } ?? "")|\(Self.describe(run.job))"
            let path = "commit/\(run.commit.id.hex).html"
            entries.append(Entry(path: path, inputs: inputs) {
                page("commit", title: "\(run.commit.id.short) \(run.commit.subject)", path: path, context: offBranchCommit(run))
            })
        }
        return entries
    }

    private func trackedCommit(row: Int, changes: [ChangeRecord], _ context: PlanContext) -> [String: Any] {
        let commit = model.commits[row]
        var rows: [ResultRow] = []
        for (column, cells) in model.table.columns.enumerated() {
            guard let point = cells[row] else { continue }
            rows.append(ResultRow(name: model.table.names[column], slug: context.slugs[column], point: point, baseline: row > 0 ? cells[row - 1] : nil))
        }
        var page = header(commit)
        page["hasResults"] = !rows.isEmpty
        page["table"] = resultsTable(rows, changes: changes)
        if row > 0 {
            let baseline = model.commits[row - 1]
            var link: [String: Any] = ["link": "\(baseline.id.hex).html", "short": baseline.id.short, "reason": "the measured commit before it"]
            if let host = model.commitURL(baseline.id.hex) { link["host"] = host }
            page["baseline"] = link
        }
        return page
    }

    private func offBranchCommit(_ run: SiteModel.OffBranchRun) -> [String: Any] {
        var context = header(run.commit)
        let rows = ResultRow.rows(run.results, baseline: run.baseline?.results ?? [:])
        context["hasResults"] = !rows.isEmpty
        context["table"] = resultsTable(rows, changes: [])
        context["what"] = Self.describe(run.job)
        if let baseline = run.baseline {
            context["comparison"] = "../compare/\(baseline.commit.id.hex)...\(run.commit.id.hex).html"
            var link: [String: Any] = ["short": baseline.commit.id.short,
                                       "reason": run.paired ? "the baseline it was measured alternately with" : "its merge base with the tracked branch"]
            if let host = model.commitURL(baseline.commit.id.hex) { link["host"] = host }
            context["baseline"] = link
        }
        return context
    }

    private func offBranchComparison(_ run: SiteModel.OffBranchRun, baseline: (commit: CommitMetadata, run: Int64, results: [String: SeriesPoint]),
                                     _ context: PlanContext) -> [String: Any] {
        var page: [String: Any] = [
            "candidate": "\(run.commit.id.hex).html", "candidateShort": run.commit.id.short, "subject": run.commit.subject,
            "baselineShort": baseline.commit.id.short, "what": Self.describe(run.job),
            "reason": run.paired ? "measured alternately with it in the same job, round by round" : "its merge base with the tracked branch",
            "table": resultsTable(ResultRow.rows(run.results, baseline: baseline.results), changes: []),
        ]
        if context.commitPages.contains(baseline.commit.id) { page["baseline"] = "../commit/\(baseline.commit.id.hex).html" }
        if let host = model.commitURL(run.commit.id.hex) { page["candidateHost"] = host }
        if let host = model.commitURL(baseline.commit.id.hex) { page["baselineHost"] = host }
        return page
    }

    private func header(_ commit: CommitMetadata) -> [String: Any] {
        var header: [String: Any] = ["commit": commit.id.hex, "author": commit.authorName, "date": commit.authorTime.formatted(.iso8601)]
        if let host = model.commitURL(commit.id.hex) { header["host"] = host }
        return header
    }

    /// One benchmark's line in a commit's table.
    struct ResultRow {
        let name: String
        let slug: String
        let point: SeriesPoint
        let baseline: SeriesPoint?

        static func rows(_ results: [String: SeriesPoint], baseline: [String: SeriesPoint]) -> [ResultRow] {
            results.sorted { $0.key < $1.key }.map { ResultRow(name: $0.key, slug: SiteLayout.slug($0.key), point: $0.value, baseline: baseline[$0.key]) }
        }
    }

    /// A commit's results beside its baseline's: median, spread, samples, the baseline's median
    /// and the change, with the change points that start at this commit named and coloured.
    private func resultsTable(_ rows: [ResultRow], changes: [ChangeRecord]) -> String {
        let kinds = Dictionary(changes.map { ($0.benchmark, $0.kind.rawValue) }) { first, _ in first }
        var table = SiteHTML.Table(headers: ["benchmark", "median", "spread", "samples", "baseline", "change"], rowCapacity: rows.count)
        for row in rows {
            let point = row.point, kind = kinds[row.name] ?? ""
            let change = MedianChange.text(baseline: row.baseline?.median, candidate: point.median)
            // One scale for the row, so its median, spread and baseline compare at a glance.
            let scale = HumanUnits(unit: point.unit, values: [point.median, point.minimum, point.maximum] + (row.baseline.map { [$0.median] } ?? []))
            table.row([
                "<a href=\"../benchmark/\(row.slug).html\">\(SiteHTML.escape(row.name))</a>",
                SiteHTML.escape(scale.format(point.median)),
                point.sampleCount == 1 ? "1 sample" : SiteHTML.escape("\(scale.number(point.minimum))–\(scale.format(point.maximum))"),
                "\(point.sampleCount)",
                row.baseline.map { SiteHTML.escape($0.unit == point.unit ? scale.format($0.median) : HumanUnits.format($0.median, unit: $0.unit)) } ?? "-",
                kind.isEmpty ? change : "\(change) (\(kind) starts here)",
            ], className: kind)
        }
        return table.html
    }
}
