import Compare
import Testing

extension SplitMix64 {
    /// A right-skewed timing around `center`: mostly within ±`spread`, sometimes far above.
    mutating func timing(_ center: Double, spread: Double = 0.01, outliers: Double = 0.05) -> Double {
        let base = center * (1 + Double.random(in: -spread...spread, using: &self))
        return Double.random(in: 0..<1, using: &self) < outliers ? base * Double.random(in: 1.2...3, using: &self) : base
    }
}

@Suite("Statistics")
struct StatisticsTests {
    @Test("Mann–Whitney matches scipy: exact without ties, normal with tie and continuity corrections")
    func mannWhitney() throws {
        // scipy.stats.mannwhitneyu(…, alternative='two-sided') gives these.
        #expect(try #require(MannWhitney([1, 2, 3], [4, 5, 6])).pValue == 0.1)
        #expect(abs(try #require(MannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).pValue - 0.007936507936507936) < 1e-12)
        let exact = try #require(MannWhitney([1.1, 2.5, 3.3, 4.7, 5.2, 8.8], [2.0, 6.1, 7.4, 9.9, 10.5, 11.0, 12.2]))
        #expect(exact.u == 7 && abs(exact.pValue - 0.05128205128205128) < 1e-12)
        let tied = try #require(MannWhitney([10, 12, 12, 13, 15, 15, 15, 18], [14, 15, 16, 16, 19, 21, 22, 25, 25]))
        #expect(tied.u == 8.5 && abs(tied.pValue - 0.008818218760973235) < 1e-9)
        #expect(MannWhitney([5, 5, 5], [5, 5, 5])?.pValue == 1)
        #expect(MannWhitney([], [1]) == nil)
    }

    @Test("Benjamini–Hochberg q-values keep order and monotonicity")
    func falseDiscoveryRate() {
        let q = FalseDiscoveryRate.adjust([0.01, 0.04, 0.03, 0.005])
        #expect(zip(q, [0.02, 0.04, 0.04, 0.02]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(FalseDiscoveryRate.adjust([]).isEmpty && FalseDiscoveryRate.adjust([0.9]) == [0.9])
    }

    @Test("the ratio's Hodges–Lehmann interval covers a known shift; two samples give a wide interval")
    func shiftEstimate() throws {
        let baseline: [Double] = [100, 102, 99, 101, 98, 103, 100, 97, 104, 101]
        let estimate = try #require(ShiftEstimate(baseline: baseline, candidate: baseline.map { $0 * 1.1 }))
        #expect(abs(estimate.ratio - 1.1) < 1e-12 && estimate.lower < 1.1 && 1.1 < estimate.upper && !estimate.isWide)
        #expect(estimate.upper / estimate.lower < 1.06, "ten samples a side of 2% noise pin a 10% change to a few percent")
        let wide = try #require(ShiftEstimate(baseline: [10, 11], candidate: [12, 13]))
        #expect(wide.isWide && abs(wide.lower - 12.0 / 11) < 1e-12 && abs(wide.upper - 1.3) < 1e-12)
        #expect(ShiftEstimate(baseline: [0, 1], candidate: [1, 2]) == nil)
    }

    @Test("one real 5% regression among 200 unchanged noisy benchmarks is the only one flagged")
    func noAlertStorm() throws {
        var random = SplitMix64(state: 42)
        var baseline: [MeasuredSeries] = [], candidate: [MeasuredSeries] = []
        for index in 0..<200 {
            let center = Double(100 + index)
            baseline.append(MeasuredSeries(name: "b\(index)", unit: "ns", direction: .lowerIsBetter, samples: (0..<10).map { _ in random.timing(center) }))
            let shifted = index == 7 ? center * 1.05 : center
            candidate.append(MeasuredSeries(name: "b\(index)", unit: "ns", direction: .lowerIsBetter, samples: (0..<10).map { _ in random.timing(shifted) }))
        }
        let comparison = SuiteComparison(baseline: baseline, candidate: candidate)
        #expect(comparison.benchmarks.filter { $0.verdict == .regression || $0.verdict == .improvement }.map(\.name) == ["b7"])
        #expect(comparison.benchmarks.first?.name == "b7", "regressions come first")
        #expect(comparison.geometricMeanImprovement.map { $0 < 1 && $0 > 0.99 } == true)
    }

