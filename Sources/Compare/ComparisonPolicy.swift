/// The knobs of a comparison, with defaults that keep false alarms rare and real 1% changes visible.
public struct ComparisonPolicy: Sendable, Hashable {
    /// The smallest relative change worth reporting, suite-wide: 0.01 is 1%.
    public var minimumEffect: Double = 0.01
    /// Per-benchmark overrides of ``minimumEffect``, by series name.
    public var minimumEffects: [String: Double] = [:]
    /// Each benchmark's relative run-to-run noise on its branch (see ``HistoricalNoise``); the
    /// practical threshold is never below it, so a jittery benchmark does not cry wolf.
    public var historicalNoise: [String: Double] = [:]
    /// The false discovery rate the suite's tests are held to.
    public var falseDiscoveryRate: Double = 0.05
    /// Confidence of each change's interval.
    public var confidence: Double = 0.95

    public init() {}

    /// The relative change below which `name` is unchanged, whatever the statistics say.
    public func threshold(for name: String) -> Double {
        max(minimumEffects[name] ?? minimumEffect, historicalNoise[name] ?? 0)
    }
}
