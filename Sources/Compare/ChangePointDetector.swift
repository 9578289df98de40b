import RealModule

/// A lasting shift in a benchmark's history: where it starts, and the levels around it.
public struct ChangePoint: Sendable, Hashable {
    /// The first point of the new level; its commit is the one to blame.
    public let index: Int
    /// The median level from the previous change point (or the start) up to `index`.
    public let before: Double
    /// The median level from `index` up to the next change point (or the end).
    public let after: Double
    /// Pettitt's approximate p-value of the split, in the segment it was found in.
    public let pValue: Double

    /// after ÷ before.
    public var ratio: Double { after / before }
}

/// Finds the points where a benchmark's history shifts to a new level, each reported once.
///
/// Binary segmentation with a rank statistic: in each segment, the split that best separates
/// earlier from later values by Mann–Whitney's U (standardised, so splits near the ends are not
/// penalised) is kept when Pettitt's test finds it significant and the levels on either side
/// differ by at least the minimum effect (or, in a history too short for a rank test, when the two
/// levels do not overlap at all and are far apart for their spread); then both halves are searched
/// again. Ranks make it
/// indifferent to skew, bimodality and outliers; each commit enters as the median of its samples,
/// so one bad sample cannot move it. The split is found among commits, so a change is attributed
/// to its first commit.
public struct ChangePointDetector: Sendable, Hashable {
    /// The largest p-value a split may have; small, because every segment of a long history is tested.
    public var significance: Double = 0.001
    /// The smallest relative shift between levels worth reporting.
    public var minimumEffect: Double = 0.01
    /// Commits a level needs on each side of a split before it counts as a level.
    public var minimumSegment: Int = 3

    public init(significance: Double = 0.001, minimumEffect: Double = 0.01, minimumSegment: Int = 3) {
        self.significance = significance
        self.minimumEffect = minimumEffect
        self.minimumSegment = max(1, minimumSegment)
    }

    /// - Parameter points: Each commit's samples, oldest first; a commit without samples is skipped
    ///   by the caller, not here.
    /// - Returns: Change points in history order.
    public func detect(_ points: [[Double]]) -> [ChangePoint] {
        let levels = points.map { SampleSummary($0)?.median ?? .nan }
        guard !levels.contains(where: \.isNaN) else { return [] }
        var found: [(index: Int, pValue: Double)] = []
        var segments = [(0, levels.count)]
        while let (start, end) = segments.popLast() {
            guard let split = bestSplit(levels, start, end) else { continue }
            found.append((split.index, split.pValue))
            segments.append((start, split.index))
            segments.append((split.index, end))
        }
        found.sort { $0.index < $1.index }
        let bounds = [0] + found.map(\.index) + [levels.count]
        return found.enumerated().map { position, split in
            ChangePoint(index: split.index, before: median(levels[bounds[position]..<split.index]),
                        after: median(levels[split.index..<bounds[position + 2]]), pValue: split.pValue)
        }
    }

