import Compare
import Testing

@Suite("Sample summary")
struct SampleSummaryTests {
    @Test("median, mean, spread and coefficient of variation of a known sample")
    func knownValues() throws {
        let summary = try #require(SampleSummary([4, 1, 3, 2, 10]))
        #expect(summary.count == 5)
        #expect(summary.median == 3)
        #expect(summary.mean == 4)
        #expect(summary.minimum == 1 && summary.maximum == 10)
        #expect(abs(summary.standardDeviation - 12.5.squareRoot()) < 1e-12)
        #expect(abs(summary.coefficientOfVariation! - 12.5.squareRoot() / 4) < 1e-12)
        #expect(SampleSummary([1, 2, 3, 4])?.median == 2.5)
    }

    @Test("one sample has no spread; empty and non-finite samples are refused")
    func edges() {
        #expect(SampleSummary([7])?.standardDeviation == 0)
        #expect(SampleSummary([Double]()) == nil)
        #expect(SampleSummary([1, .nan]) == nil)
        #expect(SampleSummary([0, 0])?.coefficientOfVariation == nil)
    }

    @Test("variance stays exact for large values close together")
    func numericalStability() throws {
        let summary = try #require(SampleSummary([1e9 + 1, 1e9 + 2, 1e9 + 3]))
        #expect(abs(summary.standardDeviation - 1) < 1e-6)
    }
}
