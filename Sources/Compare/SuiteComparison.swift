import RealModule

/// One benchmark's samples on one side of a comparison.
public struct MeasuredSeries: Sendable, Hashable {
    public var name: String
    public var unit: String
    public var direction: Direction
    public var samples: [Double]
    /// For one side of a paired A/B job: how many of `samples` each round gave, in order.
    public var rounds: [Int]?

    public init(name: String, unit: String, direction: Direction, samples: [Double], rounds: [Int]? = nil) {
        self.name = name
        self.unit = unit
        self.direction = direction
        self.samples = samples
        self.rounds = rounds
    }

    /// Each round's median; `nil` without rounds, or when they do not add up to the samples.
    var roundMedians: [Double]? {
        guard let rounds, rounds.allSatisfy({ $0 > 0 }), rounds.reduce(0, +) == samples.count else { return nil }
        var start = 0
        return rounds.compactMap { length in
            defer { start += length }
            return SampleSummary(samples[start..<start + length])?.median
        }
    }
}

/// The two halves of a paired A/B job, round by round.
struct PairedRounds {
    /// Per round, log(candidate median ÷ baseline median).
    let logRatios: [Double]
    /// The test of the rounds, when there are enough.
    let test: TrimmedMeanTest?

    /// - Returns: `nil` unless both sides have the same number of rounds, all with positive medians.
    init?(_ baseline: MeasuredSeries, _ candidate: MeasuredSeries) {
        guard let before = baseline.roundMedians, let after = candidate.roundMedians,
              before.count == after.count, before.count == baseline.rounds?.count, after.count == candidate.rounds?.count,
              !before.isEmpty, (before + after).allSatisfy({ $0 > 0 }) else { return nil }
        logRatios = zip(before, after).map { Double.log($1 / $0) }
        test = TrimmedMeanTest(logRatios)
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
    /// The two-sided p-value: over a paired job's rounds, the trimmed-mean t test, with 5 or more
    /// rounds; for two separate runs, Mann–Whitney's, with 3 or more samples a side.
    public let pValue: Double?
    /// The p-value adjusted across the suite (Benjamini–Hochberg).
    public let qValue: Double?
    /// The practical threshold applied, relative.
    public let threshold: Double
    public let verdict: Verdict
    /// The rounds of a paired A/B job the estimate and test came from; `nil` for two separate runs.
    public let pairedRounds: Int?

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
        var paired: [String: PairedRounds] = [:]
        for name in names {
            guard let b = before[name], let c = after[name] else { continue }
            if let rounds = PairedRounds(b, c) {
                // Too few rounds for a test are judged as too few samples are, never by pooling them.
                paired[name] = rounds
                if let test = rounds.test { pValues[name] = test.pValue }
            } else if b.samples.count >= 3, c.samples.count >= 3, let test = MannWhitney(b.samples, c.samples) {
                pValues[name] = test.pValue
            }
        }
        let tested = pValues.keys.sorted()
        let qValues = Dictionary(uniqueKeysWithValues: zip(tested, FalseDiscoveryRate.adjust(tested.map { pValues[$0]! })))

        benchmarks = names.map { name in
            Self.compare(name, before[name], after[name], paired: paired[name], pValue: pValues[name], qValue: qValues[name], policy: policy)
        }.sorted { ($0.verdict.rank, $0.name) < ($1.verdict.rank, $1.name) }
    }

    private static func compare(
        _ name: String, _ before: MeasuredSeries?, _ after: MeasuredSeries?, paired: PairedRounds?, pValue: Double?, qValue: Double?,
        policy: ComparisonPolicy
    ) -> BenchmarkComparison {
        let reference = after ?? before!
        let threshold = policy.threshold(for: name, pairedTest: paired?.test != nil)
        let estimate = paired?.test.map { ShiftEstimate(paired: $0, confidence: policy.confidence) }
            ?? before.flatMap { b in after.flatMap { c in ShiftEstimate(baseline: b.samples, candidate: c.samples, confidence: policy.confidence) } }
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
                let rate = paired == nil ? policy.falseDiscoveryRate : policy.pairedFalseDiscoveryRate
                verdict = qValue <= rate && beyond ? (worse ? .regression : .improvement) : .unchanged
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
            estimate: estimate, pValue: pValue, qValue: qValue, threshold: threshold, verdict: verdict,
            pairedRounds: paired?.logRatios.count)
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
