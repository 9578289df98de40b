import BenchBot
import Foundation

/// iai-callgrind's outputs at `bench import --parsers-only` sizes, in shapes it prints for real
/// suites, with few enough series for one run (``ResultValidation/maximumSeries``).
extension ParserWorkload {
    /// Terminal text of groups with `compare_by_id`: each benchmark's block, then its comparisons
    /// with the group's other benchmarks of the same id, which the reader walks and skips.
    static func iaiCallgrind(_ bytes: Int) -> String {
        func metrics(_ base: Int, old: String) -> String {
            """
              Instructions:             \(base)|\(old)        (-0.00000%) [-1.00000x]
              L1 Hits:                 35638619|35638619        (No change)
              LL Hits:                        0|0               (No change)
              RAM Hits:                       3|3               (No change)
              Total read+write:        35638622|35638622        (No change)
              Estimated Cycles:        35638724|35638724        (No change)

            """
        }
        return "     Running benches/fib.rs (target/release/deps/fib-5a1c7e0d9b2f4e31)\n" + repeated(bytes, separator: "") { index in
            "fib::bench_group::bench_fibonacci case_\(index):\(index % 64)\n" + metrics(26214733 + index, old: "26214734")
                + (1...3).map { "  Comparison with bench_fibonacci_\($0) case_\(index):\(index % 64)\n" + metrics(26214733 + index, old: String(26214000 + $0)) }.joined()
        } + "Iai-Callgrind result: Ok. 1 without regressions; 0 regressed; 1 benchmarks finished in 1.002s\n"
    }

    /// A binary benchmark's summary.json with `--trace-children`: one part per process, which the
    /// reader parses and skips, and the total it stores.
    static func iaiCallgrindJSON(_ bytes: Int) -> String {
        let events = ["Ir": 26214734, "L1hits": 35638619, "LLhits": 0, "RamHits": 3, "TotalRW": 35638622, "EstimatedCycles": 35638724]
        let summary = "{\"Callgrind\": {" + events.sorted { $0.key < $1.key }.map {
            "\"\($0.key)\": {\"diffs\": {\"diff_pct\": \"0\", \"factor\": \"1\"}, \"metrics\": {\"Both\": [{\"Int\": \($0.value)}, {\"Int\": \($0.value)}]}}"
        }.joined(separator: ", ") + ", \"L1HitRate\": {\"diffs\": null, \"metrics\": {\"Left\": {\"Float\": 99.99999158}}}}}"
        let parts = repeated(bytes) { index in
            let info = "{\"command\": \"target/release/cli --child \(index)\", \"details\": null, \"parent_pid\": 4000, \"part\": 1, "
                + "\"path\": \"target/iai/cli/cli_bench/cli_group/bench_cli.help/callgrind.bench_cli.help.\(index).out\", \"pid\": \(4001 + index), \"thread\": 1}"
            return "{\"details\": {\"Both\": [\(info), \(info)]}, \"metrics_summary\": \(summary)}"
        }
        return """
            {"version": "6", "kind": "BinaryBenchmark", "module_path": "cli_bench::cli_group::bench_cli", "id": "help", "details": "--help",
             "function_name": "bench_cli", "baselines": [null, null], "benchmark_exe": "target/release/cli", "benchmark_file": "benches/cli_bench.rs",
             "package_dir": ".", "project_root": ".", "summary_output": null,
             "profiles": [{"tool": "Callgrind", "flamegraphs": [], "log_paths": [], "out_paths": [],
                           "summaries": {"parts": [
            \(parts)
            ], "total": {"regressions": [], "summary": \(summary)}}}]}

            """
    }
}
