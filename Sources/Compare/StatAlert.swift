/// relay-bench's `stat_alert` rule, kept for its users: the latest value is outside the mean ± k·σ
/// of the values in a trailing window (by default one standard deviation over 14 days).
///
/// It is simple and it is noisy, which is why BenchBot's own verdicts use ``SuiteComparison``
/// and ``ChangePointDetector``; it stays because relay-bench users configured it.
public struct StatAlert: Sendable, Hashable {
    public var deviations: Double = 1
    /// Seconds of history the mean and σ are taken over.
    public var window: Double = 14 * 24 * 3600

    public init(deviations: Double = 1, window: Double = 14 * 24 * 3600) {
        self.deviations = deviations
        self.window = window
    }

    /// The latest value's distance from the window's mean, in standard deviations.
    public struct Alert: Sendable, Hashable {
        public let latest: Double
        public let mean: Double
        public let standardDeviation: Double
        public var deviations: Double { (latest - mean) / standardDeviation }
    }

    /// - Parameter points: (seconds since the epoch, value), oldest first; the last is the latest.
    /// - Returns: The alert, or `nil` when the latest value is inside the band or the window has
    ///   fewer than two earlier values.
    public func check(_ points: [(time: Double, value: Double)]) -> Alert? {
        guard let latest = points.last else { return nil }
        let history = points.dropLast().filter { latest.time - $0.time <= window }.map(\.value)
        guard history.count >= 2, let summary = SampleSummary(history) else { return nil }
        guard abs(latest.value - summary.mean) > deviations * summary.standardDeviation else { return nil }
        return Alert(latest: latest.value, mean: summary.mean, standardDeviation: summary.standardDeviation)
    }
}
