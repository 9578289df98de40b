import Compare
import Crypto
import Foundation

/// Renders every page of the site from its model: paths relative to the site's root, and contents.
struct SitePages {
    let model: SiteModel
    let templates: SiteTemplates

    /// One file of the site: its path, what it is made from, and how to make it.
    struct Entry {
        let path: String
        /// Changes whenever the page's inputs do; `nil` for a page made every time (the index).
        let inputs: String?
        let render: () -> Data
    }

    func all() -> [Entry] {
        let series = model.series
        let commitsByID = Dictionary(uniqueKeysWithValues: model.commits.map { ($0.id, $0) })
        let changesByBenchmark = Dictionary(grouping: model.changes, by: \.benchmark)
        let changesByCommit = Dictionary(grouping: model.changes, by: \.commit)
        // Every page depends on the templates; a benchmark's on the whole measured history.
        let version = SiteTemplates.version
        let history = Self.digest(model.commits.map { "\($0.id.hex):\(model.runIDs[$0.id] ?? 0)" }.joined(separator: ","))
        func changeList(_ changes: [ChangeRecord]) -> String { changes.map { "\($0.id ?? 0)\($0.kind.rawValue)" }.sorted().joined(separator: ",") }

        var entries = [
            Entry(path: "style.css", inputs: version) { Data(SiteTemplates.style.utf8) },
            Entry(path: "index.html", inputs: nil) {
                page("index", title: "\(model.repository) benchmarks", root: "", context: index(series, commitsByID), stamped: true)
            },
        ]
        for (name, points) in series {
            let slug = SiteLayout.slug(name), changes = changesByBenchmark[name] ?? []
            let inputs = "\(version)|\(history)|\(points.count)|\(changeList(changes))"
            entries.append(Entry(path: "benchmark/\(slug).html", inputs: inputs) {
                page("benchmark", title: name, root: "../", context: benchmark(name, points, changes, commitsByID))
            })
            entries.append(Entry(path: "data/\(slug).json", inputs: inputs) { data(name, points) })
        }
        var commitPages = model.commits.enumerated().map { position, commit in (commit, position > 0 ? model.commits[position - 1] : nil) }
        if let commit = model.lastOffBranch { commitPages.append((commit, nil)) }
        for (commit, previous) in commitPages {
            let run = model.runIDs[commit.id] ?? 0
            entries.append(Entry(path: "commit/\(commit.id.hex).html", inputs: "\(version)|\(run)|\(previous?.id.hex ?? "")") {
                page("commit", title: "\(commit.id.short) \(commit.subject)", root: "../", context: commitPage(commit, previous: previous))
            })
            if let previous {
                let inputs = "\(version)|\(model.runIDs[previous.id] ?? 0)|\(run)|\(changeList(changesByCommit[commit.id] ?? []))"
                entries.append(Entry(path: "compare/\(previous.id.hex)...\(commit.id.hex).html", inputs: inputs) {
                    page("compare", title: "\(previous.id.short) → \(commit.id.short)", root: "../",
                         context: comparison(previous, commit, changes: changesByCommit[commit.id] ?? []))
                })
            }
        }
        return entries
    }

    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private func page(_ template: String, title: String, root: String, context: [String: Any], stamped: Bool = false) -> Data {
        var layout: [String: Any] = ["title": title, "root": root, "repository": model.repository, "machine": model.machine,
                                     "content": templates.render(template, context)]
        // The data's time, not the clock's: a page changes only when its data does.
        if stamped, let run = model.lastRun { layout["asOf"] = run.finishedAt.formatted(.iso8601) }
        return Data(templates.render("layout", layout).utf8)
    }

