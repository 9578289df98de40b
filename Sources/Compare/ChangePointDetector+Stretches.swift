extension ChangePointDetector {
    /// The commits that are not part of a short slow (or fast) stretch: those whose level is within
    /// ``stretchDeviations`` robust standard deviations of the running median of the
    /// 2 × ``settledLength`` + 1 commits around them. A running median that wide follows a step
    /// (it has a majority on the step's side from the step's first commit on) and a drift, but not
    /// an excursion shorter than ``settledLength``: a shared machine's slow stretch, or a one-off.
    /// Where stretches crowd a window they can outvote a level, so the medians are taken a second
    /// time without the commits the first pass put in a stretch.
    /// Commits within ``settledLength`` of either end, where the window is cut short, are all kept:
    /// there an excursion cannot be told from a change, which is then reported as tentative.
    func steadyCommits(_ levels: [Double]) -> [Int] {
        let reach = Self.settledLength
        guard levels.count > 2 * reach + 1 else { return Array(levels.indices) }
        let inner = reach..<(levels.count - reach)
        var voters = Array(levels.indices)
        for _ in 0..<Self.stretchPasses {
            guard let flagged = stretchCommits(levels, inner: inner, voters: voters) else { return Array(levels.indices) }
            voters = levels.indices.filter { !flagged.contains($0) }
        }
        return voters
    }

    /// The inner commits far from the running median of the `voters` around them; `nil` when the
    /// residuals do not vary at all.
    private func stretchCommits(_ levels: [Double], inner: Range<Int>, voters: [Int]) -> Set<Int>? {
        let reach = Self.settledLength
        var residuals: [Double] = []
        var position = 0
        for index in inner {
            while position < voters.count, voters[position] < index { position += 1 }
            // The voters nearest the commit: `reach` on each side, the commit itself when it votes.
            let low = max(0, position - reach)
            let high = min(voters.count, position + reach + (position < voters.count && voters[position] == index ? 1 : 0))
            residuals.append(levels[index] - median(voters[low..<high].map { levels[$0] }[...]))
        }
        // The spread of the residuals themselves, robustly: slow stretches are a minority of them.
        let spread = 1.4826 * median(residuals.map(abs)[...])
        guard spread > 0 else { return nil }
        return Set(inner.filter { abs(residuals[$0 - inner.lowerBound]) > Self.stretchDeviations * spread })
    }

    /// How far from the running median, in robust standard deviations, a commit is taken as part of
    /// a slow stretch: far enough that normal noise reaches it about once in 20,000 commits.
    static let stretchDeviations = 4.0

    /// Passes of the running median; a second one, without the first's stretches, is enough.
    static let stretchPasses = 2
}
