public import Compare
import Foundation

/// A comparison as people read it, in the manner of benchstat and critcmp: one row per benchmark,
/// regressions first (the worst first), with the baseline's and candidate's medians in human units,
/// the change of the medians (``MedianChange``, as the site's pages show it), the estimate the
/// verdict rests on with its interval (a paired job's, round by round, can differ from the medians'
/// on a machine whose speed drifts), the threshold the verdict used, and the verdict.
public struct ComparisonTable: Sendable {
    public let baseline: ObjectID
    public let candidate: ObjectID
    /// Why this baseline: "merge base with the tracked branch", say.
    public let baselineReason: String
    public let comparison: SuiteComparison
    /// relay-bench's score counts the benchmarks at least this many times better.
    public let scoreSpeedup: Double
    /// The machine that measured both sides, named in the heading.
    public let machine: String?
    /// Where each benchmark is plotted, for the markdown table's links.
    public let graphURL: @Sendable (BenchmarkComparison) -> String?

    public init(baseline: ObjectID, candidate: ObjectID, baselineReason: String, comparison: SuiteComparison, scoreSpeedup: Double = 1.1,
                machine: String? = nil, graphURL: @escaping @Sendable (BenchmarkComparison) -> String? = { _ in nil }) {
        self.baseline = baseline
        self.candidate = candidate
        self.baselineReason = baselineReason
        self.comparison = comparison
        self.scoreSpeedup = scoreSpeedup
        self.machine = machine
        self.graphURL = graphURL
    }

    struct Row {
        let name: String
        let graph: String?
        let baseline: String
        let candidate: String
        let change: String
        let estimate: String
        let threshold: String
        let verdict: String
        /// Why an unchanged benchmark with a visible change is unchanged; empty otherwise.
        let why: String
    }

