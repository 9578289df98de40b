@testable import BenchBot
import Compare
import Foundation
import Testing

@Suite("Benchmark output formats")
struct FormatTests {
    static func fixture(_ name: String) throws -> Data {
        var folder = #filePath
        folder = (folder as NSString).deletingLastPathComponent
        return try Data(contentsOf: URL(fileURLWithPath: folder.appending(path: "Fixtures/formats/\(name)")))
    }

    func series(_ results: [BenchmarkResult]) -> [String: BenchmarkResult] {
        Dictionary(uniqueKeysWithValues: results.map { ($0.displayName, $0) })
    }

    @Test("Google Benchmark: repetitions are samples, aggregates are skipped, arguments are parameters")
    func googleBenchmark() throws {
        let results = series(try BenchmarkFormat.googleBenchmark.parse(try Self.fixture("google-benchmark.json"), file: "gb.json").results)
        #expect(results.keys.sorted() == ["BM_Copy", "BM_Sum.items_per_second[arg0=512]", "BM_Sum.items_per_second[arg0=8]",
                                          "BM_Sum[arg0=512]", "BM_Sum[arg0=8]"])
        let sum = try #require(results["BM_Sum[arg0=8]"])
        #expect(sum.samples.count == 3 && sum.unit == "ns" && sum.direction == .lowerIsBetter)
        #expect(results["BM_Sum.items_per_second[arg0=8]"]?.direction == .higherIsBetter)
    }

    @Test("hyperfine: one series per command with every run's time in seconds")
    func hyperfine() throws {
        let results = series(try BenchmarkFormat.hyperfine.parse(try Self.fixture("hyperfine.json"), file: "h.json").results)
        #expect(results.keys.sorted() == ["sleep 0.01", "true"])
        #expect(results["sleep 0.01"]?.samples.count == 5 && results["sleep 0.01"]?.unit == "s")
        #expect(results["sleep 0.01"]!.samples.allSatisfy { $0 >= 0.01 })
    }

    @Test("hyperfine --ignore-failure: runs that exited non-zero are stored as measured, with a warning counting them")
    func hyperfineFailedRuns() throws {
        let text = #"{"results": [{"command": "grep x f", "times": [0.1, 0.2, 0.3], "exit_codes": [0, 1, 1]}, {"command": "true", "times": [0.1], "exit_codes": [0]}]}"#
        let parsed = try BenchmarkFormat.hyperfine.parse(Data(text.utf8), file: "h.json")
        #expect(parsed.results.map(\.samples) == [[0.1, 0.2, 0.3], [0.1]])
        #expect(parsed.warnings == ["h.json: results[0] 'grep x f': 2 of 3 runs exited non-zero (hyperfine --ignore-failure); their times are stored as measured"])
    }

    @Test("pytest-benchmark: every round is a sample; params become parameters; the name is the test's node ID")
    func pytestBenchmark() throws {
        let results = series(try BenchmarkFormat.pytestBenchmark.parse(try Self.fixture("pytest-benchmark.json"), file: "p.json").results)
        #expect(results.keys.sorted() == ["test_sorting.py::test_join", "test_sorting.py::test_sorted[size=1000]", "test_sorting.py::test_sorted[size=10]"])
        #expect(results["test_sorting.py::test_sorted[size=10]"]?.samples.count == 44)
        #expect(results["test_sorting.py::test_join"]?.unit == "s")
    }

    @Test("go test -bench: -count repetitions are samples, -benchmem metrics are series, sub-benchmarks are parameters")
    func goTest() throws {
        let results = series(try BenchmarkFormat.goTest.parse(try Self.fixture("go-test.txt"), file: "go.txt").results)
        #expect(results["BenchmarkJoin[pkg=example.invalid/strs,procs=2]"]?.samples == [124.9, 106.2, 95.40])
        #expect(results["BenchmarkJoin.bytes_per_op[pkg=example.invalid/strs,procs=2]"]?.unit == "B")
        #expect(results["BenchmarkRepeat.allocs_per_op[n=512,pkg=example.invalid/strs,procs=2]"]?.samples == [1, 1, 1])
        #expect(results["BenchmarkRepeat[n=8,pkg=example.invalid/strs,procs=2]"]?.unit == "ns")
        #expect(results.count == 9)
    }

    @Test("benchbot-json: names, parameters, units, directions and samples as written")
    func benchbotJSON() throws {
        let document = #"{"benchmarks": [{"name": "parse", "parameters": {"size": 1024}, "unit": "ns", "samples": [3, 1, 2]},"# +
            #" {"name": "throughput", "unit": "ops/s", "direction": "higher_is_better", "samples": [10]}]}"#
        let results = try BenchmarkFormat.benchbotJSON.parse(Data(document.utf8), file: "r.json").results
        #expect(results.map(\.displayName) == ["parse[size=1024]", "throughput"])
        #expect(results[0].samples == [3, 1, 2] && results[1].direction == .higherIsBetter)
    }

    @Test("bad input names the file, the format and the line or field", arguments: [
        (BenchmarkFormat.googleBenchmark, "", "gb.json: google-benchmark: -: is empty"),
        (.googleBenchmark, "{\"benchmarks\": [{\"name\": \"BM_A\", \"run_type\": \"iteration\", \"real_", "gb.json: google-benchmark: line 1: "),
        (.googleBenchmark, "{\"results\": []}", "gb.json: google-benchmark: benchmarks: missing; is this really google-benchmark output?"),
        (.hyperfine, "{\"results\": [{\"command\": \"x\", \"times\": [0.1, \"oops\"]}]}", "gb.json: hyperfine: results[0].times[1]: is a string"),
        (.goTest, "BenchmarkA-2  100  NaN ns/op\nPASS\n", "gb.json: go-test: BenchmarkA[procs=2] sample 1: is nan"),
        (.goTest, "BenchmarkA-2  100  12.5\nPASS\n", "gb.json: go-test: -: holds no benchmark result lines"),
        (.benchbotJSON, "{\"benchmarks\": [{\"name\": \"a\", \"unit\": \"ns\", \"samples\": [5, -1]}]}", "gb.json: benchbot-json: a sample 2: is a negative time"),
        (.benchbotJSON, "{\"benchmarks\": [{\"name\": \"a\", \"unit\": \"furlongs per fortnight, measured by the sundial\", \"samples\": [1]}]}",
         "gb.json: benchbot-json: a: unit 'furlongs per fortnight, measured…' is 47 characters; a unit is at most 32"),
        (.benchbotJSON, "{\"benchmarks\": [{\"name\": \"a\", \"unit\": \"ns\\u001b[31m\", \"samples\": [1]}]}",
         "gb.json: benchbot-json: a: unit holds the control character U+001B"),
        (.benchbotJSON, "{\"benchmarks\": [{\"name\": \"a\", \"unit\": \"ns\", \"samples\": [1]}, {\"name\": \"a\", \"unit\": \"ns\", \"samples\": [2]}]}", "gb.json: benchbot-json: a: appears twice"),
        (.benchbotJSON, "{\"benchmarks\": [{\"name\": \"a\", \"unit\": \"ns\", \"samples\": []}]}", "gb.json: benchbot-json: a: has no samples"),
    ])
    func badInput(format: BenchmarkFormat, text: String, expected: String) {
        #expect { try format.parse(Data(text.utf8), file: "gb.json") } throws: { error in
            "\(error)".hasPrefix(expected) || { Issue.record("got: \(error)"); return false }()
        }
    }

    @Test("the published JSON Schema lists the units whose direction BenchBot knows, and the longest unit it keeps")
    func schemaMatchesValidation() throws {
        var root = #filePath
        for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
        let schema = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: root.appending(path: "Schemas/benchbot-results.schema.json"))))
        let unit = schema["properties"]?["benchmarks"]?["items"]?["properties"]?["unit"]
        guard case .array(let units)? = unit?["examples"] else {
            Issue.record("the schema has no unit examples")
            return
        }
        let listed = Set(units.compactMap { unit -> String? in if case .string(let text) = unit { text } else { nil } })
        #expect(listed == Set(ResultValidation.knownUnits.keys))
        #expect(unit?["maxLength"] == .number(Double(ResultValidation.maximumUnitLength)))
    }

    @Test("a real output parsed as the wrong format is refused, not misread")
    func wrongFormat() throws {
        #expect(throws: FormatError.self) { try BenchmarkFormat.googleBenchmark.parse(try Self.fixture("hyperfine.json"), file: "h.json") }
        #expect(throws: FormatError.self) { try BenchmarkFormat.hyperfine.parse(try Self.fixture("pytest-benchmark.json"), file: "p.json") }
        #expect(throws: FormatError.self) { try BenchmarkFormat.goTest.parse(try Self.fixture("hyperfine.json"), file: "h.json") }
    }
}