    private func index(_ series: [String: [(commit: CommitMetadata, point: SeriesPoint)]], _ commits: [ObjectID: CommitMetadata]) -> [String: Any] {
        var context: [String: Any] = ["hasRuns": model.lastRun != nil || !model.commits.isEmpty]
        if let job = model.lastJob, let run = model.lastRun {
            var last: [String: Any] = [
                "commit": job.commit.hex, "short": job.commit.short, "subject": job.subject ?? "",
                "finished": run.finishedAt.formatted(.iso8601),
                "duration": String(format: "%.0f s", run.finishedAt.timeIntervalSince(run.startedAt)),
                // Failures first, then by name.
                "experiments": run.experiments.sorted { ($0.succeeded ? 1 : 0, $0.experiment) < ($1.succeeded ? 1 : 0, $1.experiment) }
                    .map { outcome -> [String: Any] in
                        var row: [String: Any] = ["name": outcome.experiment, "state": outcome.succeeded ? "passed" : "failed"]
                        if !outcome.succeeded { row["message"] = "at \(outcome.failedStage ?? "?"): \(outcome.message)" }
                        return row
                    },
            ]
            if let branch = job.branch { last["branch"] = branch }
            context["lastRun"] = last
        }
        let changes = model.changes.sorted { ($0.kind == .regression ? 0 : 1, -$0.detectedAt.timeIntervalSince1970) < ($1.kind == .regression ? 0 : 1, -$1.detectedAt.timeIntervalSince1970) }
        context["hasChanges"] = !changes.isEmpty
        context["changes"] = changes.map { change(($0), commits) }
        let latestChange = Dictionary(grouping: model.changes, by: \.benchmark).mapValues { $0.max { $0.detectedAt < $1.detectedAt }! }
        context["hasBenchmarks"] = !series.isEmpty
        context["benchmarks"] = series.keys.sorted().map { name -> [String: Any] in
            let points = series[name]!
            var row: [String: Any] = ["name": name, "slug": SiteLayout.slug(name), "latest": NumberText.compact(points.last!.point.median),
                                      "unit": points.last!.point.unit, "count": points.count, "change": "-", "changeKind": ""]
            if let change = latestChange[name] {
                row["change"] = "\(change.kind.rawValue) \(Self.percent(change.after / change.before - 1)) at \(change.commit.short)"
                row["changeKind"] = change.kind.rawValue
            }
            return row
        }
        return context
    }

    private func benchmark(_ name: String, _ points: [(commit: CommitMetadata, point: SeriesPoint)], _ changes: [ChangeRecord],
                           _ commits: [ObjectID: CommitMetadata]) -> [String: Any] {
        let unit = points.last?.point.unit ?? ""
        let marks = Dictionary(changes.map { ($0.commit.hex, $0.kind == .regression ? SVGPlot.Mark.regression : .improvement) }) { first, _ in first }
        func plotPoints(_ chosen: [(commit: CommitMetadata, point: SeriesPoint)]) -> [SVGPlot.Point] {
            chosen.map { entry in
                SVGPlot.Point(commit: entry.commit.id.hex, label: "\(entry.commit.id.short) \(entry.commit.subject) (\(entry.commit.authorName))",
                              median: entry.point.median, minimum: entry.point.minimum, maximum: entry.point.maximum,
                              link: "../commit/\(entry.commit.id.hex).html")
            }
        }
        // Thinned to a page's worth, keeping every change point; the JSON has every point.
        func thinned(_ points: [(commit: CommitMetadata, point: SeriesPoint)]) -> [(commit: CommitMetadata, point: SeriesPoint)] {
            guard points.count > SiteGenerator.maximumPlotPoints else { return points }
            let stride = Int((Double(points.count) / Double(max(1, SiteGenerator.maximumPlotPoints - marks.count - 1))).rounded(.up))
            return points.enumerated().filter { index, entry in
                index % stride == 0 || index == points.count - 1 || marks[entry.commit.id.hex] != nil
            }.map(\.element)
        }
        let newest = points.last?.commit.authorTime ?? Date()
        let recent = thinned(points.filter { $0.commit.authorTime >= newest.addingTimeInterval(-14 * 86_400) })
        let allTime = thinned(points)
        return [
            "slug": SiteLayout.slug(name), "count": points.count,
            "better": points.last?.point.direction == .higherIsBetter ? "worse" : "better",
            "allTime": SVGPlot(title: name, unit: unit, points: plotPoints(allTime), marks: marks).svg(),
            "recent": SVGPlot(title: "\(name), last 2 weeks", unit: unit, points: plotPoints(recent), marks: marks).svg(),
            "caption": allTime.count < points.count ? "\(allTime.count) of \(points.count) points shown, every change point among them; the raw data has all."
                : "Each point is a commit's median; the band spans its samples.",
            "hasChanges": !changes.isEmpty, "changes": changes.map { change($0, commits) },
        ]
    }

