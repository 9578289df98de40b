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

@Suite("Noise assessment")
struct NoiseAssessmentTests {
    @Test("a quiet benchmark resolves 1%; a noisy one, or one with a single sample, does not")
    func resolution() throws {
        let quiet = NoiseAssessment(try #require(SampleSummary((0..<10).map { 100 + Double($0 % 2) * 0.1 })))
        #expect(quiet.canResolve(0.01))
        let noisy = NoiseAssessment(try #require(SampleSummary([100, 130, 90, 120, 80])))
        #expect(!noisy.canResolve(0.01))
        #expect(try #require(noisy.minimumDetectableChange) > 0.2)
        #expect(NoiseAssessment(try #require(SampleSummary([5]))).minimumDetectableChange == nil)
        #expect(!NoiseAssessment(try #require(SampleSummary([5]))).canResolve(0.5))
    }

    @Test("more samples shrink the detectable change by the square root")
    func moreSamples() throws {
        let few = NoiseAssessment(try #require(SampleSummary([10, 12, 10, 12])))
        let many = NoiseAssessment(try #require(SampleSummary(Array(repeating: [10.0, 12.0], count: 8).flatMap { $0 })))
        let ratio = try #require(few.minimumDetectableChange) / (try #require(many.minimumDetectableChange))
        // √(16/4) from the sample counts, times the ratio of the sample deviations √(4/3) / √(16/15).
        #expect(abs(ratio - 2 * (1.25).squareRoot()) < 1e-9)
    }
}
