@testable import BenchBot
import Foundation
import Testing

/// `--format auto` under mutated input: never a crash, never a hang, and either one format that
/// claims the content (and then reads it or refuses it by name) or an error naming the file.
@Suite("Fuzz: --format auto", .serialized)
struct FuzzRecognitionTests {
    @Test("recognising mutated outputs of every format gives one format or an error naming the file")
    func recognition() async throws {
        // Every fixture of every format, so formats added later are fuzzed here too, and the hand-made seeds.
        let fixtures = try FormatRecognitionTests.fixtures().filter { !$0.isFolder }
            .map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) }
        let corpus = FuzzCorpus.all + fixtures
        await FuzzRun("format-auto", defaultCases: 3000).run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(corpus, random: &random), corpus: corpus, random: &random)
            let probe = FormatProbe(input)
            let format: BenchmarkFormat
            do {
                format = try BenchmarkFormat.recognize(probe, file: "fuzz/input")
            } catch let error as FormatError {
                // A package-benchmark thresholds file is named for what it is, as that format refuses it.
                let cannotTell = error.format == nil && startsWith("\(error)", "fuzz/input: --format auto cannot tell its format")
                let thresholds = error.format == .packageBenchmark && error.problem == PackageBenchmarkFormat.thresholdsProblem
                    && PackageBenchmarkFormat.recognizesThresholds(probe)
                try fuzzCheck((cannotTell || thresholds) && !"\(error)".contains("\n"),
                              "an error that does not say what auto could not tell: \(error)", input: input)
                return input.count
            } catch {
                try fuzzCheck(false, "recognition threw \(error), not a FormatError", input: input)
                return input.count
            }
            let claimants = BenchmarkFormat.allCases.filter { $0.recognizes(probe) }
            try fuzzCheck(claimants == [format] && format != .relayData && !format.readsFolder,
                          "recognised as \(format.rawValue), but claimed by \(claimants.map(\.rawValue))", input: input)
            do {
                _ = try format.parse(input, file: "fuzz/input")
            } catch {
                try fuzzCheck(startsWith("\(error)", "fuzz/input: \(format.rawValue): "), "an error that names nothing: \(error)", input: input)
            }
            return input.count
        }
    }
}