    private func commitPage(_ commit: CommitMetadata, previous: CommitMetadata?) -> [String: Any] {
        let results = (model.results[commit.id] ?? [:]).sorted { $0.key < $1.key }
        var context: [String: Any] = [
            "commit": commit.id.hex, "author": commit.authorName, "date": commit.authorTime.formatted(.iso8601),
            "hasResults": !results.isEmpty,
            "results": results.map { name, point -> [String: Any] in
                ["name": name, "slug": SiteLayout.slug(name), "median": NumberText.compact(point.median), "unit": point.unit,
                 "minimum": NumberText.compact(point.minimum), "maximum": NumberText.compact(point.maximum), "samples": point.sampleCount]
            },
        ]
        if let previous { context["previous"] = "\(previous.id.hex)...\(commit.id.hex).html" }
        return context
    }

    /// - Parameter changes: The change points that start at `candidate`.
    private func comparison(_ baseline: CommitMetadata, _ candidate: CommitMetadata, changes: [ChangeRecord]) -> [String: Any] {
        let before = model.results[baseline.id] ?? [:], after = model.results[candidate.id] ?? [:]
        let kinds = Dictionary(changes.map { ($0.benchmark, $0.kind.rawValue) }) { first, _ in first }
        return [
            "baseline": baseline.id.hex, "baselineShort": baseline.id.short, "candidate": candidate.id.hex, "candidateShort": candidate.id.short,
            "subject": candidate.subject,
            "rows": Set(before.keys).union(after.keys).sorted().map { name -> [String: Any] in
                let old = before[name], new = after[name]
                let kind = kinds[name] ?? ""
                return ["name": name, "slug": SiteLayout.slug(name), "kind": kind,
                        "baseline": old.map { "\(NumberText.compact($0.median)) \($0.unit)" } ?? "-",
                        "candidate": new.map { "\(NumberText.compact($0.median)) \($0.unit)" } ?? "-",
                        "change": (old.flatMap { old in new.map { Self.percent($0.median / old.median - 1) } } ?? "-") + (kind.isEmpty ? "" : " (\(kind) starts here)")]
            },
        ]
    }

    private func change(_ change: ChangeRecord, _ commits: [ObjectID: CommitMetadata]) -> [String: Any] {
        ["benchmark": change.benchmark, "slug": SiteLayout.slug(change.benchmark), "kind": change.kind.rawValue,
         "percent": Self.percent(change.after / change.before - 1), "commit": change.commit.hex, "short": change.commit.short,
         "subject": commits[change.commit]?.subject ?? "", "before": NumberText.compact(change.before), "after": NumberText.compact(change.after),
         "unit": change.unit]
    }

    /// A benchmark's download: every point, not just those plotted.
    struct SeriesDocument: Encodable {
        struct Point: Encodable {
            let commit: String
            let time: Double
            let median: Double
            let minimum: Double
            let maximum: Double
            let samples: Int
        }

        let benchmark: String
        let unit: String
        let direction: String
        let points: [Point]
    }

    private func data(_ name: String, _ points: [(commit: CommitMetadata, point: SeriesPoint)]) -> Data {
        let document = SeriesDocument(
            benchmark: name, unit: points.last?.point.unit ?? "", direction: points.last?.point.direction.rawValue ?? "",
            points: points.map { SeriesDocument.Point(commit: $0.commit.id.hex, time: $0.commit.authorTime.timeIntervalSince1970, median: $0.point.median,
                                                      minimum: $0.point.minimum, maximum: $0.point.maximum, samples: $0.point.sampleCount) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite numbers only: encoding cannot fail.
        return (try? encoder.encode(document)) ?? Data()
    }

    static func percent(_ value: Double) -> String { String(format: "%+.1f%%", value * 100) }
}
