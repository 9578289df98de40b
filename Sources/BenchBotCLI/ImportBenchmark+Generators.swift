import BenchBot
import Foundation

/// A large output of one format, for timing its parser against python3 on the same file.
struct ParserWorkload: Sendable {
    /// What python3 does with the same file: the floor for any reader of that kind of file.
    enum Baseline: String, Sendable {
        /// `json.load`, for JSON formats.
        case jsonLoad = "json.load"
        /// `f.read().split("\n")`, for text formats.
        case lineSplit = "line split"
        /// `json.loads` of each line, for JSON Lines formats: `json.load` cannot read them whole,
        /// and a line split alone would parse none of the JSON the reader must.
        case jsonLines = "json lines"
    }

    let format: BenchmarkFormat
    let baseline: Baseline
    /// The output, about `bytes` long, in the tool's own shape (its fields, its number formats).
    let generate: @Sendable (_ bytes: Int) -> String

    /// Every format's workload. A new format adds one line here and one generator below. A JSON
    /// Lines format is timed against both baselines: the line split it is still compared with, and
    /// python's parse of every line, the work it has to do.
    static let all: [ParserWorkload] = [
        ParserWorkload(format: .benchbotJSON, baseline: .jsonLoad, generate: benchbotJSON),
        ParserWorkload(format: .googleBenchmark, baseline: .jsonLoad, generate: googleBenchmark),
        ParserWorkload(format: .hyperfine, baseline: .jsonLoad, generate: hyperfine),
        ParserWorkload(format: .pytestBenchmark, baseline: .jsonLoad, generate: pytestBenchmark),
        ParserWorkload(format: .goTest, baseline: .lineSplit, generate: goTest),
        ParserWorkload(format: .packageBenchmark, baseline: .jsonLoad, generate: packageBenchmark),
        ParserWorkload(format: .jmh, baseline: .jsonLoad, generate: jmh),
        ParserWorkload(format: .benchmarkDotNet, baseline: .jsonLoad, generate: benchmarkDotNet),
        ParserWorkload(format: .relayData, baseline: .jsonLoad, generate: relayData),
        ParserWorkload(format: .goTestJSON, baseline: .lineSplit, generate: goTestJSON),
        ParserWorkload(format: .goTestJSON, baseline: .jsonLines, generate: goTestJSON),
        ParserWorkload(format: .asv, baseline: .jsonLoad, generate: asv),
        ParserWorkload(format: .gabCustom, baseline: .jsonLoad, generate: gabCustom),
        ParserWorkload(format: .gabCustomBigger, baseline: .jsonLoad, generate: gabCustom),
        ParserWorkload(format: .bencherJSON, baseline: .jsonLoad, generate: bencherJSON),
        ParserWorkload(format: .catch2, baseline: .lineSplit, generate: catch2),
        ParserWorkload(format: .benchmarkJS, baseline: .lineSplit, generate: benchmarkJS),
        ParserWorkload(format: .juliaBenchmarkTools, baseline: .jsonLoad, generate: juliaBenchmarkTools),
        ParserWorkload(format: .cargoBench, baseline: .lineSplit, generate: cargoBench),
        ParserWorkload(format: .criterionText, baseline: .lineSplit, generate: criterionText),
        ParserWorkload(format: .criterionJSON, baseline: .lineSplit, generate: criterionJSON),
        ParserWorkload(format: .criterionJSON, baseline: .jsonLines, generate: criterionJSON),
        ParserWorkload(format: .iai, baseline: .lineSplit, generate: iai),
        ParserWorkload(format: .iaiCallgrind, baseline: .lineSplit, generate: iaiCallgrind),
        ParserWorkload(format: .iaiCallgrindJSON, baseline: .jsonLoad, generate: iaiCallgrindJSON),
    ]

    /// The most series a generated file holds: one file may store at most
    /// `ResultValidation.maximumSeries` (100,000), so formats of one short line per series stop
    /// there, in a file smaller than asked for (the table shows each file's size).
    static let seriesLimit = 90_000

    /// Entries built by `entry(index)` until the text is about `bytes` long, or `limit` entries,
    /// joined by `separator`.
    static func repeated(_ bytes: Int, separator: String = ",\n", limit: Int = .max, _ entry: (Int) -> String) -> String {
        var parts: [String] = []
        var size = 0
        var index = 0
        while size < bytes, index < limit {
            let part = entry(index)
            parts.append(part)
            size += part.utf8.count + separator.utf8.count
            index += 1
        }
        return parts.joined(separator: separator)
    }

