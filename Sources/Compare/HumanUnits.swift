import RealModule

/// Values as people read them: `65.1 ms`, not `6.51e+07 ns`; `1.2G instructions`, not `1200000000`.
///
/// Times (`ns`, `us`/`µs`, `ms`, `s`, also as the numerator of `ns/op` or `ns/iter`) move between
/// ns, µs, ms and s; bytes (`B`, `KiB`, `MiB`, also `B/op`) between B, KiB, MiB and GiB; any other
/// unit (counts, instructions, rates such as `ops/s`) takes a k, M or G prefix. One scale serves a
/// whole plot or table, so its values can be compared at a glance; a lone value gets its own.
public struct HumanUnits: Sendable, Hashable {
    /// What the shown numbers are divided by, from the stored unit.
    public let divisor: Double
    /// What follows each shown number: ` ms`, ` µs/op`, `M instructions`, `k` for a bare count.
    public let suffix: String
    /// The unit of the shown numbers, for an axis or a column head: `ms`, `M instructions`.
    public var unit: String { String(suffix.trimmingPrefix(" ")) }

    /// The scale that shows `values` (stored in `unit`) with the fewest digits: the largest step of
    /// the unit's ladder at or below the largest magnitude.
    public init(unit: String, values: some Sequence<Double>) {
        let largest = values.lazy.filter(\.isFinite).map(abs).max() ?? 0
        let ladder = Ladder(unit)
        let base = largest * ladder.toBase
        let step = ladder.steps.last { base >= $0.size * 0.9995 } ?? ladder.steps[0]
        divisor = step.size / ladder.toBase
        suffix = ladder.suffix(step.name)
    }

    /// One value with its unit: three significant digits, as `65.1 ms`, `1.23 s` or `812 µs`.
    public static func format(_ value: Double, unit: String) -> String {
        HumanUnits(unit: unit, values: [value]).format(value)
    }

    /// `value` (in the stored unit) in this scale, with its unit.
    public func format(_ value: Double) -> String {
        number(value) + suffix
    }

    /// `value` (in the stored unit) in this scale, without its unit, to three significant digits.
    public func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "−∞") }
        return Self.significant(value / divisor, digits: 3)
    }

    /// `x` to `digits` significant digits, without exponent or trailing zeros: 65.1, 0.00123, 1230.
    static func significant(_ x: Double, digits: Int) -> String {
        if x == 0 { return "0" }
        let magnitude = Int(Double.log10(abs(x)).rounded(.down))
        let decimals = max(0, digits - 1 - magnitude)
        // Beyond what any ladder step brings near 1, a plain exponent is the honest form.
        guard magnitude < 15, decimals <= 15 else { return (x < 0 ? "−" : "") + "\(abs(x))" }
        let scale = Double.pow(10, Double(decimals))
        var rounded = (abs(x) * scale).rounded() / scale
        // 999.96 rounds up to 1000: one digit more before the point, one fewer after it.
        if decimals > 0, Int(Double.log10(rounded).rounded(.down)) > magnitude {
            rounded = (abs(x) * scale / 10).rounded() / (scale / 10)
        }
        var text = decimals == 0 ? String(Int64(rounded)) : Self.fixed(rounded, decimals: decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return (x < 0 ? "−" : "") + text
    }

    /// `x` ≥ 0 with `decimals` digits after the point, without Foundation's formatter.
    private static func fixed(_ x: Double, decimals: Int) -> String {
        let scale = Double.pow(10, Double(decimals))
        let total = Int64((x * scale).rounded())
        let whole = total / Int64(scale), fraction = total % Int64(scale)
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}

extension HumanUnits {
    /// A unit's ladder of steps, each named and sized in the ladder's base (seconds, bytes, ones).
    struct Ladder {
        let steps: [(name: String, size: Double)]
        /// One stored unit in the base.
        let toBase: Double
        /// What follows the step's name: `/op` of `ns/op`, or ` instructions` of `instructions`.
        let rest: String
        /// Whether a space parts the number from the step: `65.1 ms`, but `1.2G instructions`.
        let spaced: Bool

        func suffix(_ step: String) -> String {
            (spaced ? " " : "") + step + rest
        }

        static let time: [(String, Double)] = [("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3), ("s", 1)]
        static let bytes: [(String, Double)] = [("B", 1), ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824)]
        static let timeUnits: [String: Double] = ["ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1]
        static let byteUnits: [String: Double] = ["B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824]

        init(_ unit: String) {
            let slash = unit.firstIndex(of: "/")
            let numerator = slash.map { String(unit[..<$0]) } ?? unit
            let rest = slash.map { String(unit[$0...]) } ?? ""
            if let size = Self.timeUnits[numerator] {
                steps = Self.time.map { ($0.0, $0.1) }; toBase = size; self.rest = rest; spaced = true
            } else if let size = Self.byteUnits[numerator] {
                steps = Self.bytes.map { ($0.0, $0.1) }; toBase = size; self.rest = rest; spaced = true
            } else if unit == "%" || unit == "x" || unit == "×" {
                steps = [("", 1)]; toBase = 1; self.rest = unit; spaced = false
            } else {
                // Counts and rates: `1.2G instructions`, `850k ops/s`; a bare count is just `1.2G`.
                steps = [("", 1), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
                toBase = 1
                self.rest = unit.isEmpty || unit == "count" ? "" : " " + unit
                spaced = false
            }
        }
    }
}

extension HumanUnits {
    /// Whether `unit` measures time (`ns`, `µs`, `ms`, `s`, also per operation, as `ns/op`): a
    /// larger value of it is slower, which messages say in those words.
    public static func measuresTime(_ unit: String) -> Bool {
        let numerator = unit.firstIndex(of: "/").map { String(unit[..<$0]) } ?? unit
        return Ladder.timeUnits[numerator] != nil
    }
}
