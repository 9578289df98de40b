import Compare
import Testing

@Suite("Change points amid slow stretches and at the edges")
struct PhasesDetectionTests {
    func history(_ count: Int, seed: UInt64, samples: Int = 3, level: (Int) -> Double) -> [[Double]] {
        var random = SplitMix64(state: seed)
        return (0..<count).map { index in (0..<samples).map { _ in level(index) * (1 + 0.01 * random.normal()) } }
    }

    @Test("phases noise is seeded: the same seed gives the same history, with slow stretches of 3–10 commits 5–30% slower")
    func phasesGenerator() throws {
        var first = SplitMix64(state: 7), second = SplitMix64(state: 7)
        let history = SyntheticHistory(commits: 300, noise: .phases, samplesPerCommit: 10, withChanges: false, random: &first)
        #expect(history == SyntheticHistory(commits: 300, noise: .phases, samplesPerCommit: 10, withChanges: false, random: &second))
        #expect(history.phases.count >= 3)
        for (phase, next) in zip(history.phases, history.phases.dropFirst()) { #expect(next.lowerBound > phase.upperBound) }
        for phase in history.phases where phase.upperBound < 300 { #expect(SyntheticHistory.phaseLengths.contains(phase.count), "\(phase)") }
        let slow = Set(history.phases.flatMap { Array($0) })
        for (index, samples) in history.points.enumerated() {
            let median = try #require(SampleSummary(samples)).median
            // 10 samples at 1% noise: a median within 1.5% of its level.
            let expected = slow.contains(index) ? (1.05 * 100 - 1.5)...(1.30 * 100 + 1.5) : (100 - 1.5)...(100 + 1.5)
            #expect(expected.contains(median), "commit \(index): \(median)")
        }
        var other = SplitMix64(state: 7)
        #expect(SyntheticHistory(commits: 300, noise: .normal, samplesPerCommit: 10, withChanges: false, random: &other).phases.isEmpty)
    }

    @Test("about a fifth of the commits of phases noise are slow, across seeds")
    func phasesShare() {
        var slow = 0
        for seed in 0..<20 as Range<UInt64> {
            var random = SplitMix64(state: seed)
            slow += SyntheticHistory(commits: 300, noise: .phases, samplesPerCommit: 1, withChanges: true, random: &random).phases.map(\.count).reduce(0, +)
        }
        #expect((0.10...0.30).contains(Double(slow) / 6000))
    }

    @Test("a change followed by only two commits is blamed on its own commit, held as tentative, and settles there")
    func edgeBlame() throws {
        var blamed = 0
        for seed in 0..<20 as Range<UInt64> {
            let points = history(60, seed: seed) { $0 < 58 ? 100 : 105 }
            let found = ChangePointDetector().detect(points)
            // Two commits are thin evidence, and sometimes not enough; but never the wrong commit.
            #expect(found.isEmpty || found.map(\.index) == [58], "seed \(seed): \(found)")
            #expect(found.allSatisfy { $0.isTentative }, "seed \(seed)")
            blamed += found.count
            let later = ChangePointDetector().detect(points + history(12, seed: seed + 100) { _ in 105 })
            #expect(later.map(\.index) == [58], "seed \(seed)")
            #expect(later.first?.isTentative == false, "seed \(seed)")
        }
        #expect(blamed >= 15)
    }

    @Test("a slow stretch at the end of a flat history is held, not announced; one in the middle is not a change")
    func stretchesAtTheEnds() {
        for seed in 0..<20 as Range<UInt64> {
            let tail = ChangePointDetector().detect(history(300, seed: seed, samples: 5) { $0 >= 295 ? 115 : 100 })
            #expect(tail.allSatisfy { $0.isTentative } && tail.map(\.index) == [295], "seed \(seed): \(tail)")
            let head = ChangePointDetector().detect(history(300, seed: seed, samples: 5) { $0 < 6 ? 120 : 100 })
            #expect(head.allSatisfy { $0.isTentative }, "seed \(seed): \(head)")
            let middle = ChangePointDetector().detect(history(300, seed: seed, samples: 5) { (140..<148).contains($0) ? 125 : 100 })
            #expect(middle.isEmpty, "seed \(seed): \(middle)")
        }
    }

    @Test("on seeded phases noise, false alarms stay at most 0.5 per 1,000 commits, and lasting steps are still found")
    func boundedFalseAlarms() {
        var alarms = 0, commits = 0, steps = 0, found = 0
        for seed in 0..<12 as Range<UInt64> {
            for samples in [1, 3, 5, 10] {
                var random = SplitMix64(state: 1000 + seed)
                let flat = SyntheticHistory(commits: 300, noise: .phases, samplesPerCommit: samples, withChanges: false, random: &random)
                alarms += ChangePointDetector().detect(flat.points).count { !$0.isTentative }
                commits += 300
                let changed = SyntheticHistory(commits: 300, noise: .phases, samplesPerCommit: samples, withChanges: true, random: &random)
                let announced = ChangePointDetector().detect(changed.points).filter { !$0.isTentative }.map(\.index)
                for (change, ratio) in zip(changed.changes, changed.ratios) where max(ratio, 1 / ratio) >= 1.05 {
                    steps += 1
                    if announced.contains(where: { abs($0 - change) <= 5 }) { found += 1 }
                }
            }
        }
        #expect(Double(alarms) * 1000 / Double(commits) <= 0.5, "\(alarms) false alarms in \(commits) commits")
        #expect(Double(found) >= 0.7 * Double(steps), "\(found) of \(steps) steps of 5% or more")
    }
}
