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
    /// Whether fewer than ``ChangePointDetector/settledLength`` commits (outside slow stretches)
    /// precede or follow it in the whole history, so the history cannot yet tell this change
    /// from a slow stretch of a shared machine: hold it, unannounced, until more commits follow
    /// (or a paired re-measurement confirms it). The index is already the right commit to blame.
    public let isTentative: Bool

    /// after ÷ before.
    public var ratio: Double { after / before }

    public init(index: Int, before: Double, after: Double, pValue: Double, isTentative: Bool = false) {
        self.index = index
        self.before = before
        self.after = after
        self.pValue = pValue
        self.isTentative = isTentative
    }
}

/// Finds the points where a benchmark's history shifts to a new level, each reported once.
///
/// Binary segmentation with a rank statistic: in each segment, the split that best separates
/// earlier from later values by Mann–Whitney's U (standardised, so splits near the ends are not
/// penalised) is kept when Pettitt's test finds it significant and the shift between the two sides
/// (their Hodges–Lehmann estimate) is at least the minimum effect, both over the whole segment and
/// between the commits right around the split, which tells a step from a slow drift (or, in a
/// history too short for a rank test, when the two levels do not overlap at all and are far apart
/// for their spread); then both halves are searched again. Ranks make it indifferent to skew,
/// bimodality and outliers; each commit enters as the median of its samples, so one bad sample
/// cannot move it. The split is found among commits, so a change is attributed to its first commit.
///
/// A level shorter than ``settledLength`` between two change points that returns to where it
/// started is a slow stretch (or a change reverted at once), not a lasting change: neither of its
/// ends is reported. Changes within ``settledLength`` commits of either end of the history are
/// reported as tentative (``ChangePoint/isTentative``).
public struct ChangePointDetector: Sendable, Hashable {
    /// The largest p-value a split may have; small, because every segment of a long history is tested.
    public var significance: Double = 0.001
    /// The smallest relative shift between levels worth reporting.
    public var minimumEffect: Double = 0.01
    /// Commits a level needs on each side of a split before it counts as a level, except the newest
    /// level, which may have ``minimumNewest`` while it is tentative.
    public var minimumSegment: Int = 3

    public init(significance: Double = 0.001, minimumEffect: Double = 0.01, minimumSegment: Int = 3) {
        self.significance = significance
        self.minimumEffect = minimumEffect
        self.minimumSegment = max(1, minimumSegment)
    }

    /// Commits a level must last before a change into or out of it is announced: slow stretches of
    /// a shared machine last a few commits, and a level that has not lasted longer cannot be told
    /// from one. The same span as the window that must show a step on each side of a split.
    public static let settledLength = localWindow

    /// The fewest commits the newest level may have: a change followed by two commits is found at
    /// its own commit (tentatively), not at the one before it.
    public static let minimumNewest = 2

    /// - Parameter points: Each commit's samples, oldest first; a commit without samples is skipped
    ///   by the caller, not here.
    /// - Returns: Change points in history order.
    public func detect(_ points: [[Double]]) -> [ChangePoint] {
        let all = points.map { SampleSummary($0)?.median ?? .nan }
        guard !all.contains(where: \.isNaN) else { return [] }
        // Searched without slow stretches; `kept` maps back to the caller's indices.
        let kept = steadyCommits(all)
        let levels = kept.map { all[$0] }
        var found: [(index: Int, pValue: Double)] = []
        var segments = [(0, levels.count)]
        while let (start, end) = segments.popLast() {
            guard let split = bestSplit(levels, start, end) else { continue }
            found.append((split.index, split.pValue))
            segments.append((start, split.index))
            segments.append((split.index, end))
        }
        found.sort { $0.index < $1.index }
        found = withoutExcursions(found, levels)
        let bounds = [0] + found.map(\.index) + [levels.count]
        return found.enumerated().map { position, split in
            let earlier = bounds[position]..<split.index, later = split.index..<bounds[position + 2]
            let tentative = split.index < Self.settledLength || levels.count - split.index < Self.settledLength
            return ChangePoint(index: kept[split.index], before: median(levels[earlier]), after: median(levels[later]),
                               pValue: split.pValue, isTentative: tentative)
        }
    }

    func median(_ values: ArraySlice<Double>) -> Double {
        SampleSummary(values)?.median ?? .nan
    }
}
