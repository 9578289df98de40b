import BenchBot
import Foundation

/// iai-callgrind's outputs at `bench import --parsers-only` sizes: its terminal text, and its
/// `summary.json` (one benchmark per file in life; one large one here, to time the reader).
extension ParserWorkload {
    static func iaiCallgrind(_ bytes: Int) -> String {
        "     Running benches/fib.rs (target/release/deps/fib-5a1c7e0d9b2f4e31)\n" + repeated(bytes, separator: "") { index in
            """
            fib::bench_group::bench_fibonacci case_\(index):\(index % 64)
              Instructions:                \(26214733 + index)|26214734        (-0.00000%) [-1.00000x]
              L1 Hits:                 35638619|35638619        (No change)
              LL Hits:                        0|0               (No change)
              RAM Hits:                       3|3               (No change)
              Total read+write:        35638622|35638622        (No change)
              Estimated Cycles:        35638724|35638724        (No change)

            """
        } + "Iai-Callgrind result: Ok. 1 without regressions; 0 regressed; 1 benchmarks finished in 1.002s\n"
    }

    /// One summary whose callgrind total holds many metrics: the size comes from the metric map,
    /// which is what the reader walks.
    static func iaiCallgrindJSON(_ bytes: Int) -> String {
        let metrics = repeated(bytes) { index in
            "\"Event\(index)\": {\"diffs\": {\"diff_pct\": \"0\", \"factor\": \"1\"}, \"metrics\": {\"Both\": [{\"Int\": \(1000 + index)}, {\"Int\": 1000}]}}"
        }
        return """
            {"version": "6", "kind": "LibraryBenchmark", "module_path": "fib::bench_group::bench_fibonacci", "id": "long", "details": "30",
             "function_name": "bench_fibonacci", "baselines": [null, null], "benchmark_exe": "target/release/deps/fib", "benchmark_file": "benches/fib.rs",
             "package_dir": ".", "project_root": ".", "summary_output": null,
             "profiles": [{"tool": "Callgrind", "flamegraphs": [], "log_paths": [], "out_paths": [],
                           "summaries": {"parts": [], "total": {"regressions": [], "summary": {"Callgrind": {
            \(metrics)
            }}}}}]}

            """
    }
}
