import Compare
import Foundation

/// relay-bench's score, over history: how much faster the suite is than when each benchmark was
/// first measured (the geometric mean of the speed-ups), and how many benchmarks are at least
/// `score_speedup` times better.
extension SitePages {
    func scoreEntry(_ context: PlanContext) -> Entry? {
        guard !model.table.names.isEmpty else { return nil }
        return Entry(path: "score.html", inputs: "\(context.version)|\(context.history)|\(model.scoreSpeedup)") {
            page("score", title: "\(model.repository) score", path: "score.html", context: score())
        }
    }

    /// Each commit's geometric-mean speed-up and count of benchmarks `scoreSpeedup` times better.
    func scoreSeries() -> [(speedup: Double, better: Int)] {
        var logSums = [Double](repeating: 0, count: model.table.rowCount)
        var counts = [Int](repeating: 0, count: model.table.rowCount), better = counts
        let threshold = log(model.scoreSpeedup)
        for column in model.table.columns {
            guard let first = column.first(where: { $0 != nil }) ?? nil, first.median > 0 else { continue }
            for (row, cell) in column.enumerated() {
                guard let cell, cell.median > 0 else { continue }
                let speedup = cell.direction == .higherIsBetter ? log(cell.median / first.median) : log(first.median / cell.median)
                logSums[row] += speedup
                counts[row] += 1
                if speedup >= threshold - 1e-12 { better[row] += 1 }
            }
        }
        return (0..<model.table.rowCount).map { row in (counts[row] == 0 ? 1 : exp(logSums[row] / Double(counts[row])), better[row]) }
    }

    private func score() -> [String: Any] {
        let series = scoreSeries()
        let stride = max(1, (series.count + SiteGenerator.maximumPlotPoints - 1) / SiteGenerator.maximumPlotPoints)
        let rows = series.indices.filter { $0 % stride == 0 || $0 == series.count - 1 }
        func plot(_ id: String, _ title: String, _ unit: String, _ value: (Int) -> Double) -> String {
            SVGPlot(id: id, title: title, unit: unit, points: rows.map { row in
                let commit = model.commits[row]
                return SVGPlot.Point(commit: commit.id.hex, label: "\(commit.id.short) \(commit.subject)", median: value(row),
                                     minimum: value(row), maximum: value(row), link: "commit/\(commit.id.hex).html")
            }).svg()
        }
        let last = series.last
        return [
            "speedup": last.map { NumberText.compact($0.speedup) } ?? "-", "better": last?.better ?? 0,
            "benchmarks": model.table.names.count, "threshold": NumberText.compact(model.scoreSpeedup),
            "speedupPlot": plot("speedup", "Speed-up over each benchmark's first measurement (geometric mean)", "×") { series[$0].speedup },
            "betterPlot": plot("better", "Benchmarks at least \(NumberText.compact(model.scoreSpeedup))× better than at first", "benchmarks") {
                Double(series[$0].better)
            },
        ]
    }
}
