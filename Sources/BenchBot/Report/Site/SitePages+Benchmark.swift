import Compare
import Foundation

/// A page per benchmark, with its plots, and its data as JSON in files of
/// ``SitePages/rowsPerDataFile`` commits with an index, so that no download is the whole history
/// and one new commit rewrites only the newest file.
extension SitePages {
    /// One benchmark's measured points, oldest first, by their row in the table: a commit is
    /// looked up only for the points a plot shows.
    typealias Series = [(row: Int, point: SeriesPoint)]

    func benchmarkEntries(_ context: PlanContext) -> [Entry] {
        let dataFileInputs = context.rowFileInputs, dataFileCount = dataFileInputs.count
        var entries: [Entry] = []
        for (name, column) in zip(model.table.names, model.table.columns) {
            let slug = SiteLayout.slug(name), changes = context.changesByBenchmark[name] ?? []
            let files = (0..<dataFileCount).filter { file in rowFile(file).contains { column[$0] != nil } }
            let inputs = "\(context.version)|\(context.history)|\(context.changeList(changes))"
            let path = "benchmark/\(slug).html"
            entries.append(Entry(path: path, inputs: inputs) {
                page("benchmark", title: name, path: path, context: benchmark(name, series(column), changes, files: files, context))
            })
            entries.append(Entry(path: "data/\(slug).json", inputs: inputs) { dataIndex(name, column, files: files) })
            for file in files {
                entries.append(Entry(path: "data/\(slug)/\(file).json", inputs: "\(context.version)|\(dataFileInputs[file])") {
                    dataFile(name, column, rows: rowFile(file))
                })
            }
        }
        return entries
    }


    private func series(_ column: [SeriesPoint?]) -> Series {
        column.indices.compactMap { row in column[row].map { (row, $0) } }
    }

    private func benchmark(_ name: String, _ points: Series, _ changes: [ChangeRecord], files: [Int], _ context: PlanContext) -> [String: Any] {
        let unit = points.last?.point.unit ?? ""
        let refuted = model.refutedChanges.filter { $0.benchmark == name }
        let marks = Dictionary((changes + refuted).map { ($0.commit.hex, $0.kind == .regression ? SVGPlot.Mark.regression : .improvement) }) { first, _ in first }
        let markLabels = Dictionary((changes + refuted).map { ($0.commit.hex, NumberText.signedPercent($0.after / $0.before - 1)) }) { first, _ in first }
        let unconfirmed = Set(refuted.map(\.commit.hex)).subtracting(changes.map(\.commit.hex))
        func plotPoints(_ chosen: Series) -> [SVGPlot.Point] {
            chosen.map { entry in
                let commit = model.commits[entry.row]
                return SVGPlot.Point(commit: commit.id.hex, median: entry.point.median, minimum: entry.point.minimum, maximum: entry.point.maximum,
                                     time: commit.authorTime, samples: entry.point.sampleCount)
            }
        }
        let noise = Self.noise(points.map(\.point.median))
        func plot(_ id: String, _ title: String, _ chosen: Series) -> String {
            let rows = chosen.map(\.row), labels = context.pointLabels, links = context.commitLinks
            return SVGPlot(id: id, title: title, unit: unit, points: plotPoints(chosen), marks: marks, markLabels: markLabels,
                           unconfirmed: unconfirmed, noise: noise, caption: { (labels[rows[$0]], links[rows[$0]]) }).svg()
        }
        let newest = points.last.map { model.commits[$0.row].authorTime } ?? Date()
        let since = newest.addingTimeInterval(-14 * 86_400)
        let recent = points.filter { model.commits[$0.row].authorTime >= since }
        let columns = Int(SVGPlot.plotAreaWidth / SVGPlot.columnWidth)
        let slug = SiteLayout.slug(name), variants = context.variants[name] ?? []
        var page: [String: Any] = [
            "slug": slug, "count": points.count,
            "better": points.last?.point.direction == .higherIsBetter ? "worse" : "better",
            "allTime": plot("all-time", name, points),
            "caption": (points.count > 2 * columns
                ? "Of \(points.count) commits, each column of the plot draws its lowest and highest median, and the band its whole spread; every change point is drawn. The raw data has all. "
                : "Each point is a commit's median; the band spans its samples. ")
                + (noise.map { "The shaded band is this benchmark's run-to-run noise, ±\(NumberText.fixed($0 * 100, decimals: 1, trimmingZeros: true))%, around its newest median. " } ?? "")
                + "Hover, or focus the plot and use the arrow keys, for a commit's values; click or press Enter to open it.",
            "dataFiles": files.map { file -> [String: Any] in
                let rows = rowFile(file)
                return ["file": "\(slug)/\(file).json", "first": model.commits[rows.lowerBound].id.short, "last": model.commits[rows.upperBound - 1].id.short]
            },
            "hasChanges": !changes.isEmpty, "changes": changes.map { change($0, context, root: "../") },
            "hasVariants": variants.count > 1,
            "variants": variants.count > 1 ? variants.map { variant -> [String: Any] in
                ["label": Self.parameters(of: variant) ?? "none", "slug": SiteLayout.slug(variant), "current": variant == name]
            } : [],
        ]
        // A history all within the last 2 weeks would be drawn twice, the same: a young project's, or a busy one's.
        if recent.count < points.count { page["recent"] = plot("recent", "\(name), last 2 weeks", recent) }
        return page
    }

