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
/// differ by at least the minimum effect; then both halves are searched again. Ranks make it
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
        for offset in 1..<length {
            rankSum += ranks[offset - 1]
            let t = Double(offset)
            // Pettitt's U_t: Σ_{i<t} Σ_{j≥t} sign(x_j − x_i), from the ranks of the first t values.
            let u = t * (n + 1) - 2 * rankSum
            guard offset >= minimumSegment, length - offset >= minimumSegment else { continue }
            let z = abs(u) / (t * (n - t) * (n + 1) / 3).squareRoot()
            if best == nil || z > best!.z { best = (start + offset, z, abs(u)) }
        }
        guard let best else { return nil }
        let pValue = min(1, 2 * Double.exp(-6 * best.u * best.u / (n * n * n + n * n)))
        guard pValue <= significance else { return nil }
        let before = median(levels[start..<best.index]), after = median(levels[best.index..<end])
        guard before > 0, after > 0, abs(Double.log(after / before)) >= Double.log(1 + minimumEffect) else { return nil }
        return (best.index, pValue)
    }

    private func median(_ values: ArraySlice<Double>) -> Double {
        SampleSummary(values)?.median ?? .nan
    }
}
