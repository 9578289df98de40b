@testable import BenchBot
import Testing

/// The series names the text readers join from a benchmark's name and a suffix are the strings `+` joins.
@Suite("parser speed: names joined in one allocation")
struct TextConcatenationTests {
    static let parts = [
        "", "a", ".l1_accesses", ".bytes_per_op", "bench_case_12345", "BenchmarkCase1/n=2-2", "é", "名前", "e\u{301}", "\u{301}",
        String(repeating: "x", count: 15), String(repeating: "y", count: 16), String(repeating: "z", count: 300),
    ]

    @Test("TextBytes.concatenated(head, tail) is head + tail, byte for byte, short or long, ASCII or not")
    func concatenated() {
        for head in Self.parts {
            for tail in Self.parts {
                let joined = TextBytes.concatenated(head, tail)
                #expect(joined == head + tail, "\(head.debugDescription) + \(tail.debugDescription)")
                #expect(Array(joined.utf8) == Array((head + tail).utf8), "\(head.debugDescription) + \(tail.debugDescription)")
                #expect(joined.count == (head + tail).count, "\(head.debugDescription) + \(tail.debugDescription)")
            }
        }
    }
}
