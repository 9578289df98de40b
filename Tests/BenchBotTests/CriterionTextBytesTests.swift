@testable import BenchBot
import Foundation
import Testing

/// criterion-text's byte reader answers as its line reader does, wherever it answers at all.
@Suite("criterion-text: the byte reader agrees with the line reader")
struct CriterionTextBytesTests {
    private static let context = FormatContext(file: "f", format: .criterionText)

    private static let fixtures = ["criterion-text/first-run.criterion-0.3.6.txt", "criterion-text/second-run.criterion-0.3.6.txt",
                                   "criterion-text/second-run.from-docs.txt", "criterion-text/panic.criterion-0.3.6.txt"]

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("the real outputs and mutations of them: the same results, or the line reader's error")
    func agreesWithLineReader() async throws {
        let seeds = try Self.fixtures.map { try FormatTests.fixture($0) } + [
            Data("     Running benches/a.rs (target/release/deps/a-0123456789abcdef)\nBenchmarking g/f/8\ng/f/8   time:   [1 ns 2.5 ns 3 ns]\n        thrpt:  [1 KiB/s 2 KiB/s 3 KiB/s]\nBenchmarking g/2: Analyzing\ng/2 time: [1 ms 2 ms 3 ms]\n".utf8),
        ]
        // The byte reader reads the real outputs itself (all but the panic, a failure): otherwise this test would check nothing.
        for seed in seeds.prefix(3) + seeds.suffix(1) { #expect(CriterionTextBytes.parse(Self.text(seed)) != nil) }
        let outcome = await ByteReaderOracle.check(
            seeds: seeds, cases: 3000,
            withShortcut: { data in ByteReaderOracle.answer { () throws(FormatError) in try CriterionTextFormat.parse(Self.text(data), Self.context) } },
            oracle: { data in ByteReaderOracle.answer { () throws(FormatError) in try CriterionTextFormat.parseLines(Self.text(data), Self.context) } },
            answers: { CriterionTextBytes.parse(Self.text($0)) != nil })
        #expect(outcome.disagreement == nil, "\(outcome.disagreement ?? "")")
        #expect(outcome.answered > 100, "the byte reader answered \(outcome.answered) of \(outcome.checked)")
    }

    @Test("output the byte reader leaves to the line reader: it does not answer for it")
    func leavesOddOutput() {
        let odd = [
            "Benchmarking a\r\u{1B}[2Ka   time:   [1 ns 2 ns 3 ns]\n",  // overwritten progress and colours
            "Benchmarking a\nthread 'main' panicked at 'boom'\n",       // a panic
            "a   time:   [1 ns 2 ns 3 ns]\na   time:   [1 ns 2 ns 3 ns]\n", // a name twice
            "Benchmarking a\n",                                             // cut while running
            "a   time:   [1 ns 1e3 ns 3 ns]\n",                             // a number beyond the byte reader
        ]
        for text in odd { #expect(CriterionTextBytes.parse(text) == nil, "\(text.debugDescription)") }
    }
}
