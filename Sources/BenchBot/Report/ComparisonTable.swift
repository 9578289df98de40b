public import Compare
import Foundation

/// A comparison as people read it, in the manner of benchstat and critcmp: one row per benchmark,
/// regressions first, with the baseline's and candidate's medians, the change with its interval,
/// and the verdict.
public struct ComparisonTable: Sendable {
    public let baseline: ObjectID
    public let candidate: ObjectID
    /// Why this baseline: "merge base with the tracked branch", say.
    public let baselineReason: String
    public let comparison: SuiteComparison
    /// relay-bench's score counts the benchmarks at least this many times better.
    public let scoreSpeedup: Double

    public init(baseline: ObjectID, candidate: ObjectID, baselineReason: String, comparison: SuiteComparison, scoreSpeedup: Double = 1.1) {
        self.baseline = baseline
        self.candidate = candidate
        self.baselineReason = baselineReason
        self.comparison = comparison
        self.scoreSpeedup = scoreSpeedup
    }

    struct Row {
        let name: String
        let baseline: String
        let candidate: String
        let change: String
        let verdict: String
    }

    var rows: [Row] {
        comparison.benchmarks.map { benchmark in
            let unit = PlainText.singleLine(benchmark.unit)
            return Row(name: PlainText.singleLine(benchmark.name),
                   baseline: benchmark.baseline.map { Self.value($0.median, unit) + " ±\(Self.percent($0.coefficientOfVariation ?? 0))" } ?? "-",
                   candidate: benchmark.candidate.map { Self.value($0.median, unit) + " ±\(Self.percent($0.coefficientOfVariation ?? 0))" } ?? "-",
                   change: benchmark.estimate.map { estimate in
                       "\(Self.signedPercent(estimate.ratio - 1)) [\(Self.signedPercent(estimate.lower - 1)), \(Self.signedPercent(estimate.upper - 1))]"
                           + (benchmark.qValue.map { String(format: " q=%.3g", $0) } ?? (benchmark.pairedRounds == nil ? " (n<3)" : " (rounds<5)"))
                   } ?? "-",
                   verdict: benchmark.verdict.rawValue)
        }
    }

    public var counts: String {
        let grouped = Dictionary(grouping: comparison.benchmarks, by: \.verdict)
        return Verdict.allCases.sorted { $0.rank < $1.rank }.compactMap { verdict in
            grouped[verdict].map { "\($0.count) \(verdict.rawValue)" }
        }.joined(separator: ", ")
    }

    var scoreLine: String {
        let geometricMean = comparison.geometricMeanImprovement.map { String(format: "suite score (geometric mean of improvement factors): %.4f", $0) } ?? "suite score: -"
        return geometricMean + String(format: "; %d at least %.2f× better", comparison.count(atLeast: scoreSpeedup), scoreSpeedup)
    }

    /// A plain table for terminals.
    public func text() -> String {
        let header = Row(name: "BENCHMARK", baseline: "BASELINE", candidate: "CANDIDATE", change: "CHANGE [95% CI]", verdict: "VERDICT")
        let all = [header] + rows
        let widths = [all.map(\.name.count).max()!, all.map(\.baseline.count).max()!, all.map(\.candidate.count).max()!, all.map(\.change.count).max()!]
        var lines = ["baseline \(baseline.short) (\(baselineReason)) → candidate \(candidate.short)"]
        for row in all {
            lines.append([row.name.padding(toLength: widths[0], withPad: " ", startingAt: 0),
                          row.baseline.padding(toLength: widths[1], withPad: " ", startingAt: 0),
                          row.candidate.padding(toLength: widths[2], withPad: " ", startingAt: 0),
                          row.change.padding(toLength: widths[3], withPad: " ", startingAt: 0), row.verdict].joined(separator: "  "))
        }
        lines.append(counts + "; " + scoreLine)
        return lines.joined(separator: "\n")
    }

    /// A GitHub-flavoured markdown table: what needs attention in the open, unchanged benchmarks folded.
    public func markdown() -> String {
        func table(_ rows: [Row]) -> [String] {
            ["| benchmark | baseline | candidate | change [95% CI] | verdict |", "| --- | ---: | ---: | --- | --- |"]
                + rows.map { "| \(PlainText.markdownCode($0.name)) | \(Self.cell($0.baseline)) | \(Self.cell($0.candidate)) | \(Self.cell($0.change)) | **\($0.verdict)** |" }
        }
        let all = rows
        let attention = all.filter { $0.verdict != Verdict.unchanged.rawValue }
        let unchanged = all.filter { $0.verdict == Verdict.unchanged.rawValue }
        var lines = ["Baseline `\(baseline.short)` (\(baselineReason)) → candidate `\(candidate.short)`: \(counts).", ""]
        if !attention.isEmpty { lines += table(attention) + [""] }
        if !unchanged.isEmpty {
            lines += ["<details><summary>\(unchanged.count) unchanged</summary>", ""] + table(unchanged) + ["", "</details>", ""]
        }
        lines.append(scoreLine)
        return lines.joined(separator: "\n")
    }

    /// Everything, for machines.
    public func json() -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        return .object([
            "baseline": .string(baseline.hex), "candidate": .string(candidate.hex), "baseline_reason": .string(baselineReason),
            "geometric_mean_improvement": number(comparison.geometricMeanImprovement),
            "score_speedup": .number(scoreSpeedup), "score_count": .number(Double(comparison.count(atLeast: scoreSpeedup))),
            "benchmarks": .array(comparison.benchmarks.map { benchmark in
                .object([
                    "name": .string(benchmark.name), "unit": .string(benchmark.unit), "direction": .string(benchmark.direction.rawValue),
                    "verdict": .string(benchmark.verdict.rawValue), "threshold": .number(benchmark.threshold),
                    "baseline_median": number(benchmark.baseline?.median), "candidate_median": number(benchmark.candidate?.median),
                    "baseline_samples": number(benchmark.baseline.map { Double($0.count) }), "candidate_samples": number(benchmark.candidate.map { Double($0.count) }),
                    "ratio": number(benchmark.estimate?.ratio), "ratio_lower": number(benchmark.estimate?.lower), "ratio_upper": number(benchmark.estimate?.upper),
                    "p_value": number(benchmark.pValue), "q_value": number(benchmark.qValue),
                    "paired_rounds": number(benchmark.pairedRounds.map(Double.init)),
                ])
            }),
        ])
    }

    static func value(_ value: Double, _ unit: String) -> String {
        let text = NumberText.compact(value)
        return unit.isEmpty ? text : "\(text) \(unit)"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func signedPercent(_ value: Double) -> String { String(format: "%+.2f%%", value * 100) }

    /// A plain markdown cell: units come from benchmark output too, and a pipe or a line break in
    /// one must not split the row.
    static func cell(_ text: String) -> String {
        PlainText.markdownCell(text)
    }
}
