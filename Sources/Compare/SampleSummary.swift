/// Descriptive statistics of one benchmark's samples from one run.
///
/// Every later comparison starts from these numbers, and the coefficient of variation tells the
/// user whether a benchmark is quiet enough to judge small changes at all.
public struct SampleSummary: Sendable, Hashable {
    public let count: Int
    public let minimum: Double
    public let maximum: Double
    public let mean: Double
    public let median: Double
    /// Sample standard deviation (n − 1 in the denominator); zero for a single sample.
    public let standardDeviation: Double

    /// Summarises a non-empty set of samples.
    ///
    /// - Parameter samples: The measurements; non-finite values are rejected.
    /// - Returns: `nil` when `samples` is empty or holds a NaN or an infinity.
    public init?(_ samples: some Collection<Double>) {
        guard !samples.isEmpty, samples.allSatisfy(\.isFinite) else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        let middle = sorted.count / 2
        median = sorted.count.isMultiple(of: 2) ? Self.midpoint(sorted[middle - 1], sorted[middle]) : sorted[middle]
        // Values near the largest double overflow a sum or a square: those are summarised at a
        // power-of-two scale, which is exact, and scaled back. A spread beyond the largest double
        // is then infinity, honestly, and never NaN.
        let largest = max(abs(minimum), abs(maximum))
        let scale = largest > 0x1p500 ? 0x1p-600 : 1.0
        // Welford's update keeps the variance exact for values far from zero.
        var runningMean = 0.0
        var squaredDeviations = 0.0
        for (index, unscaled) in sorted.enumerated() {
            let value = unscaled * scale
            let delta = value - runningMean
            runningMean += delta / Double(index + 1)
            squaredDeviations += delta * (value - runningMean)
        }
        mean = runningMean / scale
        standardDeviation = count > 1 ? (squaredDeviations / Double(count - 1)).squareRoot() / scale : 0
    }

    /// Halfway between two sorted values, without overflowing where their sum would.
    static func midpoint(_ low: Double, _ high: Double) -> Double {
        let sum = low + high
        return sum.isFinite ? sum / 2 : low / 2 + high / 2
    }

    /// A summary computed earlier and stored, so that reading it back needs no samples.
    public init(count: Int, minimum: Double, maximum: Double, mean: Double, median: Double, standardDeviation: Double) {
        self.count = count
        self.minimum = minimum
        self.maximum = maximum
        self.mean = mean
        self.median = median
        self.standardDeviation = standardDeviation
    }

    /// Standard deviation over the absolute mean; `nil` when the mean is zero.
    public var coefficientOfVariation: Double? {
        mean == 0 ? nil : standardDeviation / abs(mean)
    }
}
