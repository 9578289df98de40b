import RealModule

/// Student's t distribution, for the paired rounds' trimmed-mean test.
public enum StudentT {
    /// P(T > t) with `degreesOfFreedom` > 0.
    public static func upperTail(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 0 : 1 }
        let tail = 0.5 * regularizedBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// t with P(T > t) = `tail`, for 0 < tail < ½, by bisection on ``upperTail(_:degreesOfFreedom:)``.
    public static func upperQuantile(_ tail: Double, degreesOfFreedom df: Double) -> Double {
        var low = 0.0, high = 1.0
        while upperTail(high, degreesOfFreedom: df) > tail, high < 1e12 { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if upperTail(middle, degreesOfFreedom: df) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Iₓ(a, b), the regularised incomplete beta function, by its continued fraction (modified
    /// Lentz), on whichever side of the mean it converges fast.
    static func regularizedBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b) + a * Double.log(x) + b * Double.log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return Double.exp(logFront) * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - Double.exp(logFront) * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...300 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return result
    }
}
