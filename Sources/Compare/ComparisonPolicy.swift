/// The knobs of a comparison, with defaults that keep false alarms rare and real 1% changes visible.
public struct ComparisonPolicy: Sendable, Hashable {
    /// The smallest relative change worth reporting, suite-wide: 0.01 is 1%.
    public var minimumEffect: Double = 0.01
    /// Per-benchmark overrides of ``minimumEffect``, by series name.
    public var minimumEffects: [String: Double] = [:]
    /// Each benchmark's relative run-to-run noise on its branch (see ``HistoricalNoise``); the
    /// practical threshold is never below it, so a jittery benchmark does not cry wolf.
    public var historicalNoise: [String: Double] = [:]
    /// The false discovery rate the suite's tests of two separate runs are held to
    /// (Benjamini–Hochberg). Five samples a side cannot go below p = 0.008, so it cannot be much
    /// stricter without hiding real changes in small runs.
    public var falseDiscoveryRate: Double = 0.05
    /// The rate for the rounds of a paired A/B job. Under no change at all it is the chance that a
    /// job flags anything, and pull requests that change nothing come in every day: at 0.05 one in
    /// twenty would raise an alarm. Paired jobs can afford 0.01, since their test has no floor and
    /// rounds are cheap to add.
    public var pairedFalseDiscoveryRate: Double = 0.01
    /// Confidence of each change's interval.
    public var confidence: Double = 0.95

    public init() {}

    /// The relative change below which `name` is unchanged, whatever the statistics say.
    ///
    /// - Parameter pairedTest: Whether the verdict rests on a paired job's rounds. Their test
    ///   already sees the machine's drift, which falls on both halves of a round alike, so the
    ///   history's run-to-run noise is no floor for it: on a VM whose speed wanders 2× between
    ///   minutes that floor exceeds 100%, and a doubling measured round by round would be called
    ///   unchanged. Only the configured minimum effect applies.
    public func threshold(for name: String, pairedTest: Bool = false) -> Double {
        let minimum = minimumEffects[name] ?? minimumEffect
        return pairedTest ? minimum : max(minimum, historicalNoise[name] ?? 0)
    }
}
