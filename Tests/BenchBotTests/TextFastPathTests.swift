@testable import BenchBot
import Compare
import Foundation
import Testing

/// The text readers' byte paths (lines taken apart by bytes, without `Substring`s) give what
/// their `Substring` paths give, which stay the rule: the same results, failures and warnings,
/// or the same error, on the real fixtures, on lines at the edges of each byte path, and on
/// fuzzed variants of all of them.
@Suite("parser speed: byte paths give what the Substring paths give")
struct TextFastPathTests {
    /// The formats with a byte path, and the `Substring` path to hold it to.
    static let formats: [BenchmarkFormat] = [.goTest, .goTestJSON, .cargoBench, .iai]

    /// Lines at the edges of the byte paths: Unicode at a line's ends, tabs, `\r\n`, numbers
    /// past 15 digits, separators, exponents, fields out of place.
    static let edges: [String: [String]] = [
        "go-test": [
            "pkg: a\nBenchmarkA-2   \t 1000\t 104.28571428571429 ns/op\t 16 B/op\t 1 allocs/op\nBenchmarkA-2   \t 1000\t 1e3 ns/op\n"
                + "Benchmarkb-2 \t 1000\t 5 ns/op\nBenchmark\u{C9}-2 \t 10\t 5 ns/op\nBenchmarkC-2\t 10\t NaN ns/op\t\nBenchmarkD-2\t10\t5 ns/op \n"
                + "BenchmarkE-2\t10\t5 ns/op\r\nBenchmarkF \t10\t5  ns/op\nBenchmarkG/x=\u{E9}-2\t 10\t 5 ns/op\t 7 my units\nBenchmark\t 10\t 5 ns/op\n"
                + "BenchmarkH-2 x\t 10\t 5 ns/op\nBenchmarkI-2\t 1 0\t 5 ns/op\nBenchmarkJ-2\t 10\t -0.5 ns/op\t 12345678901234567890 B/op\nPASS\nok  \ta\t1.0s\n",
            "BenchmarkA-2\t1000\t5 ns/op\n",
            "goos: linux\nBenchmarkA-2\n   log\nBenchmarkA-2 \t 1000\t 5 ns/op\nBenchmarkA-2 \t 1000\t 5 ns/op\t 1.5 compares/op\n--- FAIL: BenchmarkB-2\nPASS\n",
            "pkg: a\nBenchmarkA-2 \t 1000\t 5 ns/op\nPASS\nok  \ta\t1.0s\npkg: b\nBenchmarkA-2 \t 1000\t 6 ns/op\nBenchmarkA-2 \t 1000\t 7 ns/op\nPASS\nok  \tb\t1.0s\n",
        ],
        "go-test-json": [
            event("output", "pkg: a\n") + event("output", "BenchmarkA-2   \t") + event("output", " 1000\t 10.5 ns/op\t 16 B/op\n")
                + event("output", "BenchmarkB-2 \t 1000\t 20 ns/op\r\n") + event("output", "BenchmarkC-2 \t 1000\t 3") + event("output", "0 ns/op\r")
                + event("output", "\nBenchmarkD-2 \t 10\t 5 ns/op\nBench") + event("output", "markE-2 \t 10\t 6 ns/op") + event("pass", nil),
            event("output", "BenchmarkA-2 \t 1000\t 10.5 ns/op\n") + event("output", "BenchmarkA-2 \t 1000\t 11"),
            event("output", "BenchmarkA-2 \t 1000\t 10.5 ns/op\n") + event("output", "BenchmarkA-2 \t 1000\t 11") + event("output", " ns/op\r\nPASS")
                + event("output", "\n") + event("pass", nil),
            event("output", "BenchmarkA-2 \t 1000\t 10.5 ns/op\n") + event("output", "PASS\n") + event("pass", nil) + "{\"Action\":\"output\",\"Package\":\"a\"",
        ],
        "cargo-bench": [
            "running 3 tests\ntest a ... bench:   1,234 ns/iter (+/- 5)\ntest b\u{A0} ... bench: 2 ns/iter (+/- 1)\u{3000}\n"
                + "test c ... bench:  104.28571428571429 ns/iter (+/- 1) = 12.5 MB/s\ntest  d  ... bench: 1e3 ns/iter\r\n"
                + "\ttest é ... bench: 7 ns/iter (+/- 0) = 1,2 MB/s\ntest f ... bench: x ns/iter\ntest result: ok. 0 passed\n",
            "test a ... bench: 1 ns/iter\ntest a ... bench: 2 ns/iter\n",
            "test a ... bench: 1 ns/iter (+/- 1) = x MB/s\n",
            "test a ... bench:\ntest b ... bench: 5 us/iter\ntest  ... bench: 5 ns/iter\n",
            "running 1 test\ntest a ... FAILED\ntest b ... bench: 12345678901234567890 ns/iter\n",
            "running 2 tests\ntest a ... bench: 1,234.5 ns/iter (+/- 5) = 1,200 MB/s\ntest b ... bench: 104.28571428571429 ns/iter\ntest result: ok.\n",
            // The space of `test ` begins a ` ... `: the separator is looked for after it (this crashed the Substring path).
            "test ... bench: 5 ns/iter (+/- 1)\n",
            "running 1 test\ntest ... bench: 5 ns/iter\ntest a ... bench: 6 ns/iter\ntest result: ok.\n",
        ],
        "iai": [
            "a\n  Instructions: 1\n  L1 Accesses: 2\n  L2 Accesses: 3\n  RAM Accesses: 4\n  Estimated Cycles: 5\n"
                + "b\u{301}\n  Instructions: 1.5\n  L1 Accesses: 2e3\n  L2 Accesses: 3\u{A0}\n  RAM Accesses:\t4\n  Estimated Cycles: 5 (+1%)\n",
            "a\n  L1 Accesses: 2\n",
            "a\n  Instructions: 1\n  L1 Accesses: 2\n  L2 Accesses: 3\n  RAM Accesses: 4\n  Estimated Cycles: 5\n\nb\n  Instructions: 10 (+1.5%)\n"
                + "  L1 Accesses: 20\n  L2 Accesses: 30\n  RAM Accesses: 40\n  Estimated Cycles: 50\n",
            "a\n  Instructions: 1\r\n  L1 Accesses: x\n",
            "a\n\tInstructions: 1\n b\n  Instructions: 1\n",
            "a\n  Instructions: 1\nb\n",
            "a\n  Instructions: 1\n  L1 Accesses: 2\n  L2 Accesses: 3\n  RAM Accesses: 4\n  Estimated Cycles: 5\n"
                + "a\n  Instructions: 1\n",
        ],
    ]

