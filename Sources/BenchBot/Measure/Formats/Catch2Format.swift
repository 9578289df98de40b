import Compare
import Foundation

/// Catch2's benchmark output, from its console reporter (the default) or its XML reporter
/// (`--reporter xml`), v2 and v3 (https://github.com/catchorg/Catch2/blob/devel/docs/benchmarks.md,
/// docs/reporters.md).
///
/// Catch2 prints a summary of each `BENCHMARK`, never its samples (not even with
/// `--benchmark-no-analysis`): the mean is stored as the benchmark's one sample, in nanoseconds
/// (the XML's unit; console durations such as `1.0479 us` are converted, since Catch2 picks the
/// unit per run and a series needs one). A benchmark is named `test case/section/…/benchmark`,
/// the same from both reporters. A benchmark that threw (`Benchmark failed (…)`, `<failed>`), and
/// every benchmark of a test case whose assertions failed, is recorded as a ``BenchmarkFailure``
/// rather than stored: the code it measured did not work. Output that ends before Catch2's
/// closing summary (`</Catch>`, `</Catch2TestRun>`, the `test cases:` totals) is refused as truncated.
enum Catch2Format {
    /// A benchmark read so far, kept until its test case says whether it passed.
    struct Measured {
        var name: String
        var meanNanoseconds: Double
    }

    /// What one test case gave: its benchmarks, those that threw, and why the test case failed, if it did.
    struct TestCase {
        var path: [String]
        var measured: [Measured] = []
        var thrown: [BenchmarkFailure] = []
        var failure: String?

        /// `test case/section/benchmark`.
        func name(_ benchmark: String) -> String { (path + [benchmark]).joined(separator: "/") }
    }

    static func parse(_ data: Data, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(data, context, scanXML: true)
    }

    /// `scanXML`: whether XML is read by ``Catch2XMLScanner`` where it can be; otherwise, and
    /// wherever the scanner does not answer, by ``parseXML(_:_:)``, the oracle it must agree with.
    static func parse(_ data: Data, _ context: FormatContext, scanXML: Bool) throws(FormatError) -> ParsedOutput {
        let first = data.first { $0 != TextBytes.space && $0 != TextBytes.newline && $0 != TextBytes.tab && $0 != TextBytes.carriageReturn }
        let cases: [TestCase]
        if first == UInt8(ascii: "<") {
            if scanXML, let scanned = Catch2XMLScanner.testCases(data) {
                cases = scanned
            } else {
                cases = try parseXML([UInt8](data), context)
            }
        } else {
            cases = try parseConsole(String(decoding: data, as: UTF8.self), context)
        }
        var output = ParsedOutput(results: [])
        // The console reporter prints a test case's header again for each section run; a failure
        // in any of them fails the test case.
        var failedCases: [String: String] = [:]
        for testCase in cases { if let failure = testCase.failure, let name = testCase.path.first { failedCases[name] = failedCases[name] ?? failure } }
        for testCase in cases {
            output.failures += testCase.thrown
            if let name = testCase.path.first, let failure = failedCases[name] {
                output.failures += testCase.measured.map { BenchmarkFailure(benchmark: $0.name, reason: "its test case \(name) failed: \(failure)") }
            } else {
                output.results += testCase.measured.map {
                    BenchmarkResult(benchmark: $0.name, unit: "ns", direction: .lowerIsBetter, samples: [$0.meanNanoseconds])
                }
            }
        }
        if output.results.isEmpty, output.failures.isEmpty {
            throw context.error("-", "holds no benchmark results; did the tests use BENCHMARK, and was Catch2 built with CATCH_CONFIG_ENABLE_BENCHMARKING (v2)?")
        }
        return output
    }

    /// The XML reporter's root element, or the console reporter's banner.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        let head = probe.text.prefix(2048)
        if head.contains("<Catch2TestRun") || head.contains("<Catch name=") { return probe.text.contains("<BenchmarkResults") }
        return (head.contains("is a Catch v2.") || head.contains("is a Catch2 v3.")) && probe.text.contains("benchmark name")
    }
}
