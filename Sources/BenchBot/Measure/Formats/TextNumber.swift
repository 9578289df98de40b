/// Numbers read straight from a line's bytes, for the text readers' byte-level paths.
///
/// ``DecimalLiteral/number(_:ignoring:)`` reads a `Substring`; a reader that walks a file's bytes
/// would build one per number only to hand it over. This reads the shape tools print nearly
/// always, `[-]digits[.digits]` (thousands separators skipped), from the bytes, and hands
/// anything else to ``DecimalLiteral/number(_:ignoring:)``, which stays the rule: the same bytes
/// give the same double or the same `nil` either way (`TextNumberTests`).
enum TextNumber {
    /// The number `bytes` spell, as ``DecimalLiteral/number(_:ignoring:)`` reads their text.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, ignoring separator: UInt8? = nil) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var inFraction = false
        let negative = bytes.first == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == separator { continue }
            if byte &- UInt8(ascii: "0") < 10 {
                // 19 digits always fit in 64 bits; longer ones are strtod's.
                guard digits < 19 else { return slowNumber(bytes, ignoring: separator) }
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                digits += 1
                if inFraction { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                // An exponent, a `+`, `nan`, a second point, a stray byte: the full reader's.
                return slowNumber(bytes, ignoring: separator)
            }
        }
        guard digits > 0, let value = exactValue(mantissa, digits: digits, fractionDigits: fractionDigits) else {
            return slowNumber(bytes, ignoring: separator)
        }
        return negative ? -value : value
    }

    /// ``number(_:ignoring:)`` of its plain shape, `[-]digits[.digits]` with at most 19 digits, read
    /// from `start` to the first byte that is neither a digit nor the first point: the value and
    /// where it stopped, in the one pass that finds the number's end. `nil` when the bytes up to
    /// there are not that shape; the caller then reads the number the full way.
    ///
    /// The value is the one ``number(_:ignoring:)`` gives for the same bytes, by the same steps.
    static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (value: Double, end: Int)? {
        var position = start
        let negative = position < end && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        // Up to seven digits, a point and up to seven more, eight bytes at a time: a loop over each
        // digit mispredicted its way out of every number, and a result line holds four.
        if let base = bytes.baseAddress, position + 8 <= end {
            let whole = leadingDigits(base, at: position)
            if whole.count < 8 {
                var next = position + whole.count
                guard next < end, base[next] == UInt8(ascii: ".") else {
                    guard whole.count > 0 else { return nil }
                    let value = Double(whole.value)
                    return (negative ? -value : value, next)
                }
                next += 1
                if next + 8 <= end {
                    let fraction = leadingDigits(base, at: next)
                    if fraction.count < 8 {
                        let digits = whole.count + fraction.count
                        guard digits > 0 else { return nil }
                        let mantissa = whole.value &* powersOfTenInteger[fraction.count] &+ fraction.value
                        // At most 14 digits: Clinger's fast path, as ``exactValue(_:digits:fractionDigits:)`` takes it.
                        let value = Double(mantissa) / powersOfTen[fraction.count]
                        return (negative ? -value : value, next + fraction.count)
                    }
                }
            }
        }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var inFraction = false
        while position < end {
            let byte = bytes[position]
            if byte &- UInt8(ascii: "0") < 10 {
                guard digits < 19 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                digits += 1
                if inFraction { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else {
                break
            }
            position += 1
        }
        guard digits > 0, let value = exactValue(mantissa, digits: digits, fractionDigits: fractionDigits) else { return nil }
        return (negative ? -value : value, position)
    }

    /// How many digits the eight bytes at `position` start with, and their value when that is below eight.
    private static func leadingDigits(_ base: UnsafePointer<UInt8>, at position: Int) -> (count: Int, value: UInt64) {
        let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
        let values = word ^ 0x3030_3030_3030_3030
        // A byte is a digit when its value is below 10: adding 0x76 sets its high bit otherwise, and
        // a byte with the high bit set already is none. A carry out of a byte that is not a digit
        // can disturb only the bytes after it, never which one is the first.
        let flags = ((values &+ 0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080
        let count = flags.trailingZeroBitCount / 8
        guard count > 0, count < 8 else { return (count, 0) }
        // The digits moved to the top bytes, zeros before them, then summed in pairs, fours and eights.
        var digits = (values << (64 - 8 * UInt64(count)))
        digits = (digits &* 10 &+ (digits >> 8)) & 0x00FF_00FF_00FF_00FF
        digits = (digits &* 100 &+ (digits >> 16)) & 0x0000_FFFF_0000_FFFF
        digits = (digits &* 10000 &+ (digits >> 32)) & 0xFFFF_FFFF
        return (count, digits)
    }

    /// 10^0 … 10^7.
    private static let powersOfTenInteger: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000]

    /// `mantissa / 10^fractionDigits`, correctly rounded, when it can be had without strtod.
    ///
    /// Up to 15 digits this is Clinger's fast path, as ``DecimalLiteral`` takes it. Longer
    /// mantissas (Swift prints a double's shortest form, up to 17 digits) are divided exactly:
    /// 10^k is 5^k·2^k, 5^k fits in 64 bits up to k = 27, and the mantissa, moved to the top of a
    /// 128-bit dividend, divided by 5^k leaves a quotient of at least 65 bits. Rounding that
    /// quotient once to a double's 53 bits, with a non-zero remainder kept as a sticky low bit,
    /// is the correctly rounded result; the powers of two are then exact.
    private static func exactValue(_ mantissa: UInt64, digits: Int, fractionDigits: Int) -> Double? {
        if fractionDigits == 0 { return Double(mantissa) }
        if digits <= 15, fractionDigits <= 22 { return Double(mantissa) / powersOfTen[fractionDigits] }
        guard fractionDigits <= 27 else { return nil }
        if mantissa == 0 { return 0 }
        let divisor = powersOfFive[fractionDigits]
        let shift = mantissa.leadingZeroBitCount
        let (high, carried) = (mantissa << shift).quotientAndRemainder(dividingBy: divisor)
        let (low, remainder) = divisor.dividingFullWidth((carried, 0))
        let quotient = UInt128(high) << 64 | UInt128(low)
        // The quotient's top 64 bits, the bits below them and the remainder kept as a sticky low
        // bit: `Double(UInt64)` rounds that once, as the 128-bit conversion would, at a fraction of its cost.
        let top = quotient.leadingZeroBitCount
        let aligned = quotient << top
        let sticky: UInt64 = UInt64(truncatingIfNeeded: aligned) != 0 || remainder != 0 ? 1 : 0
        let significand = Double(UInt64(truncatingIfNeeded: aligned >> 64) | sticky)
        return Double(sign: .plus, exponent: -(top + shift + fractionDigits), significand: significand)
    }

    // Written out, not computed: the optimizer then lays a literal array out in the binary, where a
    // computed one was initialized lazily, and each of a large file's numbers paid for the check.
    /// 10^0 … 10^22, each exact in a double.
    private static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]
    /// 5^0 … 5^27, each below 2^63.
    private static let powersOfFive: [UInt64] = [
        1, 5, 25, 125, 625, 3125, 15625,
        78125, 390625, 1953125, 9765625, 48828125, 244140625, 1220703125,
        6103515625, 30517578125, 152587890625, 762939453125, 3814697265625, 19073486328125, 95367431640625,
        476837158203125, 2384185791015625, 11920928955078125, 59604644775390625, 298023223876953125, 1490116119384765625, 7450580596923828125,
    ]

    private static func slowNumber(_ bytes: UnsafeBufferPointer<UInt8>, ignoring separator: UInt8?) -> Double? {
        DecimalLiteral.number(Substring(String(decoding: bytes, as: UTF8.self)), ignoring: separator)
    }
}
