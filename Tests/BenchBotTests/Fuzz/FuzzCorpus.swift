import Foundation

/// The valid inputs the mutator starts from: the real tools' outputs under `Fixtures/formats`,
/// and small hand-made ones that reach the fields the fixtures leave out.
enum FuzzCorpus {
    static let folder = ((#filePath as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent.appending(path: "Fixtures/formats")

    static func fixture(_ name: String) -> Data {
        (try? Data(contentsOf: URL(fileURLWithPath: folder.appending(path: name)))) ?? Data()
    }

    /// Seeds above this size are picked rarely: a debug build parses them in milliseconds, not microseconds.
    static let largeSeed = 64 * 1024

    static let formatSeeds: [String: [Data]] = [
        "benchbot-json": [
            Data(#"{"benchmarks": [{"name": "parse", "parameters": {"size": "1024", "n": 3, "fast": true}, "unit": "ns", "direction": "lower_is_better", "samples": [812, 790, 801.5]}, {"name": "rate", "unit": "ops/s", "samples": [1e6, 2e6]}]}"#.utf8),
            Data(#"{"commit": "0123456789abcdef0123456789abcdef01234567", "benchmarks": [{"name": "x", "unit": "", "samples": [0, -0, 5e-324]}]}"#.utf8),
            Data(#"{"benchmarks": [{"name": "sort", "parameters": {"n": "8"}, "unit": "compares/op", "samples": [31, 30]}, {"name": "fps", "unit": "frames/s", "samples": [60]}]}"#.utf8),
        ],
        "google-benchmark": [fixture("google-benchmark.json"), fixture("google-benchmark/errors.1.7.1.json"), fixture("google-benchmark/all-failed.1.7.1.json"),
                             Data(#"{"context": {}, "benchmarks": [{"name": "BM_x/8", "run_type": "iteration", "real_time": 12.5, "cpu_time": 12.0, "time_unit": "ns", "iterations": 1000}]}"#.utf8)],
        "hyperfine": [fixture("hyperfine.json")],
        "pytest-benchmark": [fixture("pytest-benchmark.json"), fixture("pytest-benchmark/collisions.3.0.0.json"), fixture("pytest-benchmark/collisions.5.2.3.json"),
                             fixture("pytest-benchmark/stats-only.5.2.3.json")],
        "go-test": [fixture("go-test.txt"),
                    Data("goos: linux\nBenchmarkParse-8   \t 1000\t 1234 ns/op\t 56 B/op\t 2 allocs/op\nBenchmarkParse/size=64-8 500 2000.5 ns/op 12.5 MB/s\nPASS\n".utf8),
                    fixture("go-test/two-packages.go1.19.8.txt"), fixture("go-test/two-packages-v.go1.19.8.txt"),
                    fixture("go-test/failures.go1.19.8.txt"), fixture("go-test/failures-v.go1.19.8.txt")],
        "asv": [fixture("asv/results.asv0.6.6.json"), fixture("asv/results.asv0.5.1.json"), fixture("asv/results-v1.from-docs.python-json"),
                fixture("asv/console.asv0.6.6.txt"), fixture("asv/console.asv0.5.1.txt")],
        "go-test-json": [fixture("go-test-json/two-packages.go1.19.8.jsonl"), fixture("go-test-json/failures.go1.19.8.jsonl")],
        "package-benchmark": [fixture("package-benchmark.json"),
                              fixture("package-benchmark-thresholds/Sorting.string-join.p90-range.from-docs.json"),
                              Data(#"{"results":[{"target":"T","name":"sort (size: 64)"},[{"tags":{"size":"64"},"metric":{"wallClock":{}},"scalingFactor":1,"statistics":{"prefersLarger":false,"histogram":{"counts":[0,2,0,1,3],"subBucketHalfCountMagnitude":1,"unitMagnitude":0,"_totalCount":6}}}]]}"#.utf8)],
        "gab-custom": [fixture("gab-custom/smaller.from-docs.json"),
                       Data(#"[{"name": "a", "unit": "ms", "value": 1.5, "range": "± 0.1", "extra": "x"}, {"name": "b", "unit": "MB", "value": 0}]"#.utf8)],
        "gab-custom-bigger": [fixture("gab-custom/bigger.from-docs.json")],
        "bencher-json": [fixture("bencher-json/metrics.from-docs.json"),
                         Data(#"{"b": {"latency": {"value": 1, "lower_value": 0.5, "upper_value": 2}, "my-measure": {"value": 3}}}"#.utf8)],
        "catch2": [fixture("catch2/xml.2.13.10.xml"), fixture("catch2/console.2.13.10.txt"), fixture("catch2/failing.2.13.10.xml"),
                   fixture("catch2/failing.2.13.10.txt"), fixture("catch2/no-analysis.2.13.10.txt"), fixture("catch2/xml-v3.from-docs.xml"),
                   fixture("catch2/console-v3.from-docs.txt"), fixture("catch2/sections.2.13.10.txt"), fixture("catch2/sections.2.13.10.xml")],
        "benchmark-js": [fixture("benchmark-js/suite.2.1.4.txt"),
                         Data("a x 1,234,567 ops/sec \u{B1}0.50% (92 runs sampled)\nb x 0.5 ops/sec \u{B1}1.00% (1 run sampled)\nc: \nFastest is a\n".utf8)],
        "julia-benchmarktools": [fixture("julia-benchmarktools/suite.from-docs.json"), fixture("julia-benchmarktools/estimate.from-docs.json")],
        "cargo-bench": [fixture("cargo-bench/two-binaries.rustc-1.97-nightly.txt"), fixture("cargo-bench/two-binaries.rustc-1.63.txt"),
                        fixture("cargo-bench/panic.rustc-1.97-nightly.txt"), fixture("cargo-bench/panic.rustc-1.63.txt"),
                        Data("test fib 15 ... bench:        2731 ns/iter (+/- 41)\ntest a/b/64 ... bench:    1,234.5 ns/iter (+/- 6) = 12 MB/s\n".utf8)],
        "criterion-text": [fixture("criterion-text/second-run.from-docs.txt"), fixture("criterion-text/first-run.criterion-0.3.6.txt"),
                           fixture("criterion-text/second-run.criterion-0.3.6.txt")],
        "criterion-json": [fixture("criterion-json/groups.from-docs.ndjson")],
        "iai": [fixture("iai/second-run.from-docs.txt"), fixture("iai/panic.from-docs.txt")],
        "iai-callgrind": [fixture("iai-callgrind/second-run-regressed.from-docs.txt"), fixture("iai-callgrind/tools.from-docs.txt"),
                          fixture("iai-callgrind/failure.from-docs.txt"), fixture("iai-callgrind/before-0.8.from-docs.txt")],
        "iai-callgrind-json": [fixture("iai-callgrind-json/summary.v2.from-docs.json"), fixture("iai-callgrind-json/summary.v4.from-docs.json"),
                               fixture("iai-callgrind-json/summary.v6.from-docs.json")],
        "jmh": [fixture("jmh.from-docs.json"), fixture("jmh-package-benchmark.json"), fixture("jmh-modes/two-modes.from-docs.json"),
                Data(#"[{"benchmark": "a.B.c", "mode": "avgt", "primaryMetric": {"scoreUnit": "clks/insn", "rawData": [[1.5, 1.25]]}, "secondaryMetrics": {"·stack": {"scoreUnit": "", "score": 0}}}]"#.utf8)],
        "benchmarkdotnet": [fixture("benchmarkdotnet.from-docs.json"), fixture("benchmarkdotnet-jobs/two-runtimes.from-docs.json")],
        "relay-data": [
            Data(#"{"timestamp": "20240101T000000", "commit": "abc", "cpu": {"resnet": [1.2, 1.3], "bert": {"fp32": 4.5, "fp16": [2, 2.1]}}, "gpu": [1, "x", null]}"#.utf8),
            Data(#"{"a": {"b": {"c": {"d": [0.5, 0.25, 1e-9, 123456789]}}}, "flag": true, "list": [[1], [2, 3]]}"#.utf8),
        ],
    ]

    /// Every seed, for splices across formats.
    static let all: [Data] = formatSeeds.values.flatMap { $0 } + configSeeds + experimentSeeds + hookSeeds.map { Data($0.utf8) }

    static let configSeeds: [Data] = [
        Data(#"""
        {"tmp_data_dir": "tmp", "backup_dir": "backup", "setup_dir": "setup", "run_cpu_telemetry": false, "run_gpu_telemetry": false,
         "telemetry_rate": 15, "randomize": true,
         "benchbot": {"repository": {"url": "https://example.org/project.git", "name": "project", "branches": ["main"]},
          "machine": "m1", "suite": "default", "scripts_in": "home",
          "build": {"command": ["make", "-j2"], "timeout": 3600}, "store": {"path": "benchbot.sqlite", "busy_timeout": 10},
          "intake": {"first_parent": true, "tags": false, "hook_branches": ["*"], "on_branch_delete": "ignore", "max_attempts": 3, "fetch_timeout": 600},
          "runner": {"stage_timeout": 3600, "lease_duration": 300, "log_limit": 65536, "backups_kept": 5},
          "compare": {"score_speedup": 1.1, "stat_alert": {"deviations": 1, "window_days": 14}},
          "notify": {"site_url": "https://bench.example.org", "initial_backoff": 2, "deadline_hours": 24,
                     "slack": {"webhook_url_env": "SLACK_WEBHOOK", "mentions": ["<@U1>"]}},
          "site": {"folder": "site", "publish": {"url": "https://example.org/site.git", "branch": "gh-pages", "timeout": 600}}}}
        """#.utf8),
        Data(#"{"tmp_data_dir": "t", "backup_dir": "b", "setup_dir": "s", "benchbot": {"repository": {"url": "/srv/git/x.git"}}}"#.utf8),
    ]

    static let experimentSeeds: [Data] = [
        Data(#"{"active": true, "priority": 2, "timeout": 600, "telemetry_rate": 5, "run_cpu_telemetry": true, "notify": ["a"], "rerun_setup": false, "process_pinning": {"enable": true, "cores": "0-1"}}"#.utf8),
        Data(#"{"active": true, "command": {"run": ["./bench", "--json"], "format": "google-benchmark", "output": "out.json"}, "timeout": 60}"#.utf8),
    ]

    static let hookSeeds: [String] = [
        "\(String(repeating: "a", count: 40)) \(String(repeating: "b", count: 40)) refs/heads/main\n"
            + "\(String(repeating: "0", count: 40)) \(String(repeating: "c", count: 40)) refs/heads/feature/x\n"
            + "\(String(repeating: "d", count: 40)) \(String(repeating: "0", count: 40)) refs/tags/v1.0\n",
        "\(String(repeating: "1", count: 40)) \(String(repeating: "2", count: 40)) refs/pull/1/head\n",
    ]

    /// A seed from `seeds`, the large ones one time in 256.
    static func seed(_ seeds: [Data], random: inout some RandomNumberGenerator) -> Data {
        let small = seeds.filter { $0.count <= largeSeed }
        if small.isEmpty || (small.count < seeds.count && Int.random(in: 0..<256, using: &random) == 0) { return seeds.randomElement(using: &random)! }
        return small.randomElement(using: &random)!
    }
}
