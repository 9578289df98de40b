public import Compare

/// The change people read beside two medians: the candidate's median over the baseline's.
///
/// One computation wherever a change is shown (the site's commit and comparison pages, the pull
/// request comment, check runs, Slack, commit statuses), so that a page and the message linking
/// to it never disagree. A paired job's estimate (the trimmed mean of its rounds' ratios) and a
/// Hodges–Lehmann shift both differ from the ratio of medians (the issue's −87.4% on the page against
/// −85.91% in the comment): they decide the verdict and are shown beside it as the estimate, with
/// its interval, but the change is this.
public enum MedianChange {
    /// candidate ÷ baseline − 1; `nil` when the baseline is not positive or either is not finite.
    public static func fraction(baseline: Double, candidate: Double) -> Double? {
        guard baseline > 0, baseline.isFinite, candidate.isFinite else { return nil }
        return candidate / baseline - 1
    }

    /// `+112.4%`, or `-` when there is no baseline or no ratio.
    public static func text(baseline: Double?, candidate: Double?) -> String {
        guard let baseline, let candidate, let fraction = fraction(baseline: baseline, candidate: candidate) else { return "-" }
        return NumberText.signedPercent(fraction)
    }
}

extension BenchmarkComparison {
    /// The change shown for this benchmark: ``MedianChange`` of its two medians.
    public var medianChange: Double? {
        guard let baseline, let candidate else { return nil }
        return MedianChange.fraction(baseline: baseline.median, candidate: candidate.median)
    }

    /// ``medianChange`` as people read it: `+112.4%`, or `-`.
    public var medianChangeText: String {
        MedianChange.text(baseline: baseline?.median, candidate: candidate?.median)
    }

    /// How many times better the candidate is by the shown change (above 1 is better, whichever
    /// the direction), to sort by what people read: the smallest is the worst regression.
    var shownImprovementFactor: Double {
        guard let change = medianChange, change > -1 else { return improvementFactor ?? 1 }
        return direction == .lowerIsBetter ? 1 / (1 + change) : 1 + change
    }
}