    /// A test2json event line of package `a`.
    static func event(_ action: String, _ output: String?) -> String {
        let text = output.map { ",\"Output\":\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "\"" } ?? ""
        return "{\"Time\":\"2026-12-01T21:45:15Z\",\"Action\":\"\(action)\",\"Package\":\"a\"\(text)}\n"
    }

    /// The real outputs in the format's fixture folder, its fuzz seeds and its edge cases.
    static func seeds(_ format: BenchmarkFormat) throws -> [Data] {
        let folder = FuzzCorpus.folder.appending(path: format.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let fixtures = try files.map { try Data(contentsOf: URL(fileURLWithPath: folder.appending(path: $0))) }
        return fixtures + (FuzzCorpus.formatSeeds[format.rawValue] ?? []) + (edges[format.rawValue] ?? []).map { Data($0.utf8) }
    }

    /// What one path makes of a text: every field, samples by their bits (a NaN equals itself), or the error.
    static func read(_ format: BenchmarkFormat, _ data: Data, byteLines: Bool) -> String {
        let text = String(decoding: data, as: UTF8.self)
        let context = FormatContext(file: "f", format: format)
        do {
            let output: ParsedOutput = switch format {
            case .goTest: try GoTestFormat.parse(text, context, byteLines: byteLines)
            case .goTestJSON: try GoTestJSONFormat.parse(data, context, byteLines: byteLines)
            case .cargoBench: try CargoBenchFormat.parse(text, context, byteLines: byteLines)
            case .iai: try IaiFormat.parse(text, context, byteLines: byteLines)
            default: throw context.error("-", "no byte path")
            }
            let results = output.results.map { result in
                "\(result.benchmark) \(result.parameters.sorted { $0.key < $1.key }) \(result.unit) \(result.direction) "
                    + "\(result.samples.map(\.bitPattern)) \(String(describing: result.rounds))"
            }
            return (results + output.failures.map { "failure \($0.benchmark): \($0.reason)" } + output.warnings.map { "warning \($0)" })
                .joined(separator: "\n")
        } catch {
            return "error \(error)"
        }
    }

    @Test("the real fixtures and the edge cases read the same both ways", arguments: formats)
    func fixtures(_ format: BenchmarkFormat) throws {
        let seeds = try Self.seeds(format)
        #expect(seeds.count >= 5)
        for seed in seeds {
            let fast = Self.read(format, seed, byteLines: true)
            #expect(fast == Self.read(format, seed, byteLines: false), "\(String(decoding: seed, as: UTF8.self).prefix(300).debugDescription)")
        }
        // The edge cases reach both outcomes: some are read, some refused.
        let outcomes = (Self.edges[format.rawValue] ?? []).map { Self.read(format, Data($0.utf8), byteLines: true).hasPrefix("error ") }
        #expect(outcomes.contains(true) && outcomes.contains(false))
    }

    @Test("a number read from bytes is the double DecimalLiteral reads from its text, past 15 digits too")
    func numbersFromBytes() {
        var random = SplitMix64(state: 0x7E47_4E55)
        var texts = TextNumberTests.texts + ["104.28571428571429", "0.30000000000000004", "9999999999999999999", "1234567890123456.7",
                                             "0.000000000000000000000000001", "0.0000000000000000000000000001", "1,234.5", "-1,2,3.4,5"]
        for _ in 0..<50_000 {
            let digits = String(UInt64.random(in: 0...UInt64.max, using: &random)).prefix(Int.random(in: 1...19, using: &random))
            let point = Int.random(in: 0...digits.count, using: &random)
            let text = point == digits.count ? String(digits) : digits.prefix(point) + "." + digits.dropFirst(point)
            texts.append(Bool.random(using: &random) ? "-" + text : text)
        }
        for text in texts {
            for separator in [nil, UInt8(ascii: ",")] {
                var bytes = text
                let read = bytes.withUTF8 { TextNumber.number($0, ignoring: separator) }
                let expected = DecimalLiteral.number(Substring(text), ignoring: separator)
                #expect(read?.bitPattern == expected?.bitPattern, "\(text.debugDescription): \(String(describing: read)), expected \(String(describing: expected))")
            }
        }
    }

    @Test("fuzzed variants of them read the same both ways", arguments: formats)
    func fuzzed(_ format: BenchmarkFormat) async throws {
        let seeds = try Self.seeds(format)
        let corpus = FuzzCorpus.all
        await FuzzRun("byte-path-\(format.rawValue)", defaultCases: 1500, suiteFilter: "TextFastPathTests").run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(seeds, random: &random), corpus: corpus, random: &random)
            let fast = Self.read(format, input, byteLines: true), slow = Self.read(format, input, byteLines: false)
            try fuzzCheck(fast == slow, "the byte path gave\n\(fast.prefix(2000))\nthe Substring path\n\(slow.prefix(2000))", input: input)
            return input.count
        }
    }
}