    @Test("directions, new and missing, small significant changes, and too few samples")
    func verdicts() throws {
        let steady: [Double] = [100, 100.1, 99.9, 100.05, 99.95]
        var policy = ComparisonPolicy()
        policy.historicalNoise["judged.single"] = 0.02
        let comparison = SuiteComparison(
            baseline: [
                MeasuredSeries(name: "throughput", unit: "ops/s", direction: .higherIsBetter, samples: steady),
                MeasuredSeries(name: "latency", unit: "ns", direction: .lowerIsBetter, samples: steady),
                MeasuredSeries(name: "tiny", unit: "ns", direction: .lowerIsBetter, samples: steady),
                MeasuredSeries(name: "noisy", unit: "ns", direction: .lowerIsBetter, samples: [80, 120, 95, 130, 70]),
                MeasuredSeries(name: "single", unit: "ns", direction: .lowerIsBetter, samples: [100]),
                MeasuredSeries(name: "judged.single", unit: "ns", direction: .lowerIsBetter, samples: [100]),
                MeasuredSeries(name: "gone", unit: "ns", direction: .lowerIsBetter, samples: steady),
            ],
            candidate: [
                MeasuredSeries(name: "throughput", unit: "ops/s", direction: .higherIsBetter, samples: steady.map { $0 * 0.9 }),
                MeasuredSeries(name: "latency", unit: "ns", direction: .lowerIsBetter, samples: steady.map { $0 * 0.9 }),
                MeasuredSeries(name: "tiny", unit: "ns", direction: .lowerIsBetter, samples: steady.map { $0 * 1.004 }),
                MeasuredSeries(name: "noisy", unit: "ns", direction: .lowerIsBetter, samples: [90, 140, 100, 150, 75]),
                MeasuredSeries(name: "single", unit: "ns", direction: .lowerIsBetter, samples: [110]),
                MeasuredSeries(name: "judged.single", unit: "ns", direction: .lowerIsBetter, samples: [110]),
                MeasuredSeries(name: "fresh", unit: "ns", direction: .lowerIsBetter, samples: steady),
            ],
            policy: policy)
        let verdicts = Dictionary(uniqueKeysWithValues: comparison.benchmarks.map { ($0.name, $0.verdict) })
        #expect(verdicts == ["throughput": .regression, "latency": .improvement, "tiny": .unchanged, "noisy": .unchanged,
                             "single": .inconclusive, "judged.single": .regression, "gone": .missing, "fresh": .new])
        #expect(comparison.benchmarks.map(\.verdict.rank) == comparison.benchmarks.map(\.verdict.rank).sorted())
        #expect(comparison.count(atLeast: 1.1) == 1)
        let tiny = try #require(comparison.benchmarks.first { $0.name == "tiny" })
        #expect(try #require(tiny.qValue) <= 0.05, "0.4% is detectable here, and still below the 1% that matters")
    }

    @Test("historical noise: a ±2% jitter with two real steps reads as about ±2%·3, not as the steps")
    func historicalNoise() throws {
        var random = SplitMix64(state: 7)
        var medians: [Double] = []
        for index in 0..<200 { medians.append((index < 100 ? 100 : 130) * (1 + Double.random(in: -0.02...0.02, using: &random))) }
        let noise = try #require(HistoricalNoise.estimate(medians: medians))
        #expect(noise > 0.02 && noise < 0.12, "\(noise)")
        #expect(HistoricalNoise.estimate(medians: [1, 2, 3]) == nil)
    }

    @Test("relay-bench's stat_alert: the latest value beyond mean ± kσ of the window")
    func statAlert() throws {
        let day = 24.0 * 3600
        let history = (0..<10).map { (time: Double($0) * day, value: 100 + Double($0 % 2)) }
        #expect(StatAlert().check(history + [(time: 10 * day, value: 100.5)]) == nil)
        let alert = try #require(StatAlert().check(history + [(time: 10 * day, value: 110)]))
        #expect(alert.deviations > 1)
        // Values older than the window are not part of the band.
        #expect(StatAlert(deviations: 1, window: 2 * day).check([(0, 500), (9 * day, 100), (9.5 * day, 101), (10 * day, 100.5)]) == nil)
    }

    @Test("bisection halves the range by level, and a skipped commit leaves a range")
    func bisection() {
        // Positions 0…16; the level changes at 11.
        var search = Bisection(count: 17, goodLevel: 100, badLevel: 150)
        var measured: [Int] = []
        while let next = search.next {
            measured.append(next)
            search.record(next, level: next < 11 ? 100.5 : 149)
        }
        #expect(search.culprit == 11 && measured.count <= 4, "\(measured)")

        var skipping = Bisection(count: 5, goodLevel: 100, badLevel: 150)
        while let next = skipping.next {
            if next == 2 { skipping.skip(next) } else { skipping.record(next, level: next < 2 ? 100 : 150) }
        }
        #expect(skipping.culprit == nil && skipping.suspects == 2...3)
    }
}