    /// `count` plausible timings around `center`, printed as tools print doubles.
    static func samples(_ count: Int, around center: Double, seed: Int) -> String {
        (0..<count).map { String(center * (1 + Double((seed * 31 + $0 * 17) % 101) / 1000)) }.joined(separator: ", ")
    }

    static func benchbotJSON(_ bytes: Int) -> String {
        "{\"benchmarks\": [\n" + repeated(bytes) { index in
            "{\"name\": \"case\(index)\", \"unit\": \"ns\", \"parameters\": {\"size\": \"\(index % 64)\"}, \"samples\": [\(samples(100, around: 1000, seed: index))]}"
        } + "\n]}\n"
    }

    static func googleBenchmark(_ bytes: Int) -> String {
        let context = #"{"date": "2026-11-22T00:00:00+00:00", "host_name": "vm", "executable": "./gb", "num_cpus": 2, "library_build_type": "release"}"#
        return "{\"context\": \(context), \"benchmarks\": [\n" + repeated(bytes) { index in
            let name = "BM_Case\(index / 7)/\(index / 7 % 512)", repetition = index % 7
            guard repetition < 5 else {
                let aggregate = repetition == 5 ? "mean" : "median"
                return """
                    {"name": "\(name)_\(aggregate)", "family_index": \(index / 7), "per_family_instance_index": 0, "run_name": "\(name)", \
                    "run_type": "aggregate", "repetitions": 5, "threads": 1, "aggregate_name": "\(aggregate)", "aggregate_unit": "time", \
                    "iterations": 5, "real_time": 1.0e+02, "cpu_time": 9.95e+01, "time_unit": "ns"}
                    """
            }
            let time = 100 + Double((index * 31) % 500) / 7
            return """
                {"name": "\(name)", "family_index": \(index / 7), "per_family_instance_index": 0, "run_name": "\(name)", "run_type": "iteration", \
                "repetitions": 5, "repetition_index": \(repetition), "threads": 1, "iterations": 1000000, \
                "real_time": \(time), "cpu_time": \(time - 0.5), "time_unit": "ns"}
                """
        } + "\n]}\n"
    }

    static func hyperfine(_ bytes: Int) -> String {
        "{\"results\": [\n" + repeated(bytes) { index in
            """
            {"command": "sleep 0.\(index)", "mean": 0.0151, "stddev": 0.0034, "median": 0.0155, "user": 0.00088, "system": 0.00054, \
            "min": 0.0116, "max": 0.0198, "times": [\(samples(1000, around: 0.015, seed: index))], \
            "exit_codes": [\(Array(repeating: "0", count: 1000).joined(separator: ", "))]}
            """
        } + "\n]}\n"
    }

    static func pytestBenchmark(_ bytes: Int) -> String {
        "{\"machine_info\": {\"node\": \"vm\", \"machine\": \"x86_64\"}, \"commit_info\": {\"id\": \"0\"}, \"benchmarks\": [\n" + repeated(bytes) { index in
            """
            {"group": null, "name": "test_case[\(index)]", "fullname": "tests/test_perf.py::test_case[\(index)]", "params": {"n": \(index)}, \
            "param": "\(index)", "extra_info": {}, "options": {"disable_gc": false, "timer": "perf_counter", "min_rounds": 5, \
            "max_time": 1.0, "min_time": 5e-06, "warmup": false}, "stats": {"min": 1.1e-05, "max": 1.9e-05, "mean": 1.5e-05, \
            "stddev": 2e-06, "rounds": 500, "median": 1.5e-05, "iqr": 1e-06, "q1": 1.4e-05, "q3": 1.6e-05, "iqr_outliers": 3, \
            "stddev_outliers": 40, "outliers": "40;3", "ld15iqr": 1.1e-05, "hd15iqr": 1.9e-05, "ops": 66666.6, "total": 0.0075, \
            "data": [\(samples(500, around: 1.5e-05, seed: index))], "iterations": 1}}
            """
        } + "\n], \"datetime\": \"2026-11-22T00:00:00.000000+00:00\", \"version\": \"5.2.3\"}\n"
    }

    /// Lines as `testing` prints them: the name padded to the longest (`%-*s`), iterations `%8d`,
    /// `ns/op` by its `prettyPrint` (four significant digits: `%12.1f` from 100 to 999.95) and
    /// `-benchmem`'s `%8d B/op\t%8d allocs/op`. A value printed with a double's 17 digits, as this
    /// file once held, is one `go test` never writes.
    static func goTest(_ bytes: Int) -> String {
        "goos: linux\ngoarch: amd64\npkg: example.invalid/strs\ncpu: Intel(R) Xeon(R) Processor\n" + repeated(bytes, separator: "\n") { index in
            let time = 100 + Double((index * 31) % 500) / 7
            let name = "BenchmarkCase\(index / 10)/n=\(index / 10 % 512)-2"
            let padded = name + String(repeating: " ", count: max(0, 26 - name.utf8.count))
            return padded + "\t    2000\t" + String(format: "%12.1f ns/op", time) + "\t      16 B/op\t       1 allocs/op"
        } + "\nPASS\nok  \texample.invalid/strs\t12.128s\n"
    }

