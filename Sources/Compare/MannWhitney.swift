import RealModule

/// The Mann–Whitney U test (Wilcoxon rank-sum) of two independent samples.
///
/// It asks whether one sample tends to be larger than the other without assuming a distribution,
/// so skewed, bimodal and outlier-ridden benchmark timings do not fool it. Without ties and with
/// at most 20 samples a side the p-value is exact; otherwise it is the normal approximation with
/// tie and continuity corrections.
public struct MannWhitney: Sendable, Hashable {
    /// U of the first sample: how many (first, second) pairs have first > second, ties counting ½.
    public let u: Double
    /// The two-sided p-value.
    public let pValue: Double

    /// - Parameters:
    ///   - first: One sample, at least one value.
    ///   - second: The other, at least one value.
    /// - Returns: `nil` when either sample is empty.
    public init?(_ first: [Double], _ second: [Double]) {
        guard !first.isEmpty, !second.isEmpty else { return nil }
        let n1 = first.count, n2 = second.count
        let ranked = Ranking(first + second)
        let rankSum = ranked.ranks.prefix(n1).reduce(0, +)
        u = rankSum - Double(n1 * (n1 + 1)) / 2
        if !ranked.hasTies, n1 <= 20, n2 <= 20 {
            pValue = Self.exactTwoSided(u: u, n1, n2)
        } else {
            let mean = Double(n1 * n2) / 2
            let total = Double(n1 + n2)
            let variance = Double(n1 * n2) / 12 * ((total + 1) - ranked.tieCorrection / (total * (total - 1)))
            guard variance > 0 else {
                pValue = 1 // every value equal
                return
            }
            let z = max(abs(u - mean) - 0.5, 0) / variance.squareRoot()
            pValue = min(1, Double.erfc(z / 2.0.squareRoot()))
        }
    }

    /// P(|U − mean| ≥ |u − mean|) under the null, counting U's distribution exactly.
    private static func exactTwoSided(u: Double, _ n1: Int, _ n2: Int) -> Double {
        // counts[k] after adding the j-th value of the first sample: orderings with U = k.
        // The classic recurrence f(m, n, k) = f(m−1, n, k−n) + f(m, n−1, k), done over n.
        let maximum = n1 * n2
        var table = [[Double]](repeating: [Double](repeating: 0, count: maximum + 1), count: n1 + 1)
        for m in 0...n1 { table[m][0] = 1 }
        for n in 1...n2 {
            var next = [[Double]](repeating: [Double](repeating: 0, count: maximum + 1), count: n1 + 1)
            next[0][0] = 1
            for m in 1...n1 {
                for k in 0...(m * n) {
                    next[m][k] = (k >= n ? next[m - 1][k - n] : 0) + table[m][k]
                }
            }
            table = next
        }
        let counts = table[n1]
        let total = counts.reduce(0, +)
        let mean = Double(maximum) / 2
        let distance = abs(u - mean)
        var tail = 0.0
        for (k, count) in counts.enumerated() where abs(Double(k) - mean) >= distance - 1e-9 { tail += count }
        return min(1, tail / total)
    }
}

/// Average ranks (1-based) of values in their given order, with the tie bookkeeping tests need.
struct Ranking {
    let ranks: [Double]
    let hasTies: Bool
    /// Σ (t³ − t) over groups of t tied values.
    let tieCorrection: Double

    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var correction = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            let tied = Double(end - start + 1)
            correction += tied * tied * tied - tied
            start = end + 1
        }
        self.ranks = ranks
        tieCorrection = correction
        hasTies = correction > 0
    }
}
