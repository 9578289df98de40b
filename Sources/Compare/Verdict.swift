/// What BenchBot concludes about one benchmark between a baseline and a candidate.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Worse by more than the practical threshold, and significant after the suite's FDR control.
    case regression
    /// Better by more than the practical threshold, and significant.
    case improvement
    /// Within the practical threshold, or a significant change too small to matter.
    case unchanged
    /// Too few samples to test (fewer than 3 a side, or fewer than 5 paired rounds) and no history to judge the estimate by, which is beyond the threshold.
    case inconclusive
    /// Only the candidate has it.
    case new
    /// Only the baseline has it.
    case missing

    /// Report order: what needs attention first.
    public var rank: Int {
        switch self {
        case .regression: 0
        case .improvement: 1
        case .inconclusive: 2
        case .new: 3
        case .missing: 4
        case .unchanged: 5
        }
    }
}
