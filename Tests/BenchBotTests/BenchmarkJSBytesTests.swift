@testable import BenchBot
import Foundation
import Testing

/// benchmark-js's byte reader answers as its line reader does, wherever it answers at all.
@Suite("benchmark-js: the byte reader agrees with the line reader")
struct BenchmarkJSBytesTests {
    private static let context = FormatContext(file: "f", format: .benchmarkJS)

    private static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("the real output and mutations of it: the same results, or the line reader's error")
    func agreesWithLineReader() async throws {
        let seeds = [
            try FormatTests.fixture("benchmark-js/suite.2.1.4.txt"),
            Data("a x 1,234.5 ops/sec \u{B1}0.50% (92 runs sampled)\nb x 7 ops/sec \u{B1}1% (1 run sampled)\r\nFastest is a\n".utf8),
            Data("thrower: \nok x 12 ops/sec \u{B1}3.1% (9 runs sampled)\n".utf8),
        ]
        // The byte reader reads the real output itself: otherwise this test would check nothing.
        #expect(BenchmarkJSFormat.parseBytes(Self.text(seeds[0])) != nil)
        #expect(BenchmarkJSFormat.parseBytes(Self.text(seeds[1])) != nil)
        let outcome = await ByteReaderOracle.check(
            seeds: seeds, cases: 3000,
            withShortcut: { data in ByteReaderOracle.answer { () throws(FormatError) in try BenchmarkJSFormat.parse(Self.text(data), Self.context) } },
            oracle: { data in ByteReaderOracle.answer { () throws(FormatError) in try BenchmarkJSFormat.parseLines(Self.text(data), Self.context) } },
            answers: { BenchmarkJSFormat.parseBytes(Self.text($0)) != nil })
        #expect(outcome.disagreement == nil, "\(outcome.disagreement ?? "")")
        #expect(outcome.answered > 100, "the byte reader answered \(outcome.answered) of \(outcome.checked)")
    }

    @Test("lines the byte reader leaves to the line reader: it does not answer for them")
    func leavesOddLines() {
        let odd = [
            "a x 1e3 ops/sec \u{B1}0.5% (9 runs sampled)\n",   // a number Double reads but the byte reader does not
            "a x 1 ops/sec \u{B1}0.5% (9 runs sampled)",       // no newline at the end
            "\u{0600}: \na x 1 ops/sec \u{B1}0.5% (9 runs sampled)\n",   // a failure's name ending beyond ASCII
            "a x 1 ops/sec\n",
        ]
        for text in odd { #expect(BenchmarkJSFormat.parseBytes(text) == nil, "\(text.debugDescription)") }
    }
}
