/// The digits of a JSON number as they are read, for converting the common ones without `strtod`.
///
/// Benchmark files are mostly short numbers (`0`, `1.5e-05`, `6553600`). A number of at most 15
/// significant digits whose power of ten is at most 22 converts exactly with one multiplication or
/// division (Clinger's fast path): both operands are exact doubles, so IEEE rounding of that one
/// operation gives the correctly rounded result, the same double `strtod` returns. Every other
/// number is left to `Double(String)`; building that string per number was a fifth of a parse.
struct DecimalLiteral {
    /// The digits read, as an integer, while it stays exact.
    private(set) var mantissa: UInt64 = 0
    /// How many digits were read (leading zeros included: they cost nothing but keep the rule simple).
    private(set) var digitCount = 0
    /// The power of ten the mantissa is scaled by: minus the fraction's digits, plus the exponent.
    private(set) var exponent = 0

    /// Powers of ten that doubles hold exactly.
    private static let exactPowers: [Double] = (0...22).map { power in (0..<power).reduce(1.0) { value, _ in value * 10 } }

    mutating func append(_ digit: UInt8, fraction: Bool) {
        digitCount += 1
        if digitCount <= 19 { mantissa = mantissa &* 10 &+ UInt64(digit) }
        if fraction { exponent -= 1 }
    }

    /// Adds an `e…` part, read as a literal of its own.
    mutating func addExponent(_ power: DecimalLiteral, sign: Int) {
        // A longer exponent is left to strtod, which knows what 1e-99999 is.
        guard power.digitCount <= 4 else { digitCount = Int.max; return }
        exponent += sign * Int(power.mantissa)
    }

    /// The value when the fast path gives it exactly, without its sign; `nil` otherwise.
    var exactValue: Double? {
        guard digitCount <= 15, (-22...22).contains(exponent) else { return nil }
        let value = Double(mantissa)
        return exponent < 0 ? value / Self.exactPowers[-exponent] : value * Self.exactPowers[exponent]
    }
}
