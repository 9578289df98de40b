import Foundation

/// Numbers as the reports print them: three significant digits, one decimal from 100 up, and
/// exponent notation for the very large and the very small.
public enum NumberText {
    public static func compact(_ value: Double) -> String {
        if value != 0, abs(value) >= 1e6 || abs(value) < 0.01 { return String(format: "%.3g", value) }
        return String(format: abs(value) >= 100 ? "%.1f" : "%.3g", value)
    }
}
