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

extension DecimalLiteral {
    /// The number `text` spells, as `Double(String)` reads it: plain decimals such as `1234`,
    /// `-0.5` or `1.5e-05` are read from their bytes (the fast path above), and anything else
    /// (`1e400`, `nan`, `0x1p3`, 20 digits, text that is no number) is left to `Double(String)`.
    /// Bytes equal to `ignoring` (a thousands separator) are skipped, as if filtered out first.
    static func number(_ text: Substring, ignoring separator: UInt8? = nil) -> Double? {
        var literal = DecimalLiteral()
        var exponent = DecimalLiteral()
        var negative = false, exponentSign = 1
        // Where the bytes are: 0 before any digit (a sign may come), 1 in the integer digits,
        // 2 in the fraction's, 3 after `e` (a sign may come), 4 in the exponent's digits.
        var state = 0
        var digitsSeen = false, exponentDigitsSeen = false
        for byte in text.utf8 {
            if byte == separator { continue }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if state >= 3 {
                    exponent.append(byte &- UInt8(ascii: "0"), fraction: false)
                    state = 4
                    exponentDigitsSeen = true
                } else {
                    literal.append(byte &- UInt8(ascii: "0"), fraction: state == 2)
                    if state == 0 { state = 1 }
                    digitsSeen = true
                }
            case UInt8(ascii: "-") where state == 0 || state == 3, UInt8(ascii: "+") where state == 0 || state == 3:
                if state == 0 {
                    negative = byte == UInt8(ascii: "-")
                    state = 1
                } else {
                    exponentSign = byte == UInt8(ascii: "-") ? -1 : 1
                    state = 4
                }
            case UInt8(ascii: ".") where state <= 1:
                state = 2
            case UInt8(ascii: "e") where digitsSeen && state <= 2, UInt8(ascii: "E") where digitsSeen && state <= 2:
                state = 3
            default:
                return slowNumber(text, ignoring: separator)
            }
        }
        // A lone sign or point, `1e`, `1e+`: whatever Double(String) makes of them.
        guard digitsSeen, state < 3 || exponentDigitsSeen else { return slowNumber(text, ignoring: separator) }
        if state == 4 { literal.addExponent(exponent, sign: exponentSign) }
        guard let exact = literal.exactValue else { return slowNumber(text, ignoring: separator) }
        return negative ? -exact : exact
    }

    private static func slowNumber(_ text: Substring, ignoring separator: UInt8?) -> Double? {
        guard let separator else { return Double(text) }
        return Double(String(decoding: text.utf8.filter { $0 != separator }, as: UTF8.self))
    }
}
