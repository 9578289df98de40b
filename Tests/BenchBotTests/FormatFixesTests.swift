@testable import BenchBot
import Compare
import Foundation
import Testing

/// Custom units and directions, tool-marked failures, and the layouts and names issue 17 found
/// refused or merged: each on the tools' real outputs where they could be generated.
@Suite("Benchmark formats: custom units, failures, names and old layouts")
struct FormatFixesTests {
    static let fixtures = ToolFormatTests.fixtures

    func parse(_ format: BenchmarkFormat, _ fixture: String) throws -> ParsedOutput {
        try format.parse(contentsOf: (Self.fixtures as NSString).appendingPathComponent(fixture))
    }

    func series(_ results: [BenchmarkResult]) -> [String: BenchmarkResult] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.displayName, $0) })
    }

    @Test("a custom unit is kept as given, its direction guessed with a one-line warning; a given direction is not a guess")
    func customUnit() throws {
        let document = #"{"benchmarks": [{"name": "sort", "parameters": {"n": 8}, "unit": "compares/op", "samples": [31, 30]},"#
            + #" {"name": "rate", "unit": "frames/s", "samples": [60]}, {"name": "told", "unit": "widgets", "direction": "higher_is_better", "samples": [3]}]}"#
        let parsed = try BenchmarkFormat.benchbotJSON.parse(Data(document.utf8), file: "r.json")
        let results = series(parsed.results)
        #expect(results["sort[n=8]"]?.unit == "compares/op" && results["sort[n=8]"]?.direction == .lowerIsBetter)
        #expect(results["rate"]?.direction == .higherIsBetter && results["told"]?.direction == .higherIsBetter)
        #expect(parsed.warnings == [
            "r.json: unit 'compares/op' of sort[n=8]: guessed lower is better; if not, set it with --direction 'sort[n=8]=higher' (\"directions\" in a command experiment's config)",
            "r.json: unit 'frames/s' of rate: guessed higher is better; if not, set it with --direction 'rate=lower' (\"directions\" in a command experiment's config)",
        ])
    }

    @Test("JMH: a unit it cannot convert is kept, with a guessed direction and a warning")
    func jmhCustomUnit() throws {
        let text = #"[{"benchmark": "a.B.c", "mode": "avgt", "primaryMetric": {"scoreUnit": "clks/insn", "rawData": [[1.5, 1.25]]}}]"#
        let parsed = try BenchmarkFormat.jmh.parse(Data(text.utf8), file: "j.json")
        #expect(parsed.results.map(\.displayName) == ["a.B.c[mode=avgt]"] && parsed.results[0].unit == "clks/insn")
        #expect(parsed.warnings.count == 1 && parsed.warnings[0].hasPrefix("j.json: unit 'clks/insn' of a.B.c[mode=avgt]: guessed lower is better"))
    }

    @Test("direction overrides: names, display names and globs; the exact name wins, then the longest glob; the guess's warning goes")
    func directionOverrides() throws {
        let overrides = try DirectionOverrides(arguments: ["*=lower", "sort[n=8]=higher", "BM_*.items_per_second=lower", "BM_*=higher"])
        func result(_ name: String, _ parameters: [String: String] = [:]) -> BenchmarkResult {
            BenchmarkResult(benchmark: name, parameters: parameters, unit: "compares/op", direction: .lowerIsBetter, samples: [1])
        }
        #expect(overrides.direction(for: result("sort", ["n": "8"])) == .higherIsBetter)
        #expect(overrides.direction(for: result("sort", ["n": "9"])) == .lowerIsBetter)
        #expect(overrides.direction(for: result("BM_x", ["arg0": "1"])) == .higherIsBetter)
        #expect(overrides.direction(for: result("BM_x.items_per_second")) == .lowerIsBetter)
        #expect(globMatches("a?c*", "abcdef") && !globMatches("a?c", "abcd"))
        #expect(globMatches("x[n=*]", "x[n=8]") && !globMatches("x[n=*]", "xn"))

        let document = #"{"benchmarks": [{"name": "sort", "parameters": {"n": 8}, "unit": "compares/op", "samples": [31]}, {"name": "other", "unit": "hops", "samples": [1]}]}"#
        let parsed = try BenchmarkFormat.benchbotJSON.parse(Data(document.utf8), file: "r.json")
        let applied = try DirectionOverrides(arguments: ["sort[n=8]=higher"]).apply(to: parsed)
        #expect(applied.results[0].direction == .higherIsBetter && applied.results[1].direction == .lowerIsBetter)
        #expect(applied.warnings.count == 1 && applied.warnings[0].contains(" of other: guessed"))
    }

    @Test("bad --direction arguments are refused with the fix", arguments: [
        ("sort", "expected PATTERN=higher or PATTERN=lower"),
        ("sort=up", "'up' is not a direction; use higher or lower"),
        ("=higher", "the pattern is empty"),
    ])
    func badDirectionArguments(argument: String, expected: String) {
        #expect { try DirectionOverrides(arguments: [argument]) } throws: { error in
            "\(error)".contains(expected) || { Issue.record("got: \(error)"); return false }()
        }
        #expect(throws: DirectionOverrides.Problem.self) { try DirectionOverrides(arguments: ["a=higher", "a=lower"]) }
    }

    @Test("Google Benchmark (real 1.7.1 output): SkipWithError runs are failures with the tool's reason; the rest are stored")
    func googleBenchmarkErrors() throws {
        let parsed = try parse(.googleBenchmark, "google-benchmark/errors.1.7.1.json")
        #expect(Set(series(parsed.results).keys) == ["BM_Sum[arg0=8]", "BM_Sum[arg0=512]", "BM_Open[arg0=16]"])
        #expect(parsed.results.allSatisfy { $0.samples.count == 3 })
        #expect(parsed.failures == [BenchmarkFailure(benchmark: "BM_Open[arg0=4096]", reason: "input too large for the fixture"),
                                    BenchmarkFailure(benchmark: "BM_Broken", reason: "could not open data.bin")])
        #expect { try parse(.googleBenchmark, "google-benchmark/all-failed.1.7.1.json") } throws: { error in
            "\(error)".hasSuffix("google-benchmark: -: every benchmark failed; BM_Broken: could not open data.bin")
                || { Issue.record("got: \(error)"); return false }()
        }
    }

    @Test("Google Benchmark: --benchmark_report_aggregates_only stores each median as one sample, with one warning; fixtures' methods stay in the name")
    func googleBenchmarkAggregatesOnlyAndFixtures() throws {
        func entry(_ run: String, _ aggregate: String, _ time: Double, rate: Double? = nil) -> String {
            #"{"name": "\#(run)_\#(aggregate)", "family_index": 0, "per_family_instance_index": 0, "run_name": "\#(run)", "run_type": "aggregate", "repetitions": 3, "#
                + #""threads": 1, "aggregate_name": "\#(aggregate)", "aggregate_unit": "time", "iterations": 3, "real_time": \#(time), "cpu_time": \#(time), "#
                + #""time_unit": "ns"\#(rate.map { ", \"items_per_second\": \($0)" } ?? "")}"#
        }
        let fixture = "Int8Fixture<Int32Type>/ConvertToCOO"
        let entries = [entry(fixture, "mean", 88519.5, rate: 1000), entry(fixture, "median", 88572.8, rate: 1100), entry(fixture, "stddev", 841.1),
                       entry(fixture, "cv", 0.0095), entry("BM_Sum/8", "mean", 12.5), entry("BM_Sum/8", "stddev", 0.5)]
        let text = #"{"context": {"library_build_type": "release"}, "benchmarks": ["# + entries.joined(separator: ", ") + "]}"
        let parsed = try BenchmarkFormat.googleBenchmark.parse(Data(text.utf8), file: "agg.json")
        #expect(parsed.results.map(\.displayName) == ["Int8Fixture<Int32Type>/ConvertToCOO", "Int8Fixture<Int32Type>/ConvertToCOO.items_per_second", "BM_Sum[arg0=8]"])
        #expect(parsed.results.map(\.samples) == [[88572.8], [1100], [12.5]])
        #expect(parsed.warnings.count == 1 && parsed.warnings[0].hasPrefix("agg.json: \(fixture) and 1 more have only aggregates (--benchmark_report_aggregates_only)"),
                "\(parsed.warnings)")
        // With repetitions, aggregates stay summaries, and no warning.
        let repetition = #"{"name": "BM_Sum/8", "run_name": "BM_Sum/8", "run_type": "iteration", "repetitions": 2, "repetition_index": 0, "iterations": 9, "real_time": 12, "cpu_time": 12, "time_unit": "ns"}"#
        let mixed = #"{"benchmarks": ["# + [repetition, repetition, entry("BM_Sum/8", "median", 12)].joined(separator: ", ") + "]}"
        let full = try BenchmarkFormat.googleBenchmark.parse(Data(mixed.utf8), file: "m.json")
        #expect(full.results.map(\.samples) == [[12, 12]] && full.warnings.isEmpty)
        #expect(GoogleBenchmarkFormat.split("Fixture<int>/Method/8/threads:2").0 == "Fixture<int>/Method")
        #expect(GoogleBenchmarkFormat.split("Fixture<int>/Method/8/threads:2").1 == ["arg0": "8", "threads": "2"])
        #expect(GoogleBenchmarkFormat.split("BM_x/-1/real_time").0 == "BM_x" && GoogleBenchmarkFormat.split("BM_x/-1/real_time").1 == ["arg0": "-1", "arg1": "real_time"])
        #expect(GoogleBenchmarkFormat.split("BM_x/n:8").0 == "BM_x")
    }

    @Test("JMH: one benchmark run in two modes (-bm thrpt,avgt) is two series, the mode a parameter")
    func jmhTwoModes() throws {
        let results = series(try parse(.jmh, "jmh-modes/two-modes.from-docs.json").results)
        let throughput = try #require(results["org.example.bench.ParseBenchmark.parseJson[document=small,mode=thrpt]"])
        let average = try #require(results["org.example.bench.ParseBenchmark.parseJson[document=small,mode=avgt]"])
        #expect(throughput.unit == "ops/s" && throughput.direction == .higherIsBetter && throughput.samples.count == 6)
        #expect(abs(throughput.samples[0] - 812_400) < 1e-6)
        #expect(average.unit == "us" && average.direction == .lowerIsBetter && average.samples == [1.231, 1.244, 1.236, 1.252, 1.229, 1.240])
    }

    @Test("BenchmarkDotNet: one method in two jobs (runtimes) is two series, the job a readable parameter")
    func benchmarkDotNetJobs() throws {
        let results = series(try parse(.benchmarkDotNet, "benchmarkdotnet-jobs/two-runtimes.from-docs.json").results)
        #expect(Set(results.keys) == [
            "Md5VsSha256.Sha256[N=1000,job=.NET 8.0]", "Md5VsSha256.Sha256[N=1000,job=.NET 6.0]",
            "Md5VsSha256.Sha256.allocated[N=1000,job=.NET 8.0]", "Md5VsSha256.Sha256.allocated[N=1000,job=.NET 6.0]",
            "Md5VsSha256.Md5[N=1000,job=Runtime=.NET 8.0, Toolchain=net8.0]", "Md5VsSha256.Md5[N=1000,job=Runtime=.NET 6.0, Toolchain=net6.0]",
            "Md5VsSha256.Md5.allocated[N=1000,job=Runtime=.NET 8.0, Toolchain=net8.0]", "Md5VsSha256.Md5.allocated[N=1000,job=Runtime=.NET 6.0, Toolchain=net6.0]",
        ])
        #expect(results["Md5VsSha256.Sha256[N=1000,job=.NET 6.0]"]?.samples == [3612.5, 3620.1, 3608.8, 3615.0, 3611.3])
        // DefaultJob, the one job of most files, adds no parameter.
        #expect(try parse(.benchmarkDotNet, "benchmarkdotnet.from-docs.json").results.allSatisfy { $0.parameters["job"] == nil })
    }

    @Test("package-benchmark: a thresholds file is refused, saying what it is and what to pass", arguments: [
        "package-benchmark-thresholds/Sorting.sort.p90.from-docs.json", "package-benchmark-thresholds/Sorting.string-join.p90-range.from-docs.json",
    ])
    func packageBenchmarkThresholds(fixture: String) throws {
        #expect { try parse(.packageBenchmark, fixture) } throws: { error in
            let text = "\(error)"
            return (text.contains("package-benchmark: -: is a package-benchmark thresholds file") && text.contains("results.json")
                && text.contains("--format jmh")) || { Issue.record("got: \(error)"); return false }()
        }
        // --format auto says the same, not that it cannot tell; an object of other numbers is no thresholds file.
        let data = try #require(FileManager.default.contents(atPath: (Self.fixtures as NSString).appendingPathComponent(fixture)))
        #expect { try BenchmarkFormat.recognize(FormatProbe(data), file: "t.json") } throws: { error in
            "\(error)".hasPrefix("t.json: package-benchmark: -: is a package-benchmark thresholds file") || { Issue.record("got: \(error)"); return false }()
        }
        #expect { try BenchmarkFormat.recognize(FormatProbe(Data(#"{"a": 1, "b": 2}"#.utf8)), file: "o.json") } throws: { error in
            "\(error)".contains("cannot tell its format") || { Issue.record("got: \(error)"); return false }()
        }
    }

    @Test("criterion before 0.3: sample.json as [iters, times], estimates by Median, and the oldest layout without benchmark.json")
    func criterionPre03() throws {
        let modern = series(try parse(.criterion, "criterion-pre-0.3.from-docs/0.2").results)
        let stable = try #require(modern["sort/stable[input=64]"])
        #expect(stable.samples.count == 10 && abs(stable.samples[0] - 83.1) < 1e-9 && stable.unit == "ns")
        let oldest = try parse(.criterion, "criterion-pre-0.3.from-docs/0.1/.criterion").results
        #expect(oldest.map(\.displayName) == ["fib 20"] && oldest[0].samples.count == 8 && abs(oldest[0].samples[0] - 21012) < 1e-6)

        try withTemporaryFolderCopy("criterion-pre-0.3.from-docs/0.1/.criterion") { copy in
            try FileManager.default.removeItem(atPath: copy.appending(path: "fib 20/new/sample.json"))
            let fallback = try BenchmarkFormat.criterion.parse(contentsOf: copy).results
            // The estimate written before 0.3 is keyed `Median`.
            #expect(fallback.count == 1 && fallback[0].samples.count == 1 && abs(fallback[0].samples[0] - 21006.95) < 1e-6)
            try Data("[[1, 2], [3, 4], [5]]".utf8).write(to: URL(fileURLWithPath: copy.appending(path: "fib 20/new/sample.json")))
            #expect { try BenchmarkFormat.criterion.parse(contentsOf: copy) } throws: { error in
                "\(error)".contains("sample.json: has 3 arrays") || { Issue.record("got: \(error)"); return false }()
            }
        }
    }

    @Test("pytest-benchmark (real 3.0 to 5.2 output): tests of one function name in two classes or modules are apart, named by node ID",
          arguments: ["3.0.0", "3.2.3", "3.4.1", "4.0.0", "5.2.3"])
    func pytestCollisions(version: String) throws {
        let parsed = try parse(.pytestBenchmark, "pytest-benchmark/collisions.\(version).json")
        let results = series(parsed.results)
        // pytest-benchmark 3.0 writes no `params`, so its parameter is the bracketed id.
        let sum = version == "3.0.0" ? "id" : "size"
        #expect(Set(results.keys) == ["tests/test_shapes.py::TestList::test_sort", "tests/test_shapes.py::TestTuple::test_sort",
                                      "tests/test_shapes.py::test_sum[\(sum)=10]", "tests/test_shapes.py::test_sum[\(sum)=1000]",
                                      "tests/test_shapes.py::test_join", "tests/test_text.py::test_join"])
        // Every round, as the file's own stats count them.
        let document = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: (Self.fixtures as NSString).appendingPathComponent("pytest-benchmark/collisions.\(version).json"))))
        guard case .array(let benchmarks)? = document["benchmarks"] else { Issue.record("no benchmarks"); return }
        for case .object(let benchmark) in benchmarks {
            guard case .string(let full)? = benchmark["fullname"], case .number(let rounds)? = benchmark["stats"]?["rounds"],
                  case .number(let median)? = benchmark["stats"]?["median"] else { Issue.record("fixture shape"); continue }
            let name = full.replacingOccurrences(of: "::()::", with: "::")
            let parts = name.dropLast(name.hasSuffix("]") ? 1 : 0).split(separator: "[", maxSplits: 1).map(String.init)
            let display = parts.count == 2 ? "\(parts[0])[\(sum)=\(parts[1])]" : name
            let result = try #require(results[display])
            #expect(Double(result.samples.count) == rounds && result.unit == "s")
            let sorted = result.samples.sorted()
            let ours = sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
            #expect(abs(ours - median) / median < 0.001)
        }
        #expect(parsed.warnings.isEmpty)
    }

    @Test("pytest-benchmark: a saved file without rounds (real 5.2.3 --benchmark-save) stores each median as one sample, and says so")
    func pytestStatsOnly() throws {
        let parsed = try parse(.pytestBenchmark, "pytest-benchmark/stats-only.5.2.3.json")
        #expect(parsed.results.count == 6 && parsed.results.allSatisfy { $0.samples.count == 1 && $0.samples[0] > 0 })
        #expect(parsed.warnings.count == 1 && parsed.warnings[0].contains("6 benchmark(s) have no rounds (stats.data)")
            && parsed.warnings[0].contains("--benchmark-save-data"))
    }

    @Test("a command experiment's message says each failure and warning once over its launches, and at most five warnings")
    func reportedByTool() {
        var reported = ReportedByTool()
        let warnings = (1...7).map { "w\($0)" }
        for _ in 0..<2 {
            reported.add(ParsedOutput(results: [], failures: [BenchmarkFailure(benchmark: "BM_a", reason: "oom")], warnings: warnings))
        }
        #expect(reported.warnings == warnings)
        #expect(reported.shownWarnings == ["w1", "w2", "w3", "w4", "w5", "and 2 more warning(s) in the run's status (run.json)"])
        #expect(reported.failureMessage(kept: 4) == "1 benchmark(s) failed: BM_a: oom; the other 4 result(s) are kept")
        #expect(ReportedByTool().failureMessage(kept: 4) == nil)
    }

    func withTemporaryFolderCopy(_ fixture: String, _ body: (String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-format-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let copy = root.appending(path: "copy")
        try FileManager.default.copyItem(atPath: (Self.fixtures as NSString).appendingPathComponent(fixture), toPath: copy)
        try body(copy)
    }
}
