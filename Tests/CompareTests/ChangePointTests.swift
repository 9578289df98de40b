import Compare
import Testing

@Suite("Change points")
struct ChangePointTests {
    func history(_ count: Int, seed: UInt64, samples: Int = 1, outliers: Double = 0.05, level: (Int) -> Double) -> [[Double]] {
        var random = SplitMix64(state: seed)
        return (0..<count).map { index in (0..<samples).map { _ in random.timing(level(index), outliers: outliers) } }
    }

    @Test("a 5% step in skewed, outlier-ridden single-sample noise is found at its exact commit, once")
    func singleStep() throws {
        let points = history(120, seed: 1) { $0 < 50 ? 100 : 105 }
        let found = ChangePointDetector().detect(points)
        #expect(found.map(\.index) == [50])
        let change = try #require(found.first)
        #expect(abs(change.ratio - 1.05) < 0.01 && abs(change.before - 100) < 1)
    }

    @Test("a regression and a later improvement are both found, each at its first commit")
    func twoSteps() {
        let points = history(150, seed: 2, samples: 3) { $0 < 40 ? 100 : ($0 < 100 ? 110 : 95) }
        #expect(ChangePointDetector().detect(points).map(\.index) == [40, 100])
    }

    @Test("flat histories give no change points: skewed, bimodal, and with wild outliers")
    func noFalseAlarms() {
        for seed in 0..<20 as Range<UInt64> {
            #expect(ChangePointDetector().detect(history(300, seed: seed) { _ in 100 }).isEmpty, "seed \(seed)")
        }
        var random = SplitMix64(state: 99)
        let bimodal = (0..<300).map { _ in [Bool.random(using: &random) ? 100.0 : 104.0] }
        #expect(ChangePointDetector().detect(bimodal).isEmpty)
        let outliers: [[Double]] = (0..<300).map { (index: Int) -> [Double] in
            let normal: Double = 100 + Double(index % 3) * 0.1
            return [index % 37 == 0 ? 1000 : normal]
        }
        #expect(ChangePointDetector().detect(outliers).isEmpty)
    }

    @Test("short histories: a clear step is found three commits after it; short flat noise is not a step")
    func shortHistories() {
        for seed in 0..<50 as Range<UInt64> {
            // Without outliers: with one sample a commit, an outlier next to a step is as likely the
            // new level's first point as the old level's last, and only a rerun can tell.
            let step = history(10, seed: seed, outliers: 0) { $0 < 7 ? 100 : 110 }
            #expect(ChangePointDetector().detect(step).map(\.index) == [7], "seed \(seed)")
            // Three commits cannot tell a change from a slow stretch yet: held, not announced.
            #expect(ChangePointDetector().detect(step).allSatisfy { $0.isTentative }, "seed \(seed)")
            #expect(ChangePointDetector().detect(history(10, seed: seed + 100) { _ in 100 }).isEmpty, "seed \(seed)")
        }
        #expect(ChangePointDetector().detect((0..<10).map { [$0 < 7 ? 1000.0 : 2000] }).map(\.index) == [7])
    }

    @Test("a shift smaller than the minimum effect is not reported, however significant")
    func belowMinimumEffect() {
        let points = (0..<100).map { [$0 < 50 ? 100.0 : 100.5] }
        #expect(ChangePointDetector().detect(points).isEmpty)
        #expect(ChangePointDetector(minimumEffect: 0.001).detect(points).map(\.index) == [50])
    }
}
