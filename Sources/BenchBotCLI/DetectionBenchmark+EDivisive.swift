import Compare
import Foundation

/// E-divisive means (Matteson and James) with Apache Otava's significance test: binary segmentation
/// at the split that maximises the energy statistic (α = 1), kept when Welch's t-test between the
/// two sides gives p < 0.001. A reimplementation from the papers and Otava's documentation, for
/// comparison only.
enum EDivisive {
    static func detect(_ values: [Double], minimumSize: Int = 3) -> [Int] {
        var found: [Int] = []
        var segments = [(0, values.count)]
        while let (start, end) = segments.popLast() {
            guard end - start >= 2 * minimumSize, let split = bestSplit(Array(values[start..<end]), minimumSize: minimumSize) else { continue }
            let left = Array(values[start..<(start + split)]), right = Array(values[(start + split)..<end])
            guard welchPValue(left, right) < 0.001 else { continue }
            found.append(start + split)
            segments.append((start, start + split))
            segments.append((start + split, end))
        }
        return found
    }

    /// The split maximising τ(n−τ)/n · (2·mean|between| − mean|within left| − mean|within right|).
    private static func bestSplit(_ x: [Double], minimumSize: Int) -> Int? {
        let n = x.count
        // within[t]: Σ |x_i − x_k| over i < k < t; rightWithin[t]: over t ≤ i < k.
        var within = [Double](repeating: 0, count: n + 1)
        for t in 1..<(n + 1) {
            var added = 0.0
            for i in 0..<(t - 1) { added += abs(x[t - 1] - x[i]) }
            within[t] = within[t - 1] + added
        }
        var rightWithin = [Double](repeating: 0, count: n + 1)
        for t in stride(from: n - 1, through: 0, by: -1) {
            var added = 0.0
            for k in (t + 1)..<max(t + 1, n) { added += abs(x[t] - x[k]) }
            rightWithin[t] = rightWithin[t + 1] + added
        }
        let total = within[n]
        var best: (index: Int, score: Double)?
        for t in minimumSize...(n - minimumSize) {
            let between = total - within[t] - rightWithin[t]
            let a = Double(t), b = Double(n - t)
            let score = a * b / Double(n) * (2 * between / (a * b) - within[t] / (a * (a - 1) / 2) - rightWithin[t] / (b * (b - 1) / 2))
            if best == nil || score > best!.score { best = (t, score) }
        }
        return best?.index
    }

    /// Two-sided Welch's t-test p-value, by the normal approximation for large samples and a
    /// Student t tail otherwise.
    static func welchPValue(_ a: [Double], _ b: [Double]) -> Double {
        guard let left = SampleSummary(a), let right = SampleSummary(b), a.count > 1, b.count > 1 else { return 1 }
        let va = left.standardDeviation * left.standardDeviation / Double(a.count)
        let vb = right.standardDeviation * right.standardDeviation / Double(b.count)
        guard va + vb > 0 else { return left.mean == right.mean ? 1 : 0 }
        let t = abs(left.mean - right.mean) / (va + vb).squareRoot()
        let df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        return studentTwoSided(t, df)
    }

    /// P(|T| ≥ t) for Student's t with `df` degrees of freedom, through the regularised incomplete beta function.
    private static func studentTwoSided(_ t: Double, _ df: Double) -> Double {
        let x = df / (df + t * t)
        return incompleteBeta(x, df / 2, 0.5)
    }

    /// I_x(a, b) by its continued fraction (Numerical Recipes, betacf).
    private static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logGammas + logPowers)
        if x >= (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
        var h = d
        for m in 1...300 {
            let m = Double(m)
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d; d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
            c = 1 + numerator / c; c = abs(c) < 1e-300 ? 1e-300 : c
            h *= d * c
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d; d = 1 / (abs(d) < 1e-300 ? 1e-300 : d)
            c = 1 + numerator / c; c = abs(c) < 1e-300 ? 1e-300 : c
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-12 { break }
        }
        return front * h / a
    }
}
