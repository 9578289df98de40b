import RealModule

/// Bisection of a change between a good and a bad commit, as a value: the caller measures the
/// commit it asks for and records the result, until one commit is left.
///
/// Commits are positions 0 (good) … n−1 (bad) along the first-parent history. A measured commit
/// is bad when its level is nearer, in log distance, to the bad commit's level than to the good
/// one's. A commit that cannot be measured (its build fails) is skipped, and the culprit may then
/// be a range rather than one commit.
public struct Bisection: Sendable, Hashable {
    public private(set) var good: Int
    public private(set) var bad: Int
    public let goodLevel: Double
    public let badLevel: Double
    public private(set) var skipped: Set<Int> = []

    /// - Parameters:
    ///   - count: Commits from good to bad, both included; at least 2.
    ///   - goodLevel: The good commit's median.
    ///   - badLevel: The bad commit's median.
    public init(count: Int, goodLevel: Double, badLevel: Double) {
        good = 0
        bad = max(1, count - 1)
        self.goodLevel = goodLevel
        self.badLevel = badLevel
    }

    /// The next position to measure, or `nil` when bisection is over.
    public var next: Int? {
        let open = ((good + 1)..<bad).filter { !skipped.contains($0) }
        guard !open.isEmpty else { return nil }
        // The untested position nearest the middle halves the range best.
        let middle = Double(good + bad) / 2
        return open.min { abs(Double($0) - middle) < abs(Double($1) - middle) }
    }

    /// The first bad position, when every commit between it and the last good one was measured.
    public var culprit: Int? { bad - good == 1 ? bad : nil }

    /// The positions the change may be in: one, or more when skipped commits hide it.
    public var suspects: ClosedRange<Int> { (good + 1)...bad }

    /// Records a measured position.
    public mutating func record(_ position: Int, level: Double) {
        guard position > good, position < bad, level > 0, goodLevel > 0, badLevel > 0 else { return }
        let towardsBad = abs(Double.log(level / badLevel)) < abs(Double.log(level / goodLevel))
        if towardsBad { bad = position } else { good = position }
    }

    /// Records a position that cannot be measured.
    public mutating func skip(_ position: Int) {
        skipped.insert(position)
    }
}