    private func bestSplit(_ levels: [Double], _ start: Int, _ end: Int) -> (index: Int, pValue: Double)? {
        let length = end - start
        guard length >= 2 * minimumSegment else { return nil }
        let ranks = Ranking(Array(levels[start..<end])).ranks
        let n = Double(length)
        var rankSum = 0.0
        var best: (index: Int, z: Double, u: Double)?
        var scores: [(index: Int, z: Double)] = []
        for offset in 1..<length {
            rankSum += ranks[offset - 1]
            let t = Double(offset)
            // Pettitt's U_t: Σ_{i<t} Σ_{j≥t} sign(x_j − x_i), from the ranks of the first t values.
            let u = t * (n + 1) - 2 * rankSum
            guard offset >= minimumSegment, length - offset >= minimumSegment else { continue }
            let z = abs(u) / (t * (n - t) * (n + 1) / 3).squareRoot()
            scores.append((start + offset, z))
            if best == nil || z > best!.z { best = (start + offset, z, abs(u)) }
        }
        guard let best else { return nil }
        let index = refine(levels, start, end, among: scores.filter { $0.z >= Self.nearBest * best.z }.map(\.index), around: best.index)
        let earlier = levels[start..<index], later = levels[index..<end]
        let before = median(earlier), after = median(later)
        guard before > 0, after > 0, abs(Double.log(after / before)) >= Double.log(1 + minimumEffect) else { return nil }
        // A slow drift also leaves two halves whose levels differ; a step is visible right where it
        // happens. The commits just before and after the split must differ by the minimum effect too.
        let nearBefore = median(levels[max(start, index - Self.localWindow)..<index])
        let nearAfter = median(levels[index..<min(end, index + Self.localWindow)])
        guard nearBefore > 0, nearAfter > 0, abs(Double.log(nearAfter / nearBefore)) >= Double.log(1 + minimumEffect) else { return nil }
        var pValue = min(1, 2 * Double.exp(-6 * best.u * best.u / (n * n * n + n * n)))
        // A rank test of L points cannot go below about 1/C(L, k): a short history after a change
        // can never pass it. Two levels that do not overlap at all, far apart for their spread,
        // are accepted on that evidence instead, tested for every split that was tried.
        if pValue > significance, earlier.max()! < later.min()! || earlier.min()! > later.max()! {
            let candidates = Double(length - 2 * minimumSegment + 1)
            pValue = min(pValue, min(1, candidates * separationPValue(earlier, later, before, after)))
        }
        guard pValue <= significance else { return nil }
        return (index, pValue)
    }

    /// Ranks say that there is a step but place it only roughly: perfectly separated splits score
    /// alike whether they fall at the step or where the old level's values happen to be lowest or
    /// highest. Among the splits that score nearly as well as the best, and those next to it, the
    /// one whose two levels fit their values best (least absolute deviation from each side's
    /// median) is where the level really changed.
    private func refine(_ levels: [Double], _ start: Int, _ end: Int, among contenders: [Int], around index: Int) -> Int {
        let nearby = max(start + minimumSegment, index - Self.refinementReach)...min(end - minimumSegment, index + Self.refinementReach)
        func cost(_ split: Int) -> Double {
            let earlier = levels[start..<split], later = levels[split..<end]
            let before = median(earlier), after = median(later)
            return earlier.reduce(0) { $0 + abs($1 - before) } + later.reduce(0) { $0 + abs($1 - after) }
        }
        return Set(contenders + Array(nearby)).min { (cost($0), abs($0 - index)) < (cost($1), abs($1 - index)) } ?? index
    }

    /// Splits scoring at least this share of the best split's score are weighed by fit.
    static let nearBest = 0.8

    /// Commits on each side of a split that must show the step, to tell it from a drift.
    static let localWindow = 12

    /// How many commits either side of the rank statistic's choice the refinement looks.
    static let refinementReach = 3

    /// The two-sided p-value of the gap between two medians, against the pooled robust spread
    /// (1.4826 × median absolute deviation) of both levels; 0 when neither level varies at all.
    private func separationPValue(_ earlier: ArraySlice<Double>, _ later: ArraySlice<Double>, _ before: Double, _ after: Double) -> Double {
        let deviations = earlier.map { abs($0 - before) } + later.map { abs($0 - after) }
        let spread = 1.4826 * (SampleSummary(deviations)?.median ?? 0)
        guard spread > 0 else { return 0 }
        // √(π/2): a median's standard error over a mean's, for normal noise.
        let standardError = spread * 1.2533 * (1 / Double(earlier.count) + 1 / Double(later.count)).squareRoot()
        return Double.erfc(abs(after - before) / standardError / 2.0.squareRoot())
    }

    private func median(_ values: ArraySlice<Double>) -> Double {
        SampleSummary(values)?.median ?? .nan
    }
}
