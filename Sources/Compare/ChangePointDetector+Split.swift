import RealModule

extension ChangePointDetector {
    /// The best split of `levels[start..<end]`, when it is significant and shifts the level by the
    /// minimum effect.
    func bestSplit(_ levels: [Double], _ start: Int, _ end: Int) -> (index: Int, pValue: Double)? {
        let length = end - start
        // The newest level of the whole history may be shorter: it is reported as tentative.
        let minimumLater = end == levels.count ? min(minimumSegment, Self.minimumNewest) : minimumSegment
        guard length >= minimumSegment + minimumLater else { return nil }
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
            guard offset >= minimumSegment, length - offset >= minimumLater else { continue }
            let z = abs(u) / (t * (n - t) * (n + 1) / 3).squareRoot()
            scores.append((start + offset, z))
            if best == nil || z > best!.z { best = (start + offset, z, abs(u)) }
        }
        guard let best else { return nil }
        let index = refine(levels, start, end, minimumLater: minimumLater,
                           among: scores.filter { $0.z >= Self.nearBest * best.z }.map(\.index), around: best.index)
        let earlier = levels[start..<index], later = levels[index..<end]
        guard let shift = relativeShift(earlier, later), abs(shift) >= minimumEffect else { return nil }
        // A slow drift also leaves two halves whose levels differ; a step is visible right where it
        // happens. The commits just before and after the split must show the shift too.
        guard let local = relativeShift(levels[max(start, index - Self.localWindow)..<index], levels[index..<min(end, index + Self.localWindow)]),
              local.sign == shift.sign, abs(local) >= minimumEffect else { return nil }
        var pValue = min(1, 2 * Double.exp(-6 * best.u * best.u / (n * n * n + n * n)))
        // A rank test of L points cannot go below about 1/C(L, k): a short history after a change
        // can never pass it. Two levels that do not overlap at all, far apart for their spread,
        // are accepted on that evidence instead, tested for every split that was tried.
        if pValue > significance, earlier.max()! < later.min()! || earlier.min()! > later.max()! {
            let candidates = Double(length - minimumSegment - minimumLater + 1)
            pValue = min(pValue, min(1, candidates * separationPValue(earlier, later, median(earlier), median(later))))
        }
        guard pValue <= significance else { return nil }
        return (index, pValue)
    }

    /// The shift from `earlier` to `later` relative to `earlier`'s median: the Hodges–Lehmann
    /// estimate (the median of all differences between a later and an earlier value), which is
    /// nearly as precise as the difference of means in normal noise and, unlike a difference of
    /// medians, does not jump between the modes of bimodal noise. `nil` unless both medians are positive.
    func relativeShift(_ earlier: ArraySlice<Double>, _ later: ArraySlice<Double>) -> Double? {
        let before = median(earlier), after = median(later)
        guard before > 0, after > 0 else { return nil }
        // Long levels are thinned evenly: their estimate is precise long before every pair is counted.
        let left = Self.thinned(earlier), right = Self.thinned(later)
        var differences: [Double] = []
        differences.reserveCapacity(left.count * right.count)
        for b in left { for a in right { differences.append(a - b) } }
        return median(differences[...]) / before
    }

    /// At most ``shiftSampleLimit`` values, evenly spaced.
    private static func thinned(_ values: ArraySlice<Double>) -> [Double] {
        guard values.count > shiftSampleLimit else { return Array(values) }
        return (0..<shiftSampleLimit).map { values[values.startIndex + $0 * values.count / shiftSampleLimit] }
    }

    /// Ranks say that there is a step but place it only roughly: perfectly separated splits score
    /// alike whether they fall at the step or where the old level's values happen to be lowest or
    /// highest. Among the splits that score nearly as well as the best, and those next to it, the
    /// one whose two levels fit their values best (least absolute deviation from each side's
    /// median) is where the level really changed.
    private func refine(_ levels: [Double], _ start: Int, _ end: Int, minimumLater: Int, among contenders: [Int], around index: Int) -> Int {
        let nearby = max(start + minimumSegment, index - Self.refinementReach)...min(end - minimumLater, index + Self.refinementReach)
        func cost(_ split: Int) -> Double {
            let earlier = levels[start..<split], later = levels[split..<end]
            let before = median(earlier), after = median(later)
            return earlier.reduce(0) { $0 + abs($1 - before) } + later.reduce(0) { $0 + abs($1 - after) }
        }
        return Set(contenders + Array(nearby)).min { (cost($0), abs($0 - index)) < (cost($1), abs($1 - index)) } ?? index
    }

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

    /// Splits scoring at least this share of the best split's score are weighed by fit.
    static let nearBest = 0.8

    /// Commits on each side of a split that must show the step, to tell it from a drift.
    static let localWindow = 12

    /// How many commits either side of the rank statistic's choice the refinement looks.
    static let refinementReach = 3

    /// Values per side beyond which a shift estimate thins a level.
    static let shiftSampleLimit = 200
}
