import Compare
import Foundation
import Testing

@Suite("Paired statistics")
struct PairedStatisticsTests {
    /// Hollander & Wolfe's depression scores (first visit minus second): the textbook example of the signed-rank test.
    static let hollanderWolfe = [1.83 - 0.878, 0.50 - 0.647, 1.62 - 0.598, 2.48 - 2.05, 1.68 - 1.06, 1.88 - 1.29, 1.55 - 1.06, 3.06 - 3.14, 1.30 - 1.29]

    @Test("Student's t tail and quantile match scipy")
    func studentT() {
        // scipy.stats.t.sf and t.ppf give these.
        #expect(abs(StudentT.upperTail(2.0, degreesOfFreedom: 5) - 0.050969739414929174) < 1e-13)
        #expect(abs(StudentT.upperTail(0.5, degreesOfFreedom: 1) - 0.35241638234956674) < 1e-13)
        #expect(abs(StudentT.upperTail(10, degreesOfFreedom: 3) - 0.0010641995292070751) < 1e-13)
        #expect(abs(StudentT.upperTail(-2.0, degreesOfFreedom: 5) - (1 - 0.050969739414929174)) < 1e-13)
        #expect(abs(StudentT.upperQuantile(0.025, degreesOfFreedom: 5) - 2.5705818356363146) < 1e-9)
        #expect(abs(StudentT.upperQuantile(0.025, degreesOfFreedom: 2) - 4.302652729749462) < 1e-9)
    }

    @Test("the trimmed-mean test matches scipy; one wild round in ten does not move it")
    func trimmedMeanTest() throws {
        // Nine rounds trim none: scipy.stats.ttest_1samp(d, 0) gives t = 3.0354, p = 0.016177 on the textbook data.
        let textbook = try #require(TrimmedMeanTest(Self.hollanderWolfe))
        #expect(textbook.degreesOfFreedom == 8 && abs(textbook.trimmedMean / textbook.standardError - 3.0353754156485917) < 1e-9)
        #expect(abs(textbook.pValue - 0.016176627434908088) < 1e-9)
        let interval = textbook.interval(confidence: 0.95)
        #expect(abs(interval.lowerBound - 0.10377871227216856) < 1e-9 && abs(interval.upperBound - 0.7599990655056093) < 1e-9)
        // Ten trim one each end: scipy.stats.trim_mean(d, 0.1); Yuen's standard error; p from scipy.stats.t.sf.
        let signs = try #require(TrimmedMeanTest([0.1, -0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, -0.9, 1.0]))
        #expect(abs(signs.trimmedMean - 0.4) < 1e-12 && signs.degreesOfFreedom == 7 && abs(signs.pValue - 0.03294671241488437) < 1e-9)
        let wildRound = try #require(TrimmedMeanTest([0.05, 0.049, 0.051, 0.05, 0.052, 0.048, 0.05, 0.051, 0.049, 0.5]))
        #expect(abs(wildRound.trimmedMean - 0.05025) < 1e-12 && abs(wildRound.pValue - 1.527933146424991e-12) < 1e-15)
        #expect(TrimmedMeanTest([0, 0, 0, 0, 0])?.pValue == 1 && TrimmedMeanTest([0.02, 0.02, 0.02, 0.02, 0.02])?.pValue == 0)
        #expect(TrimmedMeanTest([1, 2, 3, 4]) == nil && TrimmedMeanTest([1, 2, 3, 4, .nan]) == nil)
    }

    @Test("the paired shift is e to the trimmed mean of the log ratios, with the test's interval")
    func pairedShift() throws {
        let test = try #require(TrimmedMeanTest(Self.hollanderWolfe.map { $0 / 10 }))
        let estimate = ShiftEstimate(paired: test)
        let interval = test.interval(confidence: 0.95)
        #expect(abs(log(estimate.ratio) - 0.04318888888888889) < 1e-12 && !estimate.isWide)
        #expect(abs(log(estimate.lower) - interval.lowerBound) < 1e-12 && abs(log(estimate.upper) - interval.upperBound) < 1e-12)
    }