    static func packageBenchmark(_ bytes: Int) -> String {
        let machine = ##"{"memory": 23, "kernelVersion": "#1 SMP", "hostname": "vm", "processors": 2, "processorType": "x86_64"}"##
        return "{\"machine\": \(machine), \"results\": [\n" + repeated(bytes) { index in
            // An HDR histogram as hdrhistogram-swift writes it: mostly empty buckets, a few counts.
            let counts = (0..<3072).map { $0 % 97 == index % 97 ? "3" : "0" }
            let total = counts.filter { $0 == "3" }.count * 3
            let statistics = """
                {"timeUnits": 0, "prefersLarger": false, "histogram": {"autoResize": true, "numberOfSignificantValueDigits": 3, \
                "subBucketMask": 2047, "bucketCount": 20, "subBucketHalfCountMagnitude": 10, "unitMagnitude": 0, \
                "subBucketCount": 2048, "counts": [\(counts.joined(separator: ","))], "_totalCount": \(total)}}
                """
            let metrics = """
                {"tags": {"size": "\(index % 64)"}, "warmupIterations": 1, "metric": {"wallClock": {}}, "timeUnits": "microseconds", \
                "scalingFactor": 1, "statistics": \(statistics)}
                """
            return "{\"target\": \"Sorting\", \"name\": \"sort\(index) (size: \(index % 64))\"}, [\(metrics)]"
        } + "\n]}\n"
    }

    static func jmh(_ bytes: Int) -> String {
        "[\n" + repeated(bytes) { index in
            let forks = (0..<5).map { "[\(samples(100, around: 41.4, seed: index * 5 + $0))]" }.joined(separator: ", ")
            return """
                {"jmhVersion": "1.37", "benchmark": "org.example.bench.SortBenchmark.sort\(index)", "mode": "avgt", "threads": 1, \
                "forks": 5, "jvm": "/usr/bin/java", "jvmArgs": [], "jdkVersion": "17.0.15", "warmupIterations": 3, \
                "warmupTime": "1 s", "measurementIterations": 100, "measurementTime": "1 s", "params": {"size": "\(index % 64)"}, \
                "primaryMetric": {"score": 41.43, "scoreError": 1.2, "scoreConfidence": [40.2, 42.6], \
                "scorePercentiles": {"0.0": 40.1, "50.0": 41.4, "100.0": 43.0}, "scoreUnit": "ns/op", "rawData": [\(forks)]}, \
                "secondaryMetrics": {}}
                """
        } + "\n]\n"
    }

    static func benchmarkDotNet(_ bytes: Int) -> String {
        let header = #"{"Title": "Example.Benchmarks-20261122-041500", "HostEnvironmentInfo": {"BenchmarkDotNetVersion": "0.14.0"}, "Benchmarks": ["#
        return header + "\n" + repeated(bytes) { index in
            let measurements = (0..<100).map { iteration in
                """
                {"IterationMode": "Workload", "IterationStage": "Result", "LaunchIndex": 1, "IterationIndex": \(iteration + 1), \
                "Operations": 65536, "Nanoseconds": \(6_553_600 + (index * 31 + iteration * 17) % 9973)}
                """
            }.joined(separator: ", ")
            return """
                {"DisplayInfo": "Md5VsSha256.Sha256: DefaultJob [N=\(index)]", "Namespace": "Example", "Type": "Md5VsSha256", \
                "Method": "Sha256\(index)", "MethodTitle": "Sha256", "Parameters": "N=\(index % 64)", \
                "FullName": "Example.Md5VsSha256.Sha256\(index)(N: \(index % 64))", \
                "Statistics": {"OriginalValues": [\(samples(100, around: 100, seed: index))], "N": 100, "Min": 100, "Mean": 105, \
                "Median": 105, "Max": 110}, "Memory": {"Gen0Collections": 0, "BytesAllocatedPerOperation": 112}, \
                "Measurements": [\(measurements)]}
                """
        } + "\n]}\n"
    }

    static func relayData(_ bytes: Int) -> String {
        "{\n" + repeated(bytes) { index in
            "\"stage\(index)\": {\"wall\": {\"samples\": [\(samples(200, around: 2.5, seed: index))]}, \"rss\": \(1000 + index)}"
        } + "\n}\n"
    }
}
