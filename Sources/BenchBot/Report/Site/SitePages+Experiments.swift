import Foundation

/// A page per experiment: how it did in the last run, the graphs its `visualize.sh` drew (copied
/// into the site), and its CPU and GPU telemetry from that run as plots.
extension SitePages {
    /// Experiments the last run, its telemetry or the graphs folder know of.
    var experimentNames: [String] {
        Set((model.lastRun?.experiments.map(\.experiment) ?? []) + (model.lastRun?.telemetry.map(\.experiment) ?? []) + model.graphs.keys).sorted()
    }

    /// A graph's path in the site: each part of its path under the experiment's folder made safe.
    static func graphPath(experiment: String, file: String) -> String {
        "graph/\(SiteLayout.slug(experiment))/" + file.split(separator: "/").map { SiteLayout.slug(String($0)) }.joined(separator: "/")
    }

    func experimentEntries(_ context: PlanContext) -> [Entry] {
        var entries: [Entry] = []
        for name in experimentNames {
            for graph in model.graphs[name] ?? [] {
                let source = model.graphsFolder + "/" + name + "/" + graph.path
                entries.append(Entry(path: Self.graphPath(experiment: name, file: graph.path), inputs: "\(source)|\(graph.stamp)") {
                    FileManager.default.contents(atPath: source) ?? Data()
                })
            }
            // Made every time: it is small, and the writer keeps it when it came out the same.
            let path = "experiment/\(SiteLayout.slug(name)).html"
            entries.append(Entry(path: path, inputs: nil) {
                page("experiment", title: name, path: path, context: experiment(name))
            })
        }
        return entries
    }

    private func experiment(_ name: String) -> [String: Any] {
        var page: [String: Any] = [:]
        if let outcome = model.lastRun?.experiments.first(where: { $0.experiment == name }) {
            page["state"] = outcome.succeeded ? "passed" : "failed at \(outcome.failedStage ?? "?")"
            page["stateClass"] = outcome.succeeded ? "passed" : "failed"
            if !outcome.succeeded { page["message"] = outcome.message }
            if let title = outcome.summaryTitle, let value = outcome.summaryValue { page["summary"] = "\(title): \(value)" }
        } else {
            page["state"] = "not in the last run"
        }
        let imageTypes: Set<String> = ["svg", "png", "jpg", "jpeg", "gif", "webp"]
        let graphs = (model.graphs[name] ?? []).map { graph -> [String: Any] in
            ["name": graph.path, "file": "../" + Self.graphPath(experiment: name, file: graph.path)]
        }
        page["images"] = graphs.filter { imageTypes.contains((($0["name"] as? String ?? "") as NSString).pathExtension.lowercased()) }
        page["others"] = graphs.filter { !imageTypes.contains((($0["name"] as? String ?? "") as NSString).pathExtension.lowercased()) }
        page["hasGraphs"] = !graphs.isEmpty
        let plots = (model.lastRun?.telemetry ?? []).filter { $0.experiment == name }.flatMap(Self.telemetrySeries)
        page["hasTelemetry"] = !plots.isEmpty
        page["telemetry"] = plots.enumerated().map { index, series -> [String: Any] in
            // Thinned evenly to a page's worth; samples come at a steady rate, so this keeps the shape.
            let stride = max(1, (series.points.count + SiteGenerator.maximumPlotPoints - 1) / SiteGenerator.maximumPlotPoints)
            let points = series.points.enumerated().filter { $0.offset % stride == 0 }.map { _, point in
                SVGPlot.Point(commit: NumberText.compact(point.seconds), label: "\(NumberText.compact(point.seconds)) s",
                              median: point.value, minimum: point.value, maximum: point.value, link: nil)
            }
            return ["svg": SVGPlot(id: "telemetry-\(index)", title: series.title, unit: series.unit, points: points,
                                   xLabel: "samples through the experiment").svg()]
        }
        return page
    }

    /// A telemetry record's series: a CPU record's sensors by adapter, a GPU record's topics.
    static func telemetrySeries(_ record: TelemetryRecord) -> [(title: String, unit: String, points: [(seconds: Double, value: Double)])] {
        guard case .object(let fields) = record.document else { return [] }
        func pairs(_ value: JSONValue?) -> [(seconds: Double, value: Double)] {
            guard case .array(let items)? = value else { return [] }
            return items.compactMap { item in
                guard case .array(let pair) = item, pair.count == 2, case .number(let seconds) = pair[0], case .number(let value) = pair[1] else { return nil }
                return (seconds, value)
            }
        }
        var series: [(title: String, unit: String, points: [(seconds: Double, value: Double)])] = []
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where key != "timestamp" {
            guard case .object(let inner) = value else { continue }
            switch record.kind {
            case .gpu:
                let unit: String = if case .string(let text)? = inner["unit"] { text } else { "" }
                series.append(("GPU \(key)", unit, pairs(inner["data"])))
            case .cpu:
                for (sensor, readings) in inner.sorted(by: { $0.key < $1.key }) {
                    series.append(("CPU \(key) \(sensor)", "", pairs(readings)))
                }
            }
        }
        return series.filter { !$0.points.isEmpty }
    }
}