    /// One side of a paired job: per round, `perRound` samples tight around `level` × that round's
    /// machine speed, as a Relay stage run timed back to back gives them.
    static func side(_ name: String, speeds: [Double], level: Double, perRound: Int, random: inout SplitMix64) -> MeasuredSeries {
        let samples = speeds.flatMap { speed in (0..<perRound).map { _ in level * speed * (1 + Double.random(in: -0.002...0.002, using: &random)) } }
        return MeasuredSeries(name: name, unit: "ms", direction: .lowerIsBetter, samples: samples, rounds: Array(repeating: perRound, count: speeds.count))
    }

    @Test("A/A on a machine whose speed wanders run to run: rounds keep false alarms rare where pooled samples do not")
    func aaWithCorrelatedSamples() {
        var random = SplitMix64(state: 7)
        var pairedFlags = 0, pooledFlags = 0
        let jobs = 400
        var policy = ComparisonPolicy()
        policy.pairedFalseDiscoveryRate = 0.05
        for _ in 0..<jobs {
            // Each run of each side gets its own machine speed, ±5%; its 5 samples share it.
            let speeds = { (random: inout SplitMix64) in (0..<10).map { _ in 1 + Double.random(in: -0.05...0.05, using: &random) } }
            let baseline = Self.side("stage", speeds: speeds(&random), level: 100, perRound: 5, random: &random)
            let candidate = Self.side("stage", speeds: speeds(&random), level: 100, perRound: 5, random: &random)
            let paired = SuiteComparison(baseline: [baseline], candidate: [candidate], policy: policy).benchmarks[0]
            var unpaired = (baseline, candidate)
            unpaired.0.rounds = nil
            unpaired.1.rounds = nil
            let pooled = SuiteComparison(baseline: [unpaired.0], candidate: [unpaired.1], policy: policy).benchmarks[0]
            #expect(paired.pairedRounds == 10 && pooled.pairedRounds == nil)
            if paired.verdict != .unchanged { pairedFlags += 1 }
            if pooled.verdict != .unchanged { pooledFlags += 1 }
        }
        // A valid 5% test flags about 5% of A/A pairs (20 ± 4.4 of 400); pooling treats 50 correlated samples as independent.
        #expect(Double(pairedFlags) / Double(jobs) <= 0.07, "paired: \(pairedFlags) of \(jobs)")
        #expect(Double(pooledFlags) / Double(jobs) >= 0.3, "pooled: \(pooledFlags) of \(jobs)")
    }

    @Test("a 5% regression under 2–5× drift between rounds is found, because both sides of a round drift together")
    func regressionUnderDrift() throws {
        var random = SplitMix64(state: 11)
        let speeds = (0..<10).map { _ in Double.random(in: 2...5, using: &random) }
        let baseline = Self.side("loop", speeds: speeds, level: 100, perRound: 1, random: &random)
        let candidate = Self.side("loop", speeds: speeds, level: 105, perRound: 1, random: &random)
        let paired = try #require(SuiteComparison(baseline: [baseline], candidate: [candidate]).benchmarks.first)
        #expect(paired.verdict == .regression && paired.pairedRounds == 10)
        let estimate = try #require(paired.estimate)
        #expect(estimate.lower < 1.05 && 1.05 < estimate.upper && estimate.upper / estimate.lower < 1.01)
        // The same samples as two unrelated runs: the drift swamps the change.
        var unpaired = (baseline, candidate)
        unpaired.0.rounds = nil
        unpaired.1.rounds = nil
        #expect(SuiteComparison(baseline: [unpaired.0], candidate: [unpaired.1]).benchmarks.first?.verdict == .unchanged)
    }

