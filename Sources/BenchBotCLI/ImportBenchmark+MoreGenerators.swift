import Foundation

/// Large outputs of the formats read since issue 17, in each tool's own shape.
extension ParserWorkload {
    static func goTestJSON(_ bytes: Int) -> String {
        let package = "example.invalid/bench/big"
        func event(_ output: String) -> String {
            let escaped = output.replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
            return "{\"Time\":\"2026-12-01T21:45:15.674710237Z\",\"Action\":\"output\",\"Package\":\"\(package)\",\"Output\":\"\(escaped)\"}"
        }
        let head = ["goos: linux\n", "goarch: amd64\n", "pkg: \(package)\n", "cpu: AMD EPYC\n"].map(event).joined(separator: "\n")
        // Three events a name, three series (ns/op, B/op, allocs/op) each: one series an event.
        let body = repeated(bytes, separator: "\n", limit: seriesLimit) { index in
            event("BenchmarkCase\(index / 3)-2   \t 1000000\t \(100 + index % 97).5 ns/op\t      \(index % 64) B/op\t       1 allocs/op\n")
        }
        return head + "\n" + body + "\n" + event("PASS\n") + "\n"
            + "{\"Time\":\"2026-12-01T21:45:30.592579016Z\",\"Action\":\"pass\",\"Package\":\"\(package)\",\"Elapsed\":16.809}\n"
    }

    static func asv(_ bytes: Int) -> String {
        let columns = #"["result", "params", "version", "started_at", "duration", "stats_ci_99_a", "stats_ci_99_b", "stats_q_25", "stats_q_75", "stats_number", "stats_repeat", "samples", "profile"]"#
        return "{\"commit_hash\": \"85d003c901bae45bf2cae497d588d12991cbb914\", \"env_name\": \"existing-py\", \"date\": 1796161774000, "
            + "\"params\": {\"arch\": \"x86_64\", \"machine\": \"vm\"}, \"python\": \"3.11\", \"requirements\": {}, \"env_vars\": {}, "
            + "\"result_columns\": \(columns), \"results\": {\n" + repeated(bytes) { index in
                let value = 1e-6 * Double(100 + index % 97)
                return "\"bench.Suite\(index / 50).time_case\(index)\": [[\(value)], [], \"0\", 1796162162115, 9.5, [\(value * 0.9)], [\(value * 1.1)], "
                    + "[\(value * 0.95)], [\(value * 1.05)], [1000], [10], [[\(samples(10, around: value, seed: index))]]]"
            } + "\n}, \"durations\": {}, \"version\": 2}\n"
    }

    static func gabCustom(_ bytes: Int) -> String {
        "[\n" + repeated(bytes, limit: seriesLimit) { index in
            "{\"name\": \"Parse config \(index)\", \"unit\": \"Megabytes\", \"value\": \(100 + index % 97), \"range\": \"3\", \"extra\": \"run \(index)\"}"
        } + "\n]\n"
    }

    static func bencherJSON(_ bytes: Int) -> String {
        "{\n" + repeated(bytes, limit: seriesLimit / 2) { index in
            "\"parse_\(index)\": {\"latency\": {\"value\": \(88 + index % 97).5, \"lower_value\": 87.42, \"upper_value\": 288.88}, "
                + "\"throughput\": {\"value\": \(5 + index % 13).55, \"lower_value\": 3.14, \"upper_value\": 26.30}}"
        } + "\n}\n"
    }

