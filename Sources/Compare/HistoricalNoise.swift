import RealModule

/// How much a benchmark moves between commits that did not change it, from its own history.
///
/// The spread of log ratios between consecutive commits' medians, as a robust standard deviation
/// (1.4826 × the median absolute deviation, so the real changes in the history do not inflate
/// it), times three: the band that covers 99.7% of unchanged commits. A comparison's practical
/// threshold never goes below it.
public enum HistoricalNoise {
    /// Commits of history needed before their spread is trusted.
    public static let minimumHistory = 10

    /// - Parameter medians: Consecutive commits' medians on one branch and machine, oldest first.
    /// - Returns: A relative change (0.03 is 3%); `nil` with fewer than ``minimumHistory`` positive
    ///   medians, too few for a spread to judge single samples by.
    public static func estimate(medians: [Double]) -> Double? {
        let positive = medians.filter { $0 > 0 }
        guard positive.count >= minimumHistory else { return nil }
        let steps = zip(positive, positive.dropFirst()).map { Double.log($1 / $0) }
        guard let center = SampleSummary(steps)?.median,
              let mad = SampleSummary(steps.map { abs($0 - center) })?.median else { return nil }
        return Double.exp(3 * 1.4826 * mad) - 1
    }
}