    /// Regressions worst first, then improvements best first; the rest as the comparison sorts them.
    var ordered: [BenchmarkComparison] {
        comparison.benchmarks.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            guard a.verdict == b.verdict, a.verdict == .regression || a.verdict == .improvement else {
                return (a.verdict.rank, left.offset) < (b.verdict.rank, right.offset)
            }
            let (x, y) = (a.shownImprovementFactor, b.shownImprovementFactor)
            return x != y ? (a.verdict == .regression ? x < y : x > y) : left.offset < right.offset
        }.map(\.element)
    }

    var rows: [Row] {
        ordered.map { benchmark in
            let scale = HumanUnits(unit: benchmark.unit, values: [benchmark.baseline?.median, benchmark.candidate?.median].compactMap { $0 })
            func side(_ summary: SampleSummary?) -> String {
                summary.map { PlainText.singleLine(scale.format($0.median)) + ($0.count < 2 ? " (1 sample)" : " ±\(Self.percent($0.coefficientOfVariation ?? 0))") } ?? "-"
            }
            let single = [benchmark.baseline, benchmark.candidate].contains { ($0?.count ?? 0) == 1 }
            let estimate = single ? "1 sample" : benchmark.estimate.map { estimate in
                "\(Self.signedPercent(estimate.ratio - 1)) [\(Self.signedPercent(estimate.lower - 1)), \(Self.signedPercent(estimate.upper - 1))]"
                    + (benchmark.qValue.map { " " + Self.qText($0) } ?? (benchmark.pairedRounds == nil ? " (n<3)" : " (rounds<5)"))
            } ?? "-"
            return Row(name: PlainText.singleLine(benchmark.name), graph: graphURL(benchmark), baseline: side(benchmark.baseline),
                       candidate: side(benchmark.candidate), change: benchmark.medianChangeText, estimate: estimate,
                       threshold: "±" + Self.percent(benchmark.threshold),
                       verdict: benchmark.verdict.rawValue, why: Self.why(benchmark))
        }
    }

    /// An unchanged verdict beside a change people can see, explained: inside the threshold, the
    /// benchmark's noise; beyond it, a change its samples cannot tell from chance.
    static func why(_ benchmark: BenchmarkComparison) -> String {
        guard benchmark.verdict == .unchanged, let change = benchmark.medianChange, abs(change) >= 0.01 else { return "" }
        let ratio = benchmark.estimate?.ratio ?? 1 + change
        if abs(log(ratio)) < log(1 + benchmark.threshold) {
            return "within this benchmark's noise of ±\(percent(benchmark.threshold))"
        }
        return "not significant" + (benchmark.qValue.map { " (\(qText($0)))" } ?? "")
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
        let header = Row(name: "BENCHMARK", graph: nil, baseline: "BASELINE", candidate: "CANDIDATE", change: "CHANGE",
                         estimate: "ESTIMATE [95% CI]", threshold: "THRESHOLD", verdict: "VERDICT", why: "")
        let all = [header] + rows
        let widths = [all.map(\.name.count).max()!, all.map(\.baseline.count).max()!, all.map(\.candidate.count).max()!,
                      all.map(\.change.count).max()!, all.map(\.estimate.count).max()!, all.map(\.threshold.count).max()!]
        var lines = ["baseline \(baseline.short) (\(baselineReason)) → candidate \(candidate.short)" + (machine.map { " on \(PlainText.singleLine($0))" } ?? "")]
        for row in all {
            lines.append([row.name.padding(toLength: widths[0], withPad: " ", startingAt: 0),
                          row.baseline.padding(toLength: widths[1], withPad: " ", startingAt: 0),
                          row.candidate.padding(toLength: widths[2], withPad: " ", startingAt: 0),
                          row.change.padding(toLength: widths[3], withPad: " ", startingAt: 0),
                          row.estimate.padding(toLength: widths[4], withPad: " ", startingAt: 0),
                          row.threshold.padding(toLength: widths[5], withPad: " ", startingAt: 0),
                          row.verdict + (row.why.isEmpty ? "" : ": \(row.why)")].joined(separator: "  "))
        }
        lines.append(counts + "; " + scoreLine)
        return lines.joined(separator: "\n")
    }

    /// A GitHub-flavoured markdown table: what needs attention in the open, unchanged benchmarks folded.
    public func markdown() -> String {
        func table(_ rows: [Row]) -> [String] {
            ["| benchmark | baseline | candidate | change | estimate [95% CI] | threshold | verdict |", "| --- | ---: | ---: | ---: | --- | ---: | --- |"]
                + rows.map { row in
                    let name = PlainText.markdownCode(row.name)
                    return "| \(row.graph.map { "[\(name)](\(Self.linkTarget($0)))" } ?? name) | \(Self.cell(row.baseline)) | \(Self.cell(row.candidate)) "
                        + "| \(Self.cell(row.change)) | \(Self.cell(row.estimate)) | \(Self.cell(row.threshold)) | **\(row.verdict)**\(row.why.isEmpty ? "" : ": " + Self.cell(row.why)) |"
                }
        }
        let all = rows
        let attention = all.filter { $0.verdict != Verdict.unchanged.rawValue }
        let unchanged = all.filter { $0.verdict == Verdict.unchanged.rawValue }
        let on = machine.map { " on machine \(PlainText.markdownCode($0))" } ?? ""
        var lines = ["Baseline `\(baseline.short)` (\(baselineReason)) → candidate `\(candidate.short)`\(on): \(counts).", ""]
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
                    "median_change": number(benchmark.medianChange),
                    "baseline_samples": number(benchmark.baseline.map { Double($0.count) }), "candidate_samples": number(benchmark.candidate.map { Double($0.count) }),
                    "ratio": number(benchmark.estimate?.ratio), "ratio_lower": number(benchmark.estimate?.lower), "ratio_upper": number(benchmark.estimate?.upper),
                    "p_value": number(benchmark.pValue), "q_value": number(benchmark.qValue),
                    "paired_rounds": number(benchmark.pairedRounds.map(Double.init)),
                ])
            }),
        ])
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func signedPercent(_ value: Double) -> String { NumberText.signedPercent(value) }

    /// A q-value as people read it: `q=0.012`, and `q<0.001` below that, where printf's `%g`
    /// would write `2.5e-07`, a precision no test of five samples has.
    static func qText(_ q: Double) -> String {
        q < 0.001 ? "q<0.001" : String(format: "q=%.2g", q)
    }

    /// A link's target in markdown: a space or a parenthesis in it would end the link early.
    static func linkTarget(_ url: String) -> String {
        url.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "(", with: "%28").replacingOccurrences(of: ")", with: "%29")
    }

    /// A plain markdown cell: units come from benchmark output too, and a pipe or a line break in
    /// one must not split the row.
    static func cell(_ text: String) -> String {
        PlainText.markdownCell(text)
    }
}