    static func catch2(_ bytes: Int) -> String {
        let body = repeated(bytes, separator: "\n") { index in
            """
                <TestCase name="Case \(index)" filename="bench.cpp" line="9">
                  <BenchmarkResults name="fib \(index)" samples="20" resamples="100000" iterations="80" clockResolution="164.276" estimatedDuration="3.2896e+06">
                    <!--All values in nano seconds-->
                    <mean value="\(243 + index % 97).149" lowerBound="242.679" upperBound="1244.909" ci="0.95"/>
                    <standardDeviation value="1.84947" lowerBound="0.119954" upperBound="3.66944" ci="0.95"/>
                    <outliers variance="0.0475" lowMild="0" lowSevere="0" highMild="1" highSevere="0"/>
                  </BenchmarkResults>
                  <OverallResult success="true"/>
                </TestCase>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <Catch name="bench">
              <Group name="bench">

            """ + body + """

                <OverallResults successes="0" failures="0" expectedFailures="0"/>
                <OverallResultsCases successes="2" failures="0" expectedFailures="0"/>
              </Group>
              <OverallResults successes="0" failures="0" expectedFailures="0"/>
              <OverallResultsCases successes="2" failures="0" expectedFailures="0"/>
            </Catch>

            """
    }

    static func benchmarkJS(_ bytes: Int) -> String {
        repeated(bytes, separator: "\n", limit: seriesLimit) { index in
            "RegExp#test \(index) x \(12 + index % 97),\(String(format: "%03d", index % 1000)) ops/sec \u{B1}\(index % 9).58% (\(5 + index % 90) runs sampled)"
        } + "\nFastest is RegExp#test 0\n"
    }

    static func juliaBenchmarkTools(_ bytes: Int) -> String {
        let parameters = #"["Parameters",{"gctrial":true,"time_tolerance":0.05,"evals_set":false,"samples":10000,"evals":1000,"gcsample":false,"seconds":5.0,"overhead":0.0,"memory_tolerance":0.01}]"#
        return "[{\"Julia\":\"1.10.4\",\"BenchmarkTools\":\"1.5.0\"},[[\"BenchmarkGroup\",{\"data\":{\"trig\":[\"BenchmarkGroup\",{\"data\":{\n"
            + repeated(bytes) { index in
                "\"(\\\"sin\\\", \(index))\":[\"Trial\",{\"allocs\":0,\"gctimes\":[0.0,0.0,0.0,0.0],\"memory\":0,\"params\":\(parameters),"
                    + "\"times\":[\(samples(40, around: 6.125, seed: index))]}]"
            } + "\n},\"tags\":[]}]},\"tags\":[]}]]]\n"
    }

    static func cargoBench(_ bytes: Int) -> String {
        "     Running benches/big.rs (target/release/deps/big-6f7e9d63ae0766e3)\n\nrunning many tests\n"
            + repeated(bytes, separator: "\n", limit: seriesLimit) { index in
                "test bench_case_\(index) ... bench:     \(1 + index % 97),\(String(format: "%03d", index % 1000)) ns/iter (+/- 3,284)"
            } + "\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 2 measured; 0 filtered out; finished in 19.50s\n\n"
    }

    static func criterionText(_ bytes: Int) -> String {
        repeated(bytes, separator: "\n") { index in
            """
            Benchmarking case \(index)
            Benchmarking case \(index): Warming up for 200.00 ms
            Benchmarking case \(index): Collecting 10 samples in estimated 500.15 ms (183k iterations)
            Benchmarking case \(index): Analyzing
            case \(index)                time:   [2.3039 µs 2.\(index % 9)722 µs 2.9215 µs]

            """
        }
    }

    static func criterionJSON(_ bytes: Int) -> String {
        repeated(bytes, separator: "\n") { index in
            let iterations = (1...10).map { String(37 * $0) }.joined(separator: ",")
            let base = Double(2700 + index % 97)
            let measured = (1...10).map { (step: Int) -> String in String(Double(37 * step) * base + Double(step)) }.joined(separator: ",")
            let estimate = "{\"estimate\":2763.8797,\"lower_bound\":2673.6277,\"upper_bound\":2825.8324,\"unit\":\"ns\"}"
            let head = "{\"reason\":\"benchmark-complete\",\"id\":\"case \(index)\",\"report_directory\":\"target/criterion/reports/case \(index)\","
            let values = "\"iteration_count\":[\(iterations)],\"measured_values\":[\(measured)],\"unit\":\"ns\",\"throughput\":[],"
            let estimates = "\"typical\":\(estimate),\"mean\":\(estimate),\"median\":\(estimate),\"median_abs_dev\":\(estimate),\"slope\":\(estimate),\"change\":null}"
            return head + values + estimates
        } + "\n{\"reason\":\"group-complete\",\"group_name\":\"all\",\"benchmarks\":[],\"report_directory\":\"target/criterion/reports/all\"}\n"
    }

    static func iai(_ bytes: Int) -> String {
        "     Running benches/iai.rs (target/release/deps/iai-5a1c7e0d9b2f4e31)\n" + repeated(bytes, separator: "\n", limit: seriesLimit / 5) { index in
            """
            bench_case_\(index)
              Instructions:            \(26214733 + index) (-0.000008%)
              L1 Accesses:             35638621 (-0.000006%)
              L2 Accesses:                    2 (No change)
              RAM Accesses:                  14 (No change)
              Estimated Cycles:        35639121 (-0.000006%)

            """
        }
    }
}
