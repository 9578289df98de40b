import Foundation

/// Numbers as the reports print them: three significant digits, one decimal from 100 up, and
/// exponent notation for the very large and the very small.
///
/// The output is printf's (`%.3g`, `%.1f`, `%+.1f%%`), digit for digit, but made without
/// `String(format:)`, which costs about 7 µs a call on Linux: a site of 10,000 commits prints
/// millions of numbers.
public enum NumberText {
    public static func compact(_ value: Double) -> String {
        guard value.isFinite, value == 0 || (abs(value) < 1e6 && abs(value) >= 0.01) else { return String(format: "%.3g", value) }
        if abs(value) >= 100 { return fixed(value, decimals: 1, trimmingZeros: false) }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // %.3g keeps three significant digits, counted after rounding: 99.96 prints as 100.
        var exponent = Int(log10(abs(value)).rounded(.down))
        if roundedExactly(abs(value), decimals: 2 - exponent) >= 1000 { exponent += 1 }
        return fixed(value, decimals: max(0, 2 - exponent), trimmingZeros: true)
    }

    /// A ratio's change as a signed percentage with one decimal: `+12.5%`, `-3.0%`.
    public static func signedPercent(_ fraction: Double) -> String {
        let percent = fraction * 100
        guard percent.isFinite, abs(percent) < 1e15 else { return String(format: "%+.1f%%", percent) }
        let digits = fixed(percent, decimals: 1, trimmingZeros: false)
        return (percent.sign == .minus ? digits : "+" + digits) + "%"
    }

    /// `value` with `decimals` places, as printf's `%.*f` writes it.
    static func fixed(_ value: Double, decimals: Int, trimmingZeros: Bool) -> String {
        let rounded = roundedExactly(abs(value), decimals: decimals)
        // Past 2^64 (or for NaN and infinities) the digits cannot be made in a UInt64, and
        // converting would trap: printf makes those, slowly, and they are rare.
        guard rounded < 0x1p64 else {
            let text = String(format: "%.*f", Int32(clamping: max(0, decimals)), value)
            guard trimmingZeros, decimals > 0, text.contains(".") else { return text }
            var trimmed = Substring(text)
            while trimmed.last == "0" { trimmed.removeLast() }
            if trimmed.last == "." { trimmed.removeLast() }
            return String(trimmed)
        }
        var integer = UInt64(rounded)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        var written = 0
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(integer % 10))
            integer /= 10
            written += 1
            if written == decimals { bytes.append(UInt8(ascii: ".")) }
        } while integer > 0 || written <= decimals
        if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        bytes.reverse()
        if trimmingZeros, decimals > 0 {
            while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
            if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `magnitude × 10^decimals` rounded to an integer as printf rounds the exact binary value:
    /// the product's own rounding error decides a product that landed exactly on a half.
    private static func roundedExactly(_ magnitude: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let product = magnitude * scale
        let error = (-product).addingProduct(magnitude, scale)
        if product - product.rounded(.towardZero) == 0.5, error != 0 {
            return error > 0 ? product.rounded(.up) : product.rounded(.down)
        }
        return product.rounded(.toNearestOrEven)
    }
}