    @Test("one 5% regression among 100 paired benchmarks over 10 rounds is the only one flagged")
    func loneRegressionInALargeSuite() throws {
        var random = SplitMix64(state: 5)
        var baseline: [MeasuredSeries] = [], candidate: [MeasuredSeries] = []
        for index in 0..<100 {
            let speeds = (0..<10).map { _ in Double.random(in: 1...3, using: &random) }
            let jitter = { (random: inout SplitMix64) in speeds.map { $0 * (1 + Double.random(in: -0.005...0.005, using: &random)) } }
            baseline.append(Self.side("b\(index)", speeds: jitter(&random), level: 100, perRound: 1, random: &random))
            candidate.append(Self.side("b\(index)", speeds: jitter(&random), level: index == 42 ? 105 : 100, perRound: 1, random: &random))
        }
        // Ten rounds of a rank test could not go below p = 2/2¹⁰, short of the 0.01/100 the false discovery rate asks of a lone change.
        let flagged = SuiteComparison(baseline: baseline, candidate: candidate).benchmarks.filter { $0.verdict != .unchanged }
        #expect(flagged.map(\.name) == ["b42"] && flagged.first?.verdict == .regression)
    }

    @Test("the history's run-to-run noise is no floor for a paired test: a doubling on a machine that wanders 2× is a regression")
    func pairedIgnoresHistoricalNoise() throws {
        var random = SplitMix64(state: 11)
        // The demo's VM: each round runs at 1× or 2× speed, so consecutive commits' medians differ by up to 2×.
        let speeds = (0..<10).map { _ in Double.random(in: 0...1, using: &random) < 0.5 ? 1.0 : 2.0 }
        var noisy = ComparisonPolicy()
        noisy.historicalNoise = ["loop": 1.5, "same": 1.5]
        let baseline = [Self.side("loop", speeds: speeds, level: 100, perRound: 5, random: &random),
                        Self.side("same", speeds: speeds, level: 100, perRound: 5, random: &random)]
        let candidate = [Self.side("loop", speeds: speeds, level: 200, perRound: 5, random: &random),
                         Self.side("same", speeds: speeds, level: 100, perRound: 5, random: &random)]
        let judged = Dictionary(uniqueKeysWithValues: SuiteComparison(baseline: baseline, candidate: candidate, policy: noisy).benchmarks.map { ($0.name, $0) })
        let doubled = try #require(judged["loop"])
        #expect(doubled.verdict == .regression && doubled.threshold == 0.01, "a +100% change measured round by round, judged against the 1% minimum effect")
        #expect(judged["same"]?.verdict == .unchanged)
        // Two separate runs still honour the history: their samples cannot see the drift between runs.
        let unpaired = SuiteComparison(baseline: baseline.map { var side = $0; side.rounds = nil; return side },
                                       candidate: candidate.map { var side = $0; side.rounds = nil; return side }, policy: noisy)
        #expect(unpaired.benchmarks.first { $0.name == "loop" }.map { $0.threshold == 1.5 && $0.verdict == .unchanged } == true)
    }

    @Test("too few rounds for a test, or rounds that do not line up")
    func fewOrMismatchedRounds() throws {
        var random = SplitMix64(state: 3)
        let speeds = (0..<4).map { _ in 1 + Double.random(in: -0.01...0.01, using: &random) }
        let baseline = Self.side("x", speeds: speeds, level: 100, perRound: 3, random: &random)
        let candidate = Self.side("x", speeds: speeds, level: 120, perRound: 3, random: &random)
        let four = try #require(SuiteComparison(baseline: [baseline], candidate: [candidate]).benchmarks.first)
        #expect(four.pairedRounds == 4 && four.pValue == nil && four.verdict == .inconclusive, "a 20% change, but 4 rounds cannot test it, and pooling them would be wrong")
        var history = ComparisonPolicy()
        history.historicalNoise = ["x": 0.03]
        #expect(SuiteComparison(baseline: [baseline], candidate: [candidate], policy: history).benchmarks.first?.verdict == .regression,
                "with known noise the estimate is judged as a single sample's would be")
        var mismatched = candidate
        mismatched.rounds = [4, 4, 4]
        let pooled = try #require(SuiteComparison(baseline: [baseline], candidate: [mismatched]).benchmarks.first)
        #expect(pooled.pairedRounds == nil && pooled.pValue != nil && pooled.verdict == .regression, "falls back to Mann–Whitney")
    }
}
