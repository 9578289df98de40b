import Compare
import Testing

@Suite("Human units")
struct HumanUnitsTests {
    @Test("times move between ns, µs, ms and s, to three significant digits", arguments: [
        (6.51e7, "ns", "65.1 ms"), (812_000, "ns", "812 µs"), (1_234_567_890, "ns", "1.23 s"), (999.6, "us", "1 ms"),
        (12, "ns", "12 ns"), (0.5, "ns", "0.5 ns"), (0.0042, "s", "4.2 ms"), (250, "ns/op", "250 ns/op"),
        (25_000, "ns/iter", "25 µs/iter"), (1.5, "ms", "1.5 ms"), (0, "ns", "0 ns"), (-3_000_000, "ns", "−3 ms"),
    ])
    func times(value: Double, unit: String, shown: String) {
        #expect(HumanUnits.format(value, unit: unit) == shown)
    }

    @Test("bytes take binary steps; counts and rates take k, M and G", arguments: [
        (2048, "B", "2 KiB"), (3_145_728, "B/op", "3 MiB/op"), (512, "B", "512 B"),
        (1.2e9, "instructions", "1.2G instructions"), (600, "instructions", "600 instructions"), (4e7, "count", "40M"),
        (850_000, "ops/s", "850k ops/s"), (12.5, "%", "12.5%"), (1_000_000, "", "1M"), (123_456, "compares/op", "123k compares/op"),
    ])
    func countsAndBytes(value: Double, unit: String, shown: String) {
        #expect(HumanUnits.format(value, unit: unit) == shown)
    }

    @Test("one scale for a plot: its largest value picks the step, every value is shown in it")
    func plotScale() {
        let scale = HumanUnits(unit: "ns", values: [11_500_000, 24_500_000, 900_000])
        #expect(scale.unit == "ms" && scale.divisor == 1e6)
        #expect(scale.number(900_000) == "0.9" && scale.format(24_500_000) == "24.5 ms")
        let counts = HumanUnits(unit: "instructions", values: [6e8, 1.2e9])
        #expect(counts.unit == "G instructions" && counts.number(6e8) == "0.6")
        #expect(HumanUnits(unit: "ns", values: []).unit == "ns" && HumanUnits(unit: "ns", values: [Double.nan]).number(.nan) == "–")
    }

    @Test("no exponent in the range measurements take; never a trap beyond it", arguments: [1e-9, 3.14159e-5, 0.999_95, 99_999.5, 7.77e14])
    func noExponent(value: Double) {
        let shown = HumanUnits.format(value, unit: "widgets")
        #expect(shown.hasSuffix(" widgets") && !shown.dropLast(8).contains("e"), "\(shown)")
        #expect(HumanUnits.format(value * 1e90, unit: "ns").hasSuffix(" s") && HumanUnits.format(value * 1e-90, unit: "s").hasSuffix(" ns"))
    }
}

@Suite("Human units: time")
struct HumanUnitsTimeTests {
    @Test("times, also per operation, are told apart from counts, bytes and rates")
    func measuresTime() {
        #expect(["ns", "us", "µs", "ms", "s", "ns/op", "ns/iter"].allSatisfy(HumanUnits.measuresTime))
        #expect(!["", "count", "instructions", "B", "B/op", "ops/s", "%", "nsec"].contains(where: HumanUnits.measuresTime))
    }
}
