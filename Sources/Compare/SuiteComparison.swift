import RealModule

/// One benchmark's samples on one side of a comparison.
public struct MeasuredSeries: Sendable, Hashable {
    public var name: String
    public var unit: String
    public var direction: Direction
    public var samples: [Double]

    public init(name: String, unit: String, direction: Direction, samples: [Double]) {
        self.name = name
        self.unit = unit
        self.direction = direction
        self.samples = samples
    }
}

/// The comparison of one benchmark.
public struct BenchmarkComparison: Sendable, Hashable {
    public let name: String
    public let unit: String
    public let direction: Direction
    public let baseline: SampleSummary?
    public let candidate: SampleSummary?
    /// candidate ÷ baseline with its interval; `nil` for new, missing, or non-positive values.
    public let estimate: ShiftEstimate?
    /// Mann–Whitney's two-sided p-value, with 3 or more samples a side.
    public let pValue: Double?
    /// The p-value adjusted across the suite (Benjamini–Hochberg).
    public let qValue: Double?
    /// The practical threshold applied, relative.
    public let threshold: Double
    public let verdict: Verdict

    /// How many times better the candidate is: above 1 is an improvement, whichever the direction.
    public var improvementFactor: Double? {
        estimate.map { direction == .lowerIsBetter ? 1 / $0.ratio : $0.ratio }
    }
}

/// A candidate run's benchmarks against a baseline run's, with the suite's false discovery rate
/// controlled and every verdict honouring its benchmark's direction.
public struct SuiteComparison: Sendable, Hashable {
    /// Regressions first, then improvements, inconclusive, new, missing, unchanged; by name within each.
    public let benchmarks: [BenchmarkComparison]

    /// - Parameters:
    ///   - baseline: The baseline run's series.
    ///   - candidate: The candidate run's series.
    ///   - policy: Thresholds and error rates.
    public init(baseline: [MeasuredSeries], candidate: [MeasuredSeries], policy: ComparisonPolicy = ComparisonPolicy()) {
        let before = Dictionary(baseline.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(candidate.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Set(before.keys).union(after.keys).sorted()

        var pValues: [String: Double] = [:]
        for name in names {
            if let b = before[name], let c = after[name], b.samples.count >= 3, c.samples.count >= 3,
               let test = MannWhitney(b.samples, c.samples) {
                pValues[name] = test.pValue
            }
        }
        let tested = pValues.keys.sorted()
        let qValues = Dictionary(uniqueKeysWithValues: zip(tested, FalseDiscoveryRate.adjust(tested.map { pValues[$0]! })))

        benchmarks = names.map { name in
            Self.compare(name, before[name], after[name], pValue: pValues[name], qValue: qValues[name], policy: policy)
        }.sorted { ($0.verdict.rank, $0.name) < ($1.verdict.rank, $1.name) }
    }

    private static func compare(
        _ name: String, _ before: MeasuredSeries?, _ after: MeasuredSeries?, pValue: Double?, qValue: Double?, policy: ComparisonPolicy
    ) -> BenchmarkComparison {
        let reference = after ?? before!
        let threshold = policy.threshold(for: name)
        let estimate = before.flatMap { b in after.flatMap { c in ShiftEstimate(baseline: b.samples, candidate: c.samples, confidence: policy.confidence) } }
        let verdict: Verdict
        if before == nil {
            verdict = .new
        } else if after == nil {
            verdict = .missing
        } else if let estimate {
            let band = Double.log(1 + threshold)
            let change = Double.log(estimate.ratio)
            let beyond = abs(change) >= band
            let worse = reference.direction == .lowerIsBetter ? change > 0 : change < 0
            if let qValue {
                // Not significant, or significant but too small to matter, is unchanged: the noise
                // summary, not the verdict, tells whether the benchmark could have seen a change.
                verdict = qValue <= policy.falseDiscoveryRate && beyond ? (worse ? .regression : .improvement) : .unchanged
            } else if beyond {
                // Too few samples to test: only a benchmark whose history says how noisy it is may be judged.
                verdict = policy.historicalNoise[name] != nil ? (worse ? .regression : .improvement) : .inconclusive
            } else {
                verdict = .unchanged
            }
        } else {
            verdict = .inconclusive
        }
        return BenchmarkComparison(
            name: name, unit: reference.unit, direction: reference.direction,
            baseline: before.flatMap { SampleSummary($0.samples) }, candidate: after.flatMap { SampleSummary($0.samples) },
            estimate: estimate, pValue: pValue, qValue: qValue, threshold: threshold, verdict: verdict)
    }

    /// The suite score: the geometric mean of every compared benchmark's improvement factor (above 1 is better).
    public var geometricMeanImprovement: Double? {
        let factors = benchmarks.compactMap(\.improvementFactor)
        guard !factors.isEmpty else { return nil }
        return Double.exp(factors.map { Double.log($0) }.reduce(0, +) / Double(factors.count))
    }

    /// relay-bench's `score`: how many benchmarks are at least `speedup` times better than the baseline.
    public func count(atLeast speedup: Double) -> Int {
        benchmarks.compactMap(\.improvementFactor).filter { $0 >= speedup }.count
    }
}
