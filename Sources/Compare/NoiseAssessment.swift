/// Whether a benchmark is quiet enough to judge a change of a given size.
///
/// A two-sample comparison with `n` samples a side detects, with 80% power at the 5% level, a
/// relative change of about 2.8 · CV · √(2/n). A benchmark whose detectable change is larger
/// than the change the user cares about needs fixing (more samples, a quieter machine, a longer
/// workload) before its verdicts mean anything.
public struct NoiseAssessment: Sendable, Hashable {
    /// The change BenchBot promises to judge unless told otherwise: 1%.
    public static let defaultResolution = 0.01

    public let summary: SampleSummary
    /// The smallest relative change (0.01 = 1%) a comparison of two such runs would detect;
    /// `nil` with fewer than two samples, when the noise is unknown.
    public let minimumDetectableChange: Double?

    /// - Parameter summary: The benchmark's samples from one run.
    public init(_ summary: SampleSummary) {
        self.summary = summary
        if summary.count >= 2, let cv = summary.coefficientOfVariation {
            minimumDetectableChange = 2.8 * cv * (2.0 / Double(summary.count)).squareRoot()
        } else {
            minimumDetectableChange = nil
        }
    }

    /// Whether a change of `relativeChange` (0.01 for 1%) could be told from noise.
    public func canResolve(_ relativeChange: Double = NoiseAssessment.defaultResolution) -> Bool {
        minimumDetectableChange.map { $0 <= relativeChange } ?? false
    }
}
