@testable import BenchBot
import Compare
import Foundation
import Testing

/// criterion, package-benchmark, JMH and BenchmarkDotNet, on the fixtures listed in `Fixtures/formats/SOURCES.md`.
@Suite("Benchmark output formats: criterion, package-benchmark, JMH, BenchmarkDotNet")
struct ToolFormatTests {
    static var fixtures: String {
        ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/formats")
    }

    func series(_ results: [BenchmarkResult]) -> [String: BenchmarkResult] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.displayName, $0) })
    }

    func parse(_ format: BenchmarkFormat, _ fixture: String) throws -> [String: BenchmarkResult] {
        series(try format.parse(contentsOf: (Self.fixtures as NSString).appendingPathComponent(fixture)).results)
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }

    @Test("criterion: each sample's time per iteration is a sample; the input is a parameter")
    func criterion() throws {
        let results = try parse(.criterion, "criterion")
        #expect(results.keys.sorted() == ["fib 15", "sort/unstable[input=4096]", "sort/unstable[input=64]"])
        let small = try #require(results["sort/unstable[input=64]"])
        #expect(small.samples.count == 10 && small.unit == "ns" && small.direction == .lowerIsBetter)
        #expect(abs(small.samples[0] - 5_376_205.0 / 8310.0) < 1e-9)
        // criterion's own median estimate (656.17 ns, bootstrapped) sits among the samples it came from.
        #expect(abs(median(small.samples) - 656.17) / 656.17 < 0.05)
    }

    @Test("criterion: a folder without sample.json falls back to the median estimate; damage is named")
    func criterionFallbackAndDamage() async throws {
        try await withTemporaryDirectory { root in
            let copy = root.appending(path: "criterion")
            try FileManager.default.copyItem(atPath: (Self.fixtures as NSString).appendingPathComponent("criterion"), toPath: copy)
            try FileManager.default.removeItem(atPath: copy.appending(path: "fib 15/new/sample.json"))
            let fib = try #require(series(try BenchmarkFormat.criterion.parse(contentsOf: copy).results)["fib 15"])
            #expect(fib.samples.count == 1 && fib.samples[0] > 1000)

            let sample = copy.appending(path: "sort/unstable/64/new/sample.json")
            try Data("{\"sampling_mode\":\"Linear\",\"iters\":[8310.0,166".utf8).write(to: URL(fileURLWithPath: sample))
            #expect { try BenchmarkFormat.criterion.parse(contentsOf: copy) } throws: { error in
                "\(error)".hasPrefix("\(sample): criterion: line 1:") || { Issue.record("got: \(error)"); return false }()
            }
            try Data(#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[5.0]}"#.utf8).write(to: URL(fileURLWithPath: sample))
            #expect { try BenchmarkFormat.criterion.parse(contentsOf: copy) } throws: { error in
                "\(error)".contains("sort/unstable/64/new/sample.json: has 2 iters but 1 times") || { Issue.record("got: \(error)"); return false }()
            }
            let empty = root.appending(path: "empty")
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            #expect { try BenchmarkFormat.criterion.parse(contentsOf: empty) } throws: { error in
                "\(error)".hasPrefix("\(empty): criterion: -: has no */new/benchmark.json") || { Issue.record("got: \(error)"); return false }()
            }
        }
    }

    @Test("package-benchmark: histograms become every recorded value, per metric, with tags as parameters")
    func packageBenchmark() throws {
        let results = try parse(.packageBenchmark, "package-benchmark.json")
        #expect(results.count == 9)
        let wall = try #require(results["Sorting/sort[size=4096]"])
        #expect(wall.samples.count == 50 && wall.unit == "ns" && wall.direction == .lowerIsBetter)
        // The file's own min and max, 129,976 and 221,729 ns, within HdrHistogram's three digits.
        #expect(abs(wall.samples.min()! - 129_976) / 129_976 < 0.001)
        #expect(abs(wall.samples.max()! - 221_729) / 221_729 < 0.001)
        #expect(results["Sorting/sort.mallocCountTotal[size=4096]"]?.samples == Array(repeating: 6, count: 50))
        let throughput = try #require(results["Sorting/string-join.throughput"])
        #expect(throughput.unit == "ops/s" && throughput.direction == .higherIsBetter)
    }

    @Test("JMH: forks' iterations are samples; params, secondary metrics, ops/ms and sample-mode histograms")
    func jmh() throws {
        let results = try parse(.jmh, "jmh.from-docs.json")
        let sort = try #require(results["org.example.bench.SortBenchmark.sortArray[mode=avgt,size=1000]"])
        #expect(sort.samples == [41.312, 40.877, 41.094, 42.005, 41.731, 41.588] && sort.unit == "us")
        #expect(results["org.example.bench.SortBenchmark.sortArray.gc.alloc.rate.norm[mode=avgt,size=1000]"]?.unit == "B")
        #expect(results["org.example.bench.SortBenchmark.sortArray.gc.count[mode=avgt,size=1000]"]?.unit == "count")
        #expect(results["org.example.bench.SortBenchmark.sortArray.gc.alloc.rate[mode=avgt,size=1000]"]?.direction == .higherIsBetter)
        let lookup = try #require(results["org.example.bench.MapBenchmark.lookup[mode=thrpt]"])
        #expect(lookup.unit == "ops/s" && lookup.direction == .higherIsBetter && lookup.samples[0] == 20_412_700)
        let insert = try #require(results["org.example.bench.MapBenchmark.insert[mode=sample]"])
        #expect(insert.samples.count == 6)
        #expect(abs(insert.samples[0] - (118.0 * 9000 + 121 * 800 + 250 * 12) / 9812) < 1e-9)
    }

    @Test("JMH as package-benchmark exports it: its units are understood")
    func jmhFromPackageBenchmark() throws {
        let results = try parse(.jmh, "jmh-package-benchmark.json")
        #expect(results.count == 9)
        #expect(results.values.allSatisfy { $0.samples.count == 50 })
        // "# / s", "μs" and "#" are package-benchmark's spellings of ops/s, us and count.
        #expect(Set(results.values.map(\.unit)) == ["ops/s", "us", "count"])
        #expect(results["package.benchmark.Sorting.sort_(size:_64)[mode=thrpt]"]?.direction == .higherIsBetter)
        #expect(results["package.benchmark.Sorting.sort_(size:_64).Time (wall clock)[mode=thrpt]"]?.samples.count == 50)
    }

    @Test("BenchmarkDotNet: OriginalValues are samples, Parameters split, allocations a series; brief files fall back to measurements")
    func benchmarkDotNet() throws {
        let results = try parse(.benchmarkDotNet, "benchmarkdotnet.from-docs.json")
        #expect(Set(results.keys) == ["Md5VsSha256.Md5.allocated[N=1000]", "Md5VsSha256.Md5[N=1000]", "Md5VsSha256.Sha256.allocated[N=1000]",
                                      "Md5VsSha256.Sha256.allocated[N=10000]", "Md5VsSha256.Sha256[N=10000]", "Md5VsSha256.Sha256[N=1000]"])
        let sha = try #require(results["Md5VsSha256.Sha256[N=1000]"])
        #expect(sha.samples.count == 15 && sha.samples[0] == 3512.31 && sha.unit == "ns")
        #expect(results["Md5VsSha256.Sha256.allocated[N=1000]"]?.samples == [112])

        var document = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: (Self.fixtures as NSString).appendingPathComponent("benchmarkdotnet.from-docs.json"))))
        guard case .object(var top) = document, case .array(var benchmarks)? = top["Benchmarks"], case .object(var first) = benchmarks[0] else {
            Issue.record("fixture shape changed")
            return
        }
        first["Statistics"] = .object(["N": .number(15)])
        benchmarks[0] = .object(first)
        top["Benchmarks"] = .array(benchmarks)
        document = .object(top)
        let fallback = series(try BenchmarkFormat.benchmarkDotNet.parse(document.prettyPrinted(), file: "brief.json").results)
        let measured = try #require(fallback["Md5VsSha256.Sha256[N=1000]"])
        #expect(zip(measured.samples, sha.samples).allSatisfy { abs($0 - $1) < 1e-6 } && measured.samples.count == 15)

        first["Statistics"] = .null
        first["Measurements"] = .array([])
        benchmarks[0] = .object(first)
        top["Benchmarks"] = .array(benchmarks)
        #expect { try BenchmarkFormat.benchmarkDotNet.parse(JSONValue.object(top).prettyPrinted(), file: "failed.json") } throws: { error in
            "\(error)" == "failed.json: benchmarkdotnet: Benchmarks[0].Statistics: is missing: the benchmark failed to run (see BenchmarkDotNet's log)"
        }

        // Before 0.10 the export held statistics only: each median is one sample, with one warning.
        first["Statistics"] = .object(["N": .number(20), "Median": .number(10360382.6953125), "Mean": .number(10362283.1)])
        first.removeValue(forKey: "Measurements")
        benchmarks[0] = .object(first)
        top["Benchmarks"] = .array(benchmarks)
        let old = try BenchmarkFormat.benchmarkDotNet.parse(JSONValue.object(top).prettyPrinted(), file: "old.json")
        #expect(series(old.results)["Md5VsSha256.Sha256[N=1000]"]?.samples == [10360382.6953125])
        #expect(old.warnings.count == 1 && old.warnings[0].hasPrefix("old.json: Md5VsSha256.Sha256[N=1000]: the export holds statistics only"), "\(old.warnings)")
    }

    @Test("bad input names the file, the format and the field", arguments: [
        (BenchmarkFormat.jmh, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"rawData\": [[1.0, \"x\"]]}}]",
         "x.json: jmh: [0].primaryMetric.rawData[0][1]: is a string"),
        (.jmh, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"score\": 3}}]",
         "x.json: jmh: [0].primaryMetric: has neither rawData nor rawDataHistogram"),
        (.jmh, "[{\"benchmark\": \"a.B.c\", \"primaryMetric\": {\"scoreUnit\": \"furlongs/op\", \"rawData\": [[1, \"x\"]]}}]",
         "x.json: jmh: [0].primaryMetric.rawData[0][1]: is a string"),
        (.jmh, "[{\"benchmark\": \"a.B.c\", \"primaryMetric\": {\"scoreUnit\": \"ns/op\", \"rawData\": [[-4]]}}]",
         "x.json: jmh: a.B.c sample 1: is a negative time"),
        (.benchmarkDotNet, "{\"benchmarks\": []}", "x.json: benchmarkdotnet: Benchmarks: missing; is this really benchmarkdotnet output?"),
        (.packageBenchmark, "{\"results\": [{\"target\": \"T\", \"name\": \"n\"}]}", "x.json: package-benchmark: results: has 1 items"),
        (.packageBenchmark, "{\"results\": [{\"target\": \"T\", \"name\": \"n\"}, [{\"metric\": {\"wallClock\": {}}, \"statistics\": {\"histogram\": " +
         "{\"counts\": [0, 2], \"subBucketHalfCountMagnitude\": 10, \"unitMagnitude\": 0, \"_totalCount\": 3}}}]]}",
         "x.json: package-benchmark: results[1][0].statistics.histogram._totalCount: is 3 but the counts add up to 2"),
        (.packageBenchmark, "{\"results\": [{\"target\": \"T\", \"name\": \"n\"}, [{\"metric\": {\"teleportations\": {}}, \"statistics\": {}}]]}",
         "x.json: package-benchmark: results[1][0].metric: 'teleportations' is a metric BenchBot does not know"),
    ])
    func badInput(format: BenchmarkFormat, text: String, expected: String) {
        #expect { try format.parse(Data(text.utf8), file: "x.json") } throws: { error in
            "\(error)".hasPrefix(expected) || { Issue.record("got: \(error)"); return false }()
        }
    }

    @Test("one tool's real output read as another's format is refused")
    func wrongFormat() throws {
        let jmh = (Self.fixtures as NSString).appendingPathComponent("jmh.from-docs.json")
        let dotnet = (Self.fixtures as NSString).appendingPathComponent("benchmarkdotnet.from-docs.json")
        #expect(throws: FormatError.self) { try BenchmarkFormat.jmh.parse(contentsOf: dotnet) }
        #expect(throws: FormatError.self) { try BenchmarkFormat.benchmarkDotNet.parse(contentsOf: jmh) }
        #expect(throws: FormatError.self) { try BenchmarkFormat.packageBenchmark.parse(contentsOf: jmh) }
        #expect(throws: FormatError.self) { try BenchmarkFormat.criterion.parse(contentsOf: jmh) }
        #expect(throws: FormatError.self) { try BenchmarkFormat.jmh.parse(contentsOf: (Self.fixtures as NSString).appendingPathComponent("criterion")) }
    }
}
