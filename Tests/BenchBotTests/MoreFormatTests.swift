@testable import BenchBot
import Compare
import Foundation
import Testing

/// The formats of github-action-benchmark's custom JSON, Bencher's BMF, Catch2, benchmark.js and
/// Julia BenchmarkTools: values, units, directions and names from real or documented outputs.
@Suite("More benchmark formats")
struct MoreFormatTests {
    static func parse(_ format: BenchmarkFormat, _ fixture: String) throws -> ParsedOutput {
        try format.parse(try FormatTests.fixture("\(format == .gabCustomBigger ? "gab-custom" : format.rawValue)/\(fixture)"), file: fixture)
    }

    static func series(_ output: ParsedOutput) -> [String: BenchmarkResult] {
        Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) })
    }

    @Test("gab-custom: each entry's value as written, smaller is better, units kept as the user wrote them")
    func gabCustomSmaller() throws {
        let output = try Self.parse(.gabCustom, "smaller.from-docs.json")
        let results = Self.series(output)
        #expect(results.keys.sorted() == ["Parse config - CPU Load", "Parse config - Memory Used", "Parse config - wall time"])
        #expect(results["Parse config - CPU Load"]?.unit == "Percent" && results["Parse config - CPU Load"]?.samples == [42.5])
        #expect(results["Parse config - Memory Used"]?.unit == "Megabytes" && results["Parse config - Memory Used"]?.samples == [118])
        #expect(results["Parse config - wall time"]?.samples == [1847.38] && results["Parse config - wall time"]?.unit == "ns")
        #expect(output.results.allSatisfy { $0.direction == .lowerIsBetter })
        #expect(output.warnings.isEmpty, "\(output.warnings)")
    }

    @Test("gab-custom-bigger: the same file read as customBiggerIsBetter")
    func gabCustomBigger() throws {
        let output = try Self.parse(.gabCustomBigger, "bigger.from-docs.json")
        #expect(output.results.map(\.displayName) == ["Requests served", "Cache hit rate"])
        #expect(output.results.allSatisfy { $0.direction == .higherIsBetter })
        #expect(output.results[0].samples == [18250.5] && output.results[0].unit == "req/s")
        #expect(output.warnings.isEmpty, "\(output.warnings)")
    }

    @Test("gab-custom: a rate read as smaller-is-better is stored as asked, with a warning naming gab-custom-bigger")
    func gabCustomDirectionWarning() throws {
        let output = try BenchmarkFormat.gabCustom.parse(Data(#"[{"name": "x", "unit": "ops/sec", "value": 5}]"#.utf8), file: "c.json")
        #expect(output.results.first?.direction == .lowerIsBetter)
        #expect(output.warnings.count == 1 && output.warnings[0].contains("--format gab-custom-bigger"), "\(output.warnings)")
    }

    @Test("bencher-json: built-in measures' units and directions, other measures by their slug, value as the one sample")
    func bencherJSON() throws {
        let output = try Self.parse(.bencherJSON, "metrics.from-docs.json")
        let results = Self.series(output)
        #expect(results.keys.sorted() == ["/bin/sh -c ./build.sh.build-time", "bench_binary.file-size", "parse_small", "parse_small.throughput",
                                          "sort::unstable", "sort::unstable.instructions"])
        #expect(results["parse_small"]?.unit == "ns" && results["parse_small"]?.samples == [88.0] && results["parse_small"]?.direction == .lowerIsBetter)
        #expect(results["parse_small.throughput"]?.unit == "ops/s" && results["parse_small.throughput"]?.direction == .higherIsBetter)
        #expect(results["/bin/sh -c ./build.sh.build-time"]?.unit == "s" && results["bench_binary.file-size"]?.unit == "B")
        #expect(results["sort::unstable.instructions"]?.samples == [40123] && results["sort::unstable.instructions"]?.unit == "instructions")
        #expect(output.warnings.isEmpty, "\(output.warnings)")
        let custom = try BenchmarkFormat.bencherJSON.parse(Data(#"{"a": {"cache-misses": {"value": 7}}, "b": {"cache-misses": {"value": 9}}}"#.utf8), file: "b.json")
        #expect(custom.results.map(\.unit) == ["cache-misses", "cache-misses"] && custom.warnings.count == 1, "\(custom.warnings)")
    }

    @Test("catch2 XML, v2 (real) and v3 (documented): the mean in ns per benchmark, named test case/section/benchmark")
    func catch2XML() throws {
        let v2 = Self.series(try Self.parse(.catch2, "xml.2.13.10.xml"))
        #expect(v2.keys.sorted() == ["Fibonacci/fib 10", "Fibonacci/fib 20", "Vectors <&> \"quoted\"/push_back 1000", "Vectors <&> \"quoted\"/reserve then push 1000"])
        #expect(v2["Fibonacci/fib 10"]?.samples == [243.149] && v2["Fibonacci/fib 20"]?.samples == [30816.8])
        #expect(v2["Vectors <&> \"quoted\"/push_back 1000"]?.samples == [1003.33])
        #expect(v2.values.allSatisfy { $0.unit == "ns" && $0.direction == .lowerIsBetter })
        let v3 = Self.series(try Self.parse(.catch2, "xml-v3.from-docs.xml"))
        #expect(v3["Fibonacci/fib 20"]?.samples == [30911.4] && v3["Fibonacci/memoized/fib 20"]?.samples == [14.2] && v3.count == 2)
    }

    @Test("catch2 console, v2 (real) and v3 (documented): the mean converted to ns, the same names as the XML")
    func catch2Console() throws {
        let v2 = Self.series(try Self.parse(.catch2, "console.2.13.10.txt"))
        #expect(v2.keys.sorted() == ["Fibonacci/fib 10", "Fibonacci/fib 20", "Vectors <&> \"quoted\"/push_back 1000", "Vectors <&> \"quoted\"/reserve then push 1000"])
        #expect(v2["Fibonacci/fib 10"]?.samples == [242.899])
        #expect(abs(v2["Fibonacci/fib 20"]!.samples[0] - 1_433_660) < 1e-6)
        #expect(abs(v2["Vectors <&> \"quoted\"/push_back 1000"]!.samples[0] - 1047.9) < 1e-9)
        let noAnalysis = Self.series(try Self.parse(.catch2, "no-analysis.2.13.10.txt"))
        #expect(noAnalysis.count == 4 && abs(noAnalysis["Fibonacci/fib 20"]!.samples[0] - 633_261) < 1e-6)
        let v3 = Self.series(try Self.parse(.catch2, "console-v3.from-docs.txt"))
        #expect(v3.count == 2 && abs(v3["Fibonacci/fib 20"]!.samples[0] - 30911.4) < 1e-6 && v3["Fibonacci/memoized/fib 20"]?.samples == [14.2])
    }

    @Test("catch2: sections, a long name the console wraps, and one benchmark name in two test cases give the same names from both reporters")
    func catch2Sections() throws {
        let expected = ["Other/fib 8", "Strings/fib/fib 8", "Strings/short/concatenate two short strings and then measure how long the whole thing takes"]
        let console = Self.series(try Self.parse(.catch2, "sections.2.13.10.txt"))
        let xml = Self.series(try Self.parse(.catch2, "sections.2.13.10.xml"))
        #expect(console.keys.sorted() == expected && xml.keys.sorted() == expected)
        #expect(console["Strings/short/concatenate two short strings and then measure how long the whole thing takes"]?.samples == [27.177])
        #expect(console["Other/fib 8"]?.samples == [150.501] && xml["Other/fib 8"]?.samples.count == 1)
    }

    @Test("catch2: a benchmark that threw and the benchmarks of a failed test case are failures; the rest are stored", arguments: ["failing.2.13.10.txt", "failing.2.13.10.xml"])
    func catch2Failures(fixture: String) throws {
        let output = try Self.parse(.catch2, fixture)
        #expect(output.results.map(\.displayName) == ["Good/fib 15"])
        let failures = Dictionary(uniqueKeysWithValues: output.failures.map { ($0.benchmark, $0.reason) })
        #expect(failures.keys.sorted() == ["Fails after/fib 12", "Throws/throwing"])
        #expect(failures["Throws/throwing"]?.contains("boom") == true)
        #expect(failures["Fails after/fib 12"]?.contains("fib(3) == 3") == true, "\(failures)")
    }

    @Test("catch2 XML: a failed assertion fails the test case's benchmarks only when Catch2 says the test case failed ([!shouldfail])",
          arguments: [("true", ["t/b", "u/c"], [String]()), ("false", ["u/c"], ["its test case t failed: REQUIRE( 1 == 2 ) at x.cpp:3"])])
    func catch2ShouldFail(success: String, stored: [String], reasons: [String]) throws {
        let xml = #"<Catch name="x"><TestCase name="t" tags="[!shouldfail]"><BenchmarkResults name="b" samples="2"><mean value="5"/></BenchmarkResults>"#
            + #"<Expression success="false" type="REQUIRE" filename="x.cpp" line="3"><Original>1 == 2</Original><Expanded>1 == 2</Expanded></Expression>"#
            + #"<OverallResult success="\#(success)"/></TestCase><TestCase name="u"><BenchmarkResults name="c"><mean value="7"/></BenchmarkResults>"#
            + #"<OverallResult success="true"/></TestCase><OverallResultsCases successes="1" failures="0"/></Catch>"#
        let output = try BenchmarkFormat.catch2.parse(Data(xml.utf8), file: "x.xml")
        #expect(output.results.map(\.displayName) == stored && output.failures.map(\.reason) == reasons)
    }

    @Test("benchmark-js (real, Debian's node-benchmark 2.1.4): the mean rate in ops/s, higher is better; a thrown benchmark is a failure")
    func benchmarkJS() throws {
        let output = try Self.parse(.benchmarkJS, "suite.2.1.4.txt")
        let results = Self.series(output)
        #expect(results.keys.sorted() == ["RegExp#test", "String#indexOf", "fib(10)", "fib(20)"])
        #expect(results["fib(10)"]?.samples == [12285] && results["fib(20)"]?.samples == [60.32] && results["String#indexOf"]?.samples == [813_354])
        #expect(results.values.allSatisfy { $0.unit == "ops/s" && $0.direction == .higherIsBetter })
        #expect(output.failures.map(\.benchmark) == ["throws"])
    }

    @Test("julia-benchmarktools: every sample of each Trial in ns, memory and allocs, group keys as the name's path")
    func juliaTrials() throws {
        let results = Self.series(try Self.parse(.juliaBenchmarkTools, "suite.from-docs.json"))
        #expect(results.count == 9)
        #expect(results["trig/(\"sin\", 0.5)"]?.samples == [6.125, 6.084, 6.167, 6.084, 6.25, 6.125])
        #expect(results["trig/(\"cos\", 0.5)"]?.samples.count == 5 && results["trig/(\"cos\", 0.5)"]?.unit == "ns")
        #expect(results["utf8/join"]?.samples == [521.05, 518.42, 1771.58, 519.47])
        #expect(results["utf8/join.memory"]?.samples == [160] && results["utf8/join.memory"]?.unit == "B")
        #expect(results["utf8/join.allocs"]?.samples == [3] && results["utf8/join.allocs"]?.unit == "allocs")
        let estimates = Self.series(try Self.parse(.juliaBenchmarkTools, "estimate.from-docs.json"))
        #expect(estimates["fib/10"]?.samples == [246.04] && estimates["fib/20"]?.samples == [31028.0] && estimates.count == 6)
    }

    @Test("bad input names the file, the format and the field or line", arguments: [
        (BenchmarkFormat.gabCustom, #"[{"name": "a", "unit": "ms"}]"#, "f: gab-custom: [0].value: missing"),
        (.gabCustom, #"[{"name": "a", "unit": "m\u001bs", "value": 1}]"#, "f: gab-custom: [0].unit: holds a control character"),
        (.gabCustomBigger, #"[{"name": "a", "unit": "x", "value": 1}, {"name": "a", "unit": "x", "value": 2}]"#, "f: gab-custom-bigger: a: appears twice"),
        (.bencherJSON, #"{"a": {"latency": {"value": "x"}}}"#, "f: bencher-json: [\"a\"][\"latency\"].value: is a string"),
        (.bencherJSON, #"{"": "x"}"#, "f: bencher-json: [\"\"]: is a string, expected an object"),
        (.bencherJSON, #"{"a": {}}"#, "f: bencher-json: [\"a\"]: holds no measures"),
        (.bencherJSON, #"{"a": {"latency": {"value": -1}}}"#, "f: bencher-json: a sample 1: is a negative time"),
        (.catch2, #"<Catch name="x"><TestCase name="t"><BenchmarkResults name="b" samples="1"></BenchmarkResults><OverallResult success="true"/></TestCase><OverallResultsCases successes="1"/></Catch>"#,
         "f: catch2: line 1: benchmark b has no <mean> and no <failed>"),
        (.catch2, #"<Catch name="x"><TestCase name="t"><BenchmarkResults name="b"><mean value="1"/></BenchmarkResults></TestCase></Catch>"#,
         "f: catch2: -: ends without Catch2's <OverallResultsCases> totals"),
        (.catch2, "-------------------------------------------------------------------------------\nT\n-------------------------------------------------------------------------------\nx.cpp:1\n...............................................................................\n\nbenchmark name                       samples       iterations    estimated\n-------------------------------------------------------------------------------\nb                                               10             1     1.0 ms \n===============================================================================\ntest cases: 1 | 1 passed\n",
         "f: catch2: line 10: benchmark T/b has no mean before the totals"),
        (.benchmarkJS, "a x 1,000 ops/sec \u{B1}1.00% (many runs sampled)\n", "f: benchmark-js: line 1: mentions ops/sec but is not a whole"),
        (.juliaBenchmarkTools, #"[{"Julia": "1.10", "BenchmarkTools": "1.5"}, [["TrialJudgement", {}]]]"#, "f: julia-benchmarktools: [1][0]: is a TrialJudgement"),
        (.juliaBenchmarkTools, #"[{"Julia": "1.10", "BenchmarkTools": "1.5"}, [["Trial", {"times": [1]}]]]"#, "f: julia-benchmarktools: [1][0]: is a Trial outside any BenchmarkGroup"),
        (.juliaBenchmarkTools, #"[{"Julia": "1.10", "BenchmarkTools": "1.5"}, [["BenchmarkGroup", {"data": {"x": ["Trial", {"times": [1, null], "memory": 0, "allocs": 0}]}}]]]"#,
         #"f: julia-benchmarktools: [1][0][1].data["x"][1].times[1]: is null"#),
    ])
    func badInput(format: BenchmarkFormat, text: String, expected: String) {
        #expect { try format.parse(Data(text.utf8), file: "f") } throws: { error in
            "\(error)".hasPrefix(expected) || { Issue.record("got: \(error)"); return false }()
        }
    }

    @Test("each new format recognizes its own outputs and none of the others'")
    func recognition() throws {
        let fixtures: [(BenchmarkFormat, String)] = [
            (.gabCustom, "gab-custom/smaller.from-docs.json"), (.gabCustom, "gab-custom/bigger.from-docs.json"),
            (.bencherJSON, "bencher-json/metrics.from-docs.json"),
            (.catch2, "catch2/xml.2.13.10.xml"), (.catch2, "catch2/console.2.13.10.txt"), (.catch2, "catch2/xml-v3.from-docs.xml"),
            (.catch2, "catch2/console-v3.from-docs.txt"), (.catch2, "catch2/failing.2.13.10.txt"),
            (.benchmarkJS, "benchmark-js/suite.2.1.4.txt"),
            (.juliaBenchmarkTools, "julia-benchmarktools/suite.from-docs.json"), (.juliaBenchmarkTools, "julia-benchmarktools/estimate.from-docs.json"),
            (.benchbotJSON, "google-benchmark.json"), (.benchbotJSON, "hyperfine.json"), (.benchbotJSON, "go-test.txt"), (.benchbotJSON, "pytest-benchmark.json"),
        ]
        let recognizers: [(BenchmarkFormat, (FormatProbe) -> Bool)] = [
            (.gabCustom, GabCustomFormat.recognizes), (.bencherJSON, BencherJSONFormat.recognizes), (.catch2, Catch2Format.recognizes),
            (.benchmarkJS, BenchmarkJSFormat.recognizes), (.juliaBenchmarkTools, JuliaBenchmarkToolsFormat.recognizes),
        ]
        for (owner, path) in fixtures {
            let probe = FormatProbe(try FormatTests.fixture(path))
            for (format, recognizes) in recognizers {
                #expect(recognizes(probe) == (format == owner), "\(format.rawValue) on \(path)")
            }
        }
    }
}
