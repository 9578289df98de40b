@testable import BenchBot
import Compare
import Foundation
import Testing

/// Checks a format's byte reader against the reader it shortcuts, which stays the oracle: on the
/// format's real fixtures and on mutations of them (``FuzzMutator``), the format's parse with the
/// byte reader gives the oracle's results, or the oracle's error word for word.
enum ByteReaderOracle {
    /// A reader's answer, with an error as its message: two readers agree when these are equal.
    typealias Answer = Result<ParsedOutput, FormatError>

    /// What one run of the check found.
    struct Outcome {
        /// Inputs the byte reader answered itself (rather than handing them to the oracle).
        var answered = 0
        var checked = 0
        /// The first disagreement, with the input.
        var disagreement: String?
    }

    static func answer(_ read: () throws(FormatError) -> ParsedOutput) -> Answer {
        do { return .success(try read()) } catch { return .failure(error) }
    }

    static func same(_ left: Answer, _ right: Answer) -> Bool {
        switch (left, right) {
        case (.success(let a), .success(let b)): a == b
        case (.failure(let a), .failure(let b)): a.description == b.description
        default: false
        }
    }

    /// Runs `withShortcut` and `oracle` on every seed and on `cases` mutations of them, on a
    /// thread of its own (``OwnThread``). `answers` says whether the byte reader read an input itself.
    static func check(seeds: [Data], cases: Int, seed: UInt64 = 0x7E47_2B17_E5A1_0001,
                      withShortcut: @escaping (Data) -> Answer, oracle: @escaping (Data) -> Answer,
                      answers: @escaping (Data) -> Bool) async -> Outcome {
        await OwnThread.run { compare(seeds: seeds, cases: cases, seed: seed, withShortcut: withShortcut, oracle: oracle, answers: answers) }
    }

    private static func compare(seeds: [Data], cases: Int, seed: UInt64,
                                withShortcut: (Data) -> Answer, oracle: (Data) -> Answer, answers: (Data) -> Bool) -> Outcome {
        var outcome = Outcome()
        var random = SplitMix64(state: seed)
        let inputs = seeds + (0..<cases).map { _ in FuzzMutator.mutate(seeds.randomElement(using: &random)!, corpus: seeds, random: &random) }
        for input in inputs {
            outcome.checked += 1
            if answers(input) { outcome.answered += 1 }
            let fast = withShortcut(input), slow = oracle(input)
            if !same(fast, slow) {
                outcome.disagreement = "with the shortcut: \(fast)\noracle: \(slow)\ninput: \(String(decoding: input.prefix(600), as: UTF8.self).debugDescription)"
                break
            }
        }
        return outcome
    }
}
