@testable import BenchBot
import Compare
import Foundation
import Testing

/// `asv` on real results files and console outputs of asv 0.5.1 and 0.6.6 (see Fixtures/formats/SOURCES.md).
@Suite("Formats: asv")
struct AsvFormatTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: "asv/\(name)")))
    }

    static func parse(_ name: String) throws -> (series: [String: BenchmarkResult], output: ParsedOutput) {
        let output = try BenchmarkFormat.asv.parse(try fixture(name), file: name)
        return (Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) }), output)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    @Test("asv 0.6 results with --record-samples: every sample, asv's median, params as parameters, null as a failure")
    func results06() throws {
        let (series, output) = try Self.parse("results.asv0.6.6.json")
        let keys = try #require(series["bench.TimeSuite.time_keys"])
        #expect(keys.samples.count == 10 && keys.unit == "s" && keys.direction == .lowerIsBetter)
        #expect(abs(Self.median(keys.samples) / 4.232350147503894e-06 - 1) < 0.001)
        let sorted = try #require(series["bench.Sorting.time_sorted[param1=100,param2=str]"])
        #expect(sorted.samples.count == 10 && abs(Self.median(sorted.samples) / 3.7453752156579868e-06 - 1) < 0.001)
        #expect(series["bench.Broken.time_sometimes[param1=1]"]?.samples.count == 10)
        #expect(series["bench.MemSuite.mem_list"]?.samples == [2104] && series["bench.MemSuite.mem_list"]?.unit == "B")
        #expect(series["bench.MemSuite.peakmem_list"]?.samples == [24764416])
        #expect(series["bench.track_compares"]?.samples == [42] && series["bench.track_ratio"]?.samples == [0.75])
        #expect(output.results.count == 11)
        #expect(output.failures.map(\.benchmark).sorted() == ["bench.Broken.time_sometimes[param1=2]", "bench.time_fails"])
        #expect(output.warnings.contains { $0.contains("param1") && $0.contains("benchmarks.json") }, "\(output.warnings)")
        #expect(output.warnings.contains { $0.contains("bench.track_compares") && $0.contains("a guess") }, "\(output.warnings)")
    }

    @Test("next to asv's benchmarks.json (results/<machine>/<file>.json), parameters take their names and track_ its unit",
          arguments: ["0.6.6", "0.5.1"])
    func resultsFolder(_ version: String) async throws {
        try await withTemporaryDirectory { root in
            let machine = root.appending(path: "results/vm")
            try FileManager.default.createDirectory(atPath: machine, withIntermediateDirectories: true)
            try Self.fixture("benchmarks.asv\(version).json").write(to: URL(fileURLWithPath: root.appending(path: "results/benchmarks.json")))
            let file = machine.appending(path: "85d003c9-existing-py.json")
            try Self.fixture("results.asv\(version).json").write(to: URL(fileURLWithPath: file))
            let output = try BenchmarkFormat.asv.parse(contentsOf: file)
            let series = Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) })
            #expect(series["bench.Sorting.time_sorted[kind=int,size=10]"]?.samples.count == (version == "0.6.6" ? 10 : 1))
            #expect(series["bench.Broken.time_sometimes[n=1]"] != nil)
            #expect(series["bench.track_compares"]?.unit == "compares" && series["bench.track_ratio"]?.unit == "")
            #expect(output.failures.map(\.benchmark).sorted() == ["bench.Broken.time_sometimes[n=2]", "bench.time_fails"])
            #expect(output.warnings.count == 1 && output.warnings[0].contains("'compares'"), "\(output.warnings)")
        }
    }

    @Test("asv 0.5 results without samples: asv's value is the one sample")
    func results05() throws {
        let (series, output) = try Self.parse("results.asv0.5.1.json")
        #expect(series["bench.TimeSuite.time_keys"]?.samples.count == 1)
        #expect(series["bench.Sorting.time_sorted[param1=10,param2=int]"]?.samples == [4.5692504500038924e-07])
        #expect(output.results.count == 11 && output.failures.count == 2)
    }

    @Test("asv 0.4 and older (version 1): numbers, null, NaN and {result, params}")
    func resultsVersion1() throws {
        let (series, output) = try Self.parse("results-v1.from-docs.python-json")
        #expect(series["time_other.time_parameterized[param1=2]"]?.samples == [4])
        #expect(series["time_units.mem_unit"]?.unit == "B" && series["time_quantity.time_quantity_init_array"]?.unit == "s")
        #expect(output.results.count == 5)
        #expect(output.failures.map(\.benchmark).sorted() == ["params_examples.ParamSuite.track_value", "time_AAA_failure", "time_AAA_skip",
                                                              "time_other.time_parameterized[param1=3]"])
        #expect(output.failures.first { $0.benchmark == "time_AAA_skip" }?.reason.contains("skipped") == true)
    }

    @Test("asv run's console: values in asv's units, tables as parameters, failed cells as failures; the same series as the JSON",
          arguments: ["console.asv0.6.6.txt", "console.asv0.5.1.txt", "console-quick-stderr.asv0.6.6.txt"])
    func console(_ name: String) throws {
        let (series, output) = try Self.parse(name)
        #expect(Set(series.keys) == ["bench.Broken.time_sometimes[n=1]", "bench.MemSuite.mem_list", "bench.MemSuite.peakmem_list",
                                     "bench.Sorting.time_sorted[kind=int,size=10]", "bench.Sorting.time_sorted[kind=int,size=100]",
                                     "bench.Sorting.time_sorted[kind=str,size=10]", "bench.Sorting.time_sorted[kind=str,size=100]",
                                     "bench.TimeSuite.time_keys", "bench.TimeSuite.time_range", "bench.track_compares", "bench.track_ratio"])
        #expect(output.failures.map(\.benchmark).sorted() == ["bench.Broken.time_sometimes[n=2]", "bench.time_fails"])
        #expect(series["bench.MemSuite.mem_list"]?.samples == [2100] && series["bench.MemSuite.mem_list"]?.unit == "B")
        #expect(series["bench.track_compares"]?.samples == [42] && series["bench.track_ratio"]?.samples == [0.75])
        if name == "console.asv0.6.6.txt" {
            #expect(series["bench.Broken.time_sometimes[n=1]"]?.samples == [771e-9] && series["bench.Broken.time_sometimes[n=1]"]?.unit == "s")
            #expect(abs(series["bench.Sorting.time_sorted[kind=str,size=100]"]!.samples[0] / 3.75e-6 - 1) < 1e-12)
            #expect(series["bench.MemSuite.peakmem_list"]?.samples == [24.8e6])
            // The console rounds what the results file of the same run holds.
            let json = try Self.parse("results.asv0.6.6.json").series
            #expect(abs(series["bench.TimeSuite.time_keys"]!.samples[0] / Self.median(json["bench.TimeSuite.time_keys"]!.samples) - 1) < 0.005)
        }
    }

    @Test("refusals: benchmarks.json and machine.json say what they are; a console cut short; a results row cut short")
    func refusals() throws {
        #expect { try BenchmarkFormat.asv.parse(try Self.fixture("benchmarks.asv0.6.6.json"), file: "b.json") } throws: {
            "\($0)".contains("b.json: asv: -: is asv's benchmarks.json") }
        #expect { try BenchmarkFormat.asv.parse(Data(#"{"machine": "vm", "os": "Linux", "version": 1}"#.utf8), file: "m.json") } throws: {
            "\($0)".contains("is asv's machine.json") }
        let console = String(decoding: try Self.fixture("console.asv0.6.6.txt"), as: UTF8.self)
        let lines = console.split(separator: "\n", omittingEmptySubsequences: false)
        for count in 1..<lines.count - 2 {
            let cut = lines[..<count].joined(separator: "\n") + "\n"
            #expect(throws: FormatError.self, "cut after line \(count)") { try BenchmarkFormat.asv.parse(Data(cut.utf8), file: "c.txt") }
        }
        let row = #"{"results": {"bench.Sorting.time_sorted": [[1e-6, 2e-6, 3e-6], [["10", "100"], ["'int'", "'str'"]]]}, "result_columns": ["result", "params"], "version": 2}"#
        #expect { try BenchmarkFormat.asv.parse(Data(row.utf8), file: "r.json") } throws: {
            "\($0)".contains("r.json: asv: results.bench.Sorting.time_sorted.result: holds 3 value(s) for 4 parameter combination(s)") }
    }

    @Test("recognizes: asv's results files and console outputs, not its benchmarks.json, not other tools' outputs")
    func recognizes() throws {
        for name in ["results.asv0.6.6.json", "results.asv0.5.1.json", "results-quick.asv0.6.6.python-json", "results-v1.from-docs.python-json",
                     "console.asv0.6.6.txt", "console.asv0.5.1.txt"] {
            #expect(AsvFormat.recognizes(FormatProbe(try Self.fixture(name))), "\(name)")
        }
        #expect(!AsvFormat.recognizes(FormatProbe(try Self.fixture("benchmarks.asv0.6.6.json"))))
        for name in ["hyperfine.json", "google-benchmark.json", "pytest-benchmark.json", "go-test.txt", "go-test-json/two-packages.go1.19.8.jsonl"] {
            #expect(!AsvFormat.recognizes(FormatProbe(try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: name))))), "\(name)")
        }
    }
}
