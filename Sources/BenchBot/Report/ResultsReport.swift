import Foundation
import Compare

/// One run's results and noise, as `benchbot results` prints them.
public struct ResultsReport: Encodable, Sendable {
    public struct Row: Encodable, Sendable {
        public let benchmark: String
        public let unit: String
        public let direction: String
        public let samples: Int
        public let median: Double?
        public let mean: Double?
        public let standardDeviation: Double?
        public let coefficientOfVariation: Double?
        public let minimum: Double?
        public let maximum: Double?
        public let minimumDetectableChange: Double?
        public let tooNoisy: Bool
    }

    public let commit: String
    public let run: Int64
    public let machine: String
    public let finishedAt: String
    public let benchmarks: [Row]

    public init(run: StoredRun) {
        commit = run.commit.hex
        self.run = run.id
        machine = run.machine
        finishedAt = run.finishedAt.formatted(.iso8601)
        benchmarks = run.results.map { result in
            let noise = run.noise[result.displayName]
            let summary = noise?.summary
            // A spread of values near ±1.8e308 overflows to infinity, which JSON cannot hold: it is shown as unknown.
            func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
            return Row(benchmark: result.displayName, unit: result.unit, direction: result.direction.rawValue,
                       samples: summary?.count ?? result.samples.count, median: finite(summary?.median), mean: finite(summary?.mean),
                       standardDeviation: finite(summary?.standardDeviation), coefficientOfVariation: finite(summary?.coefficientOfVariation),
                       minimum: finite(summary?.minimum), maximum: finite(summary?.maximum),
                       minimumDetectableChange: finite(noise?.minimumDetectableChange), tooNoisy: !(noise?.canResolve() ?? false))
        }
    }

    /// The table `benchbot results` prints: each row's values in one human scale, named in its
    /// UNIT column (`65.1` and `ms`, not `6.51e+07` and `ns`); the JSON keeps the stored numbers.
    public func text() -> String {
        let header = ["BENCHMARK", "UNIT", "N", "MEDIAN", "MEAN", "SD", "CV", "MIN", "MAX", "DETECTS", "NOTE"]
        let rows = benchmarks.map { row in
            let note: String = if row.samples < 2 {
                "noise unknown: 1 sample; use repeat"
            } else if row.tooNoisy {
                "too noisy to judge a 1% change"
            } else {
                ""
            }
            // One scale per row: a row's values share its unit, and are compared with each other.
            let scale = HumanUnits(unit: row.unit, values: [row.median, row.mean, row.standardDeviation, row.minimum, row.maximum].compactMap { $0 })
            func number(_ value: Double?) -> String { value.map(scale.number) ?? "-" }
            return [PlainText.singleLine(row.benchmark), PlainText.singleLine(Self.shownUnit(row.unit, scale: scale)), String(row.samples),
                    number(row.median), number(row.mean), number(row.standardDeviation), percent(row.coefficientOfVariation),
                    number(row.minimum), number(row.maximum), percent(row.minimumDetectableChange), note]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        var lines = ["commit \(commit)  run \(run)  machine \(machine)  finished \(finishedAt)"]
        for row in [header] + rows {
            lines.append(row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let noisy = benchmarks.filter(\.tooNoisy).count
        lines.append("\(benchmarks.count) benchmark(s); \(noisy) cannot detect a 1% change. DETECTS is the smallest change a comparison of two such runs would find (80% power, 5% level).")
        return lines.joined(separator: "\n")
    }

    /// The UNIT column: the row's scale (`ms`, `M instructions`), with a bare count named as one
    /// (`M count`), so a prefix never stands alone.
    static func shownUnit(_ unit: String, scale: HumanUnits) -> String {
        let shown = scale.unit
        if unit.isEmpty || unit == "count" { return shown.isEmpty ? (unit.isEmpty ? "-" : unit) : shown + (unit.isEmpty ? "" : " " + unit) }
        return shown
    }

    private func percent(_ value: Double?) -> String {
        value.map { String(format: "%.2f%%", $0 * 100) } ?? "-"
    }
}
