import RealModule

/// How much a candidate changed against its baseline, as a ratio with a confidence interval.
///
/// The point estimate is the ratio of medians (of the values themselves with one sample a side).
/// The interval is the Hodges–Lehmann interval of the shift in log values: the pairwise
/// differences of logs, cut at the Mann–Whitney critical ranks, so it needs no distribution and
/// shrugs off outliers. With too few samples for the requested confidence it spans every
/// pairwise ratio, and says so with `isWide`.
public struct ShiftEstimate: Sendable, Hashable {
    /// candidate ÷ baseline: 1.05 is 5% larger.
    public let ratio: Double
    public let lower: Double
    public let upper: Double
    /// The samples could not narrow the interval below the extremes of the pairwise ratios.
    public let isWide: Bool

    init(ratio: Double, lower: Double, upper: Double, isWide: Bool) {
        self.ratio = ratio
        self.lower = lower
        self.upper = upper
        self.isWide = isWide
    }

    /// - Parameters:
    ///   - baseline: Positive values.
    ///   - candidate: Positive values.
    ///   - confidence: 0.95 for a 95% interval.
    /// - Returns: `nil` for an empty side or any value ≤ 0, where ratios mean nothing.
    public init?(baseline: [Double], candidate: [Double], confidence: Double = 0.95) {
        guard let before = SampleSummary(baseline), let after = SampleSummary(candidate),
              before.minimum > 0, after.minimum > 0 else { return nil }
        ratio = after.median / before.median
        var differences: [Double] = []
        differences.reserveCapacity(baseline.count * candidate.count)
        for b in baseline { for c in candidate { differences.append(Double.log(c) - Double.log(b)) } }
        differences.sort()
        let n1 = Double(baseline.count), n2 = Double(candidate.count)
        let z = NormalQuantile.upper((1 - confidence) / 2)
        let k = Int((n1 * n2 / 2 - z * (n1 * n2 * (n1 + n2 + 1) / 12).squareRoot()).rounded(.down))
        // 1-based ranks k+1 and N−k bound the interval.
        if k >= 1, k <= differences.count - 1 - k {
            lower = Double.exp(differences[k])
            upper = Double.exp(differences[differences.count - 1 - k])
            isWide = false
        } else {
            lower = Double.exp(differences.first!)
            upper = Double.exp(differences.last!)
            isWide = true
        }
    }
}

/// Quantiles of the standard normal distribution.
enum NormalQuantile {
    /// z with P(Z > z) = `tail`, by bisection on erfc; exact to 1e-12, and called rarely.
    static func upper(_ tail: Double) -> Double {
        var low = 0.0, high = 40.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if 0.5 * Double.erfc(middle / 2.0.squareRoot()) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