    /// A benchmark's run-to-run noise over its newest 60 commits, as the analyzer judges it; `nil` with too short a history.
    static func noise(_ medians: [Double]) -> Double? {
        HistoricalNoise.estimate(medians: Array(medians.suffix(60)))
    }

    /// `size=10,threads=4` from `name[size=10,threads=4]`: a benchmark's parameters as its name carries them.
    static func parameters(of name: String) -> String? {
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "[") else { return nil }
        return String(name[name.index(after: open)..<name.index(before: name.endIndex)])
    }

    /// A benchmark's name without its parameters: what its variants share.
    static func family(of name: String) -> String {
        guard parameters(of: name) != nil, let open = name.lastIndex(of: "[") else { return name }
        return String(name[..<open])
    }

    /// `data/<slug>.json`: what the benchmark is, and which files hold its points.
    private func dataIndex(_ name: String, _ column: [SeriesPoint?], files: [Int]) -> Data {
        let latest = column.last { $0 != nil } ?? nil
        var out = "{\"benchmark\":\(JSONText.string(name)),\"unit\":\(JSONText.string(latest?.unit ?? "")),"
            + "\"direction\":\(JSONText.string(latest?.direction.rawValue ?? "")),\"points\":\(column.count { $0 != nil }),\"files\":["
        out += files.map { file in
            let rows = rowFile(file)
            return "{\"file\":\(JSONText.string("\(SiteLayout.slug(name))/\(file).json")),\"first\":\"\(model.commits[rows.lowerBound].id.hex)\","
                + "\"last\":\"\(model.commits[rows.upperBound - 1].id.hex)\",\"points\":\(rows.count { column[$0] != nil })}"
        }.joined(separator: ",")
        return Data((out + "]}\n").utf8)
    }

    /// `data/<slug>/<n>.json`: every point of `rows`, not just those plotted.
    private func dataFile(_ name: String, _ column: [SeriesPoint?], rows: Range<Int>) -> Data {
        var out = "{\"benchmark\":\(JSONText.string(name)),\"points\":[\n"
        out.reserveCapacity(rows.count * 160)
        var first = true
        for row in rows {
            guard let point = column[row] else { continue }
            let commit = model.commits[row]
            out += (first ? "" : ",\n") + "{\"commit\":\"\(commit.id.hex)\",\"time\":\(JSONText.number(commit.authorTime.timeIntervalSince1970)),"
                + "\"median\":\(JSONText.number(point.median)),\"minimum\":\(JSONText.number(point.minimum)),"
                + "\"maximum\":\(JSONText.number(point.maximum)),\"samples\":\(point.sampleCount),\"unit\":\(JSONText.string(point.unit))}"
            first = false
        }
        return Data((out + "\n]}\n").utf8)
    }
}
