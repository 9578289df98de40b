@testable import BenchBot
import Foundation
import Testing

/// iai-callgrind's byte lane reads the lines it takes as the reader does without it.
@Suite("iai-callgrind: the byte lane agrees with the line reader")
struct IaiCallgrindBytesTests {
    private static let context = FormatContext(file: "f", format: .iaiCallgrind)

    private static let fixtures = ["iai-callgrind/first-run.from-docs.txt", "iai-callgrind/second-run-regressed.from-docs.txt",
                                   "iai-callgrind/tools.from-docs.txt", "iai-callgrind/before-0.8.from-docs.txt", "iai-callgrind/failure.from-docs.txt"]

    /// Comparison blocks, a `## Total` after per-process parts, a thousands separator and a rate, as 0.16 prints them.
    private static let handMade = """
        bench::group::first case_1:8
          Instructions:                 1,812|1,811            (+0.0552%) [+1.00055x]
          L1 Hits:                       1104|N/A             (*********)
          I1 Miss Rate:               0.25000|0.25000         (No change)
          Comparison with second case_1:8
          Instructions:                   900|1812            (-50.3%) [-2.0x]
          L1 Hits:                        700|1104            (-36.6%) [-1.5x]
        bench::group::second case_2
          ======= CALLGRIND ====================================================
          ## pid: 4001 part: 1 thread: 1   |N/A
          Instructions:                    10|N/A             (*********)
          ## Total
          Instructions:                    12|N/A             (*********)
          L1 Hits:                         14|N/A             (*********)
        Iai-Callgrind result: Ok. 2 without regressions; 0 regressed; 2 benchmarks finished in 1.0s

        """

    /// Headers the lane reads and headers it leaves to the reader: no id, only args, a description
    /// over two lines, spaces at the end, marks and letters beyond ASCII, a tab, a path ending in a
    /// colon, one module path for several blocks, and a block with no metrics.
    private static let headers = """
        bench::group::first
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
          L1 Hits:                       1104|N/A             (*********)
        bench::group::first :8\u{20}\u{20}
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
          L1 Hits:                       1104|N/A             (*********)
        bench::group::first case_1:a long
        description, over two lines
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
          L1 Hits:                       1104|N/A             (*********)
        bench::group::first  case_2 : 8 :9
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::group::first case_3:\u{301}x
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::group::first \u{301}case_4:x
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::grüp::first case_5:é
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::group::first\tcase_6:8
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::group:: case_7
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        bench::group::second case_1:8
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
          L1 Hits:                       1104|N/A             (*********)
        bench::group::second case_2:8
        bench::group::second case_3:8
          Instructions:                 1812|1811            (+0.0552%) [+1.00055x]
        Iai-Callgrind result: Ok. 9 without regressions; 0 regressed; 9 benchmarks finished in 1.0s

        """

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("the real outputs and mutations of them: the same results, warnings and failures, or the same error")
    func agreesWithLineReader() async throws {
        let seeds = try Self.fixtures.map { try FormatTests.fixture($0) } + [Data(Self.handMade.utf8), Data(Self.headers.utf8)]
        let outcome = await ByteReaderOracle.check(
            seeds: seeds, cases: 3000,
            withShortcut: { data in
                ByteReaderOracle.answer { () throws(FormatError) in try IaiCallgrindFormat.parse(Self.text(data), Self.context, fastLane: true) }
            },
            oracle: { data in
                ByteReaderOracle.answer { () throws(FormatError) in try IaiCallgrindFormat.parse(Self.text(data), Self.context, fastLane: false) }
            },
            answers: { Self.lanedLines(Self.text($0)) > 0 })
        #expect(outcome.disagreement == nil, "\(outcome.disagreement ?? "")")
        #expect(outcome.answered > 100, "the lane read lines of \(outcome.answered) of \(outcome.checked)")
        // The lane reads the metric lines of every block after the first (whose labels it learns): otherwise this test would check little.
        #expect(Self.lanedLines(Self.text(try FormatTests.fixture("iai-callgrind/first-run.from-docs.txt"))) >= 10)
        #expect(Self.lanedLines(Self.handMade) >= 6)
        #expect(Self.lanedLines(Self.headers) >= 10)
    }

    /// How many lines of `text` the lane read.
    private static func lanedLines(_ text: String) -> Int {
        var reader = IaiCallgrindReader(context: context)
        var laned = 0
        for (index, line) in text.outputLines.enumerated() {
            do throws(FormatError) {
                if try reader.readFast(line, number: index + 1) { laned += 1; continue }
                try reader.read(line: line, number: index + 1)
            } catch {
                return laned
            }
        }
        return laned
    }
}
