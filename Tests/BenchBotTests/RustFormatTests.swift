@testable import BenchBot
import Compare
import Foundation
import Testing

/// The Rust tools' outputs: libtest's `cargo bench`, criterion's terminal and cargo-criterion's
/// JSON, and iai. Real outputs under `Fixtures/formats/<format>/` (see SOURCES.md).
@Suite("Rust benchmark formats")
struct RustFormatTests {
    static func text(_ name: String) throws -> String {
        String(decoding: try FormatTests.fixture(name), as: UTF8.self)
    }

    static func parse(_ format: BenchmarkFormat, _ name: String) throws -> (series: [String: BenchmarkResult], output: ParsedOutput) {
        let output = try format.parse(try FormatTests.fixture(name), file: name)
        return (Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) }), output)
    }

    // MARK: cargo-bench

    @Test("cargo bench: each binary's results keep their target, in ns with one sample, MB/s apart; both libtest number styles",
          arguments: [("cargo-bench/two-binaries.rustc-1.97-nightly.txt", [54_463.40, 11.37, 1_325_918.90, 8_652.07, 473]),
                      ("cargo-bench/two-binaries.rustc-1.63.txt", [76_587, 11, 136_975, 7_239, 565])])
    func cargoBenchTwoBinaries(file: String, values: [Double]) throws {
        let (series, output) = try Self.parse(.cargoBench, file)
        let names = ["benches::bench_fib[target=src/lib.rs]", "benches::bench_maybe_panics[target=src/lib.rs]",
                     "bench_fib[target=benches/sorting.rs]", "bench_sort_1024[target=benches/sorting.rs]",
                     "bench_sort_1024.throughput[target=benches/sorting.rs]"]
        #expect(output.results.map(\.displayName) == names)
        for (name, value) in zip(names, values) { #expect(series[name]?.samples == [value], "\(name)") }
        #expect(series[names[0]]?.unit == "ns" && series[names[0]]?.direction == .lowerIsBetter)
        #expect(series[names[4]]?.unit == "MB/s" && series[names[4]]?.direction == .higherIsBetter)
        #expect(output.failures.isEmpty)
    }

    @Test("cargo bench: a panicking bench is that benchmark's failure with its panic message; the rest are stored",
          arguments: ["cargo-bench/panic.rustc-1.97-nightly.txt", "cargo-bench/panic.rustc-1.63.txt"])
    func cargoBenchPanic(file: String) throws {
        let (series, output) = try Self.parse(.cargoBench, file)
        #expect(Array(series.keys) == ["benches::bench_fib[target=src/lib.rs]"])
        #expect(output.failures.map(\.benchmark) == ["benches::bench_maybe_panics[target=src/lib.rs]"])
        #expect(output.failures.first?.reason.contains("panicked at") == true && output.failures.first?.reason.contains("fixture asked to fail") == true,
                "\(output.failures)")
    }

    @Test("cargo bench, criterion and iai text with Windows line ends read as with Unix ones", arguments: [
        (BenchmarkFormat.cargoBench, "cargo-bench/panic.rustc-1.97-nightly.txt"), (.criterionText, "criterion-text/second-run.criterion-0.3.6.txt"),
        (.iai, "iai/second-run.from-docs.txt"),
    ])
    func windowsLineEnds(format: BenchmarkFormat, file: String) throws {
        let unix = try format.parse(try FormatTests.fixture(file), file: file)
        let windows = try format.parse(Data(try Self.text(file).replacingOccurrences(of: "\n", with: "\r\n").utf8), file: file)
        #expect(windows == unix && !unix.results.isEmpty)
    }

    @Test("cargo bench: stdout alone (no Running lines) gives names without a target")
    func cargoBenchStdoutOnly() throws {
        let (series, _) = try Self.parse(.cargoBench, "cargo-bench/stdout-only.rustc-1.97-nightly.txt")
        #expect(series.keys.sorted() == ["bench_fib", "bench_sort_4096", "bench_sort_4096.throughput", "benches::bench_fib", "benches::bench_maybe_panics"])
        #expect(series["bench_fib"]?.samples == [1_378_655.91])
    }

    @Test("cargo bench: one name in two binaries is two series with Running lines, and refused with the fix without them")
    func cargoBenchSameNameTwoBinaries() throws {
        let section = "\nrunning 1 test\ntest bench_x ... bench:          10 ns/iter (+/- 1)\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 1 measured; 0 filtered out\n"
        let named = "     Running unittests src/lib.rs (target/release/deps/a-0123456789abcdef)\(section)"
            + "     Running benches/x.rs (target/release/deps/x-fedcba9876543210)\(section)"
            + "     Running unittests src/lib.rs (target/release/deps/b-00112233445566ff)\(section)"
        let results = try BenchmarkFormat.cargoBench.parse(Data(named.utf8), file: "b.txt").results
        #expect(results.map(\.displayName) == ["bench_x[target=src/lib.rs]", "bench_x[target=benches/x.rs]", "bench_x[target=src/lib.rs (b)]"])
        #expect { try BenchmarkFormat.cargoBench.parse(Data((section + section).utf8), file: "b.txt") } throws: { error in
            "\(error)".hasPrefix("b.txt: cargo-bench: line 8: 'bench_x' was already reported on line 3; capture cargo's stderr too (cargo bench 2>&1)")
        }
    }

    @Test("cargo bench: one failing name in two binaries keeps each binary's panic message")
    func cargoBenchSameFailureTwoBinaries() throws {
        func section(_ binary: String, _ message: String) -> String {
            "     Running benches/\(binary).rs (target/release/deps/\(binary)-0123456789abcdef)\n\nrunning 2 tests\n"
                + "test bench_ok ... bench:          10 ns/iter (+/- 1)\ntest bench_x ... FAILED\n\nfailures:\n\n---- bench_x stdout ----\n"
                + "thread 'main' panicked at '\(message)', benches/\(binary).rs:3:5\n\nfailures:\n    bench_x\n\n"
                + "test result: FAILED. 0 passed; 1 failed; 0 ignored; 1 measured; 0 filtered out\n\n"
        }
        let output = try BenchmarkFormat.cargoBench.parse(Data((section("a", "first") + section("b", "second")).utf8), file: "b.txt")
        #expect(output.failures == [BenchmarkFailure(benchmark: "bench_x[target=benches/a.rs]", reason: "panicked at 'first', benches/a.rs:3:5"),
                                    BenchmarkFailure(benchmark: "bench_x[target=benches/b.rs]", reason: "panicked at 'second', benches/b.rs:3:5")])
        #expect(output.results.map(\.displayName) == ["bench_ok[target=benches/a.rs]", "bench_ok[target=benches/b.rs]"])
    }

    @Test("cargo bench: output cut before a binary's 'test result:' is refused, naming the last line; a crash before the next binary too")
    func cargoBenchTruncated() throws {
        let whole = try Self.text("cargo-bench/two-binaries.rustc-1.97-nightly.txt")
        let cut = whole.components(separatedBy: "\n").prefix(17).joined(separator: "\n")
        #expect(cut.hasSuffix("= 473 MB/s"))
        #expect { try BenchmarkFormat.cargoBench.parse(Data(cut.utf8), file: "c.txt") } throws: { error in
            "\(error)".hasPrefix("c.txt: cargo-bench: line 17: is truncated: the test binary started on line 15 has no closing 'test result:' line; "
                                 + "the last line read is 'test bench_sort_1024 ... bench:")
        }
        let crashed = whole.replacingOccurrences(of: "test result: ok. 0 passed; 0 failed; 2 ignored; 2 measured; 0 filtered out; finished in 54.99s", with: "")
        #expect { try BenchmarkFormat.cargoBench.parse(Data(crashed.utf8), file: "c.txt") } throws: { error in
            "\(error)".hasPrefix("c.txt: cargo-bench: line 13: the test binary started on line 5 has no closing 'test result:' line; it crashed or its output was cut after line 9")
        }
    }

    @Test("cargo bench: criterion's --output-format bencher lines read as libtest's")
    func cargoBenchCriterionBencher() throws {
        let text = "test fib 15 ... bench:        2731 ns/iter (+/- 41)\n\ntest sort/unstable/64 ... bench:         413 ns/iter (+/- 9)\n"
        let results = try BenchmarkFormat.cargoBench.parse(Data(text.utf8), file: "b.txt").results
        #expect(results.map(\.displayName) == ["fib 15", "sort/unstable/64"] && results.map(\.samples) == [[2731], [413]])
    }

    @Test("cargo bench: recognised by its bench lines, and not another tool's output")
    func cargoBenchRecognizes() throws {
        #expect(CargoBenchFormat.recognizes(FormatProbe(try FormatTests.fixture("cargo-bench/two-binaries.rustc-1.63.txt"))))
        #expect(!CargoBenchFormat.recognizes(FormatProbe(try FormatTests.fixture("go-test.txt"))))
        #expect(!CargoBenchFormat.recognizes(FormatProbe(try FormatTests.fixture("iai/first-run.from-docs.txt"))))
    }

    // MARK: criterion-text

    /// One sample within a relative 1e-12 of `value`: unit conversions multiply.
    static func close(_ samples: [Double]?, _ value: Double) -> Bool {
        guard let samples, samples.count == 1 else { return false }
        return abs(samples[0] - value) <= abs(value) * 1e-12
    }

    /// criterion 0.3.6's `CliReport` lines (Debian's `librust-criterion-dev` source, `src/report.rs`):
    /// a second run, so with `change:` blocks, one of them with throughput.
    static var criterionSecondRun: String { get throws { try text("criterion-text/second-run.from-docs.txt") } }

    static let gibibyte: Double = 1024 * 1024 * 1024
    static let criterionRuns: [(String, [Double])] = [
        ("criterion-text/first-run.criterion-0.3.6.txt", [2472.2, 23.730, 320.96, 199.40e6, 132_540, 30.905e6, 9628.2, 6.3392 * gibibyte]),
        ("criterion-text/second-run.criterion-0.3.6.txt", [3225.0, 42.605, 1213.2, 52.752e6, 103_590, 39.540e6, 10_826, 5.6377 * gibibyte]),
    ]

    @Test("criterion 0.3.6's real terminal output: every benchmark's point estimate in ns, throughput apart, change blocks skipped",
          arguments: criterionRuns)
    func criterionTextReal(file: String, values: [Double]) throws {
        let (series, output) = try Self.parse(.criterionText, file)
        let names = ["fib 15", "a rather long benchmark name that wraps", "sort/unstable[input=64]", "sort/unstable.throughput[input=64]",
                     "sort/unstable[input=4096]", "sort/unstable.throughput[input=4096]", "checksum[input=65536]", "checksum.throughput[input=65536]"]
        #expect(output.results.map(\.displayName) == names.map { $0.replacingOccurrences(of: "]", with: ",target=benches/crit.rs]") }
            .map { $0.contains("[") ? $0 : $0 + "[target=benches/crit.rs]" })
        for (name, value) in zip(output.results.map(\.displayName), values) {
            #expect(Self.close(series[name]?.samples, value), "\(name): \(series[name]?.samples ?? [])")
        }
        #expect(output.results.allSatisfy { $0.benchmark.contains(".throughput") ? $0.direction == .higherIsBetter : $0.unit == "ns" && $0.direction == .lowerIsBetter })
    }

    @Test("criterion 0.3.6's real panic: the benchmark that panicked is its failure")
    func criterionTextRealPanic() throws {
        let output = try CriterionTextFormat.parse(try Self.text("criterion-text/panic.criterion-0.3.6.txt"),
                                                   FormatContext(file: "p.txt", format: .criterionText))
        #expect(output.results.isEmpty)
        #expect(output.failures == [BenchmarkFailure(benchmark: "panics[target=benches/crit.rs]", reason: "panicked at 'fixture asked to fail', benches/crit.rs:7:80")])
    }

    @Test("criterion's terminal: the point estimate in ns, throughput in items/s or B/s, long names on their own line, change blocks skipped")
    func criterionText() throws {
        let output = try BenchmarkFormat.criterionText.parse(Data(try Self.criterionSecondRun.utf8), file: "c.txt")
        let series = Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) })
        #expect(output.results.map(\.displayName) == ["fib 15", "a rather long benchmark name that wraps", "sort/unstable[input=64]",
                                                      "sort/unstable.throughput[input=64]", "checksum[input=65536]", "checksum.throughput[input=65536]"])
        #expect(Self.close(series["fib 15"]?.samples, 2763.9) && series["fib 15"]?.unit == "ns" && series["fib 15"]?.direction == .lowerIsBetter)
        #expect(series["a rather long benchmark name that wraps"]?.samples == [12.1])
        #expect(Self.close(series["sort/unstable.throughput[input=64]"]?.samples, 154.85e6) && series["sort/unstable.throughput[input=64]"]?.unit == "items/s")
        #expect(Self.close(series["checksum.throughput[input=65536]"]?.samples, 2.9755 * 1024 * 1024 * 1024))
        #expect(series["checksum.throughput[input=65536]"]?.unit == "B/s" && series["checksum.throughput[input=65536]"]?.direction == .higherIsBetter)
    }

    @Test("criterion's terminal: a terminal's overwritten progress and colours are read as shown; a panic is the benchmark's failure")
    func criterionTextTerminalAndPanic() throws {
        let terminal = "Benchmarking fib 15\r                   \rBenchmarking fib 15: Analyzing\r                              \r"
            + "\u{1B}[32mfib 15\u{1B}[39m                  time:   [\u{1B}[2m2.6736 µs\u{1B}[0m \u{1B}[1m2.7639 µs\u{1B}[0m \u{1B}[2m2.8258 µs\u{1B}[0m]\n"
            + "Benchmarking panics\nBenchmarking panics: Warming up for 200.00 ms\n"
            + "thread 'main' panicked at 'fixture asked to fail', benches/crit.rs:7:95\nerror: bench failed, to rerun pass `--bench crit`\n"
        let output = try BenchmarkFormat.criterionText.parse(Data(terminal.utf8), file: "t.txt")
        #expect(output.results.map(\.displayName) == ["fib 15"] && Self.close(output.results.first?.samples, 2763.9))
        #expect(output.failures == [BenchmarkFailure(benchmark: "panics", reason: "panicked at 'fixture asked to fail', benches/crit.rs:7:95")])
    }

    @Test("criterion's terminal: a panic between benchmarks, or cargo's 'error: bench failed' alone, stores the results with a warning that the rest did not run")
    func criterionTextStoppedBetweenBenchmarks() throws {
        let done = "Benchmarking fib\nBenchmarking fib: Analyzing\nfib                     time:   [2.0246 ns 2.2311 ns 2.4461 ns]\n"
            + "                        change: [+506.22% +649.99% +857.69%] (p = 0.00 < 0.05)\nFound 4 outliers among 100 measurements (4.00%)\n\n"
        let panicked = done + "thread 'main' panicked at 'explicit panic', benches/b.rs:42:5\n"
            + "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\nerror: bench failed\n"
        let output = try BenchmarkFormat.criterionText.parse(Data(panicked.utf8), file: "p.txt")
        #expect(output.results.map(\.displayName) == ["fib"] && output.failures.isEmpty)
        #expect(output.warnings == ["p.txt: line 7: the bench binary stopped between benchmarks (panicked at 'explicit panic', benches/b.rs:42:5); "
                                    + "the benchmarks after it did not run"], "\(output.warnings)")
        let failed = try BenchmarkFormat.criterionText.parse(Data((done + "error: bench failed, to rerun pass `--bench b`\n").utf8), file: "f.txt")
        #expect(failed.results.count == 1 && failed.warnings.count == 1 && failed.warnings[0].hasPrefix("f.txt: line 7: cargo says the benchmarks failed"),
                "\(failed.warnings)")
        // Both readers agree: the byte reader leaves such lines to the line reader.
        let lines = try CriterionTextFormat.parseLines(panicked, FormatContext(file: "p.txt", format: .criterionText))
        #expect(lines.warnings == output.warnings && lines.results.map(\.displayName) == ["fib"])
    }

    @Test("criterion's terminal: output that ends while a benchmark runs, or inside an estimate, is refused naming the last line")
    func criterionTextTruncated() throws {
        let whole = try Self.criterionSecondRun
        let lines = whole.components(separatedBy: "\n")
        let running = lines.prefix(10).joined(separator: "\n")
        #expect { try BenchmarkFormat.criterionText.parse(Data(running.utf8), file: "t.txt") } throws: { error in
            "\(error)".hasPrefix("t.txt: criterion-text: line 10: is truncated: 'a rather long benchmark name that wraps' started on line 10 has no 'time:' result; "
                                 + "the last line read is 'Benchmarking a rather long")
        }
        let midLine = String(whole[..<whole.range(of: "2.7639 µs")!.upperBound])
        #expect { try BenchmarkFormat.criterionText.parse(Data(midLine.utf8), file: "t.txt") } throws: { error in
            "\(error)".hasPrefix("t.txt: criterion-text: line 5: is not criterion's '[low point high]' estimate")
        }
        #expect(CriterionTextFormat.recognizes(FormatProbe(Data(try Self.criterionSecondRun.utf8))))
        #expect(!CriterionTextFormat.recognizes(FormatProbe(try FormatTests.fixture("cargo-bench/two-binaries.rustc-1.63.txt"))))
    }

    // MARK: criterion-json

    @Test("cargo-criterion JSON: every sample is measured_values / iteration_count, throughput per sample, ids split like the folder format")
    func criterionJSON() throws {
        let (series, output) = try Self.parse(.criterionJSON, "criterion-json/groups.from-docs.ndjson")
        #expect(output.results.map(\.displayName) == ["fib 15", "sort/unstable[input=64]", "sort/unstable.throughput[input=64]",
                                                      "sort/unstable[input=4096]", "sort/unstable.throughput[input=4096]",
                                                      "checksum[input=65536]", "checksum.throughput[input=65536]"])
        let fib = try #require(series["fib 15"])
        #expect(fib.samples.count == 10 && fib.unit == "ns" && fib.direction == .lowerIsBetter)
        #expect(abs(fib.samples[0] - 102_253.9 / 37) < 1e-9 && abs(fib.samples[9] - 1_011_396.5 / 370) < 1e-9)
        let rate = try #require(series["sort/unstable.throughput[input=64]"])
        let time = try #require(series["sort/unstable[input=64]"])
        #expect(rate.unit == "items/s" && rate.direction == .higherIsBetter && rate.samples.count == 10)
        #expect(abs(rate.samples[3] - 64 / (time.samples[3] / 1e9)) < 1e-6)
        #expect(series["checksum.throughput[input=65536]"]?.unit == "B/s")
    }

    @Test("cargo-criterion JSON: a cut last line and mismatched arrays are refused; other messages and lines are skipped")
    func criterionJSONBadInput() throws {
        let whole = try Self.text("criterion-json/groups.from-docs.ndjson")
        let cut = String(whole.prefix(whole.count - 60))
        #expect { try BenchmarkFormat.criterionJSON.parse(Data(cut.utf8), file: "j.ndjson") } throws: { error in
            "\(error)".hasPrefix("j.ndjson: criterion-json: line 6: column ") && "\(error)".contains("the message is cut or is not JSON")
        }
        let mismatched = #"{"reason":"benchmark-complete","id":"a","iteration_count":[1,2],"measured_values":[5],"unit":"ns","throughput":[]}"#
        #expect { try BenchmarkFormat.criterionJSON.parse(Data(mismatched.utf8), file: "j.ndjson") } throws: { error in
            "\(error)".hasPrefix("j.ndjson: criterion-json: line 1: 'a' has 2 iteration counts but 1 measured values")
        }
        let mixed = "Gnuplot not found, using plotters backend\n" + #"{"reason":"compiler-artifact","target":{}}"# + "\n"
            + #"{"reason":"benchmark-complete","id":"a","iteration_count":[2],"measured_values":[5],"unit":"ns","throughput":[]}"#
        #expect(try BenchmarkFormat.criterionJSON.parse(Data(mixed.utf8), file: "j.ndjson").results.map(\.samples) == [[2.5]])
        #expect(CriterionJSONFormat.recognizes(FormatProbe(Data(whole.utf8))))
        #expect(!CriterionJSONFormat.recognizes(FormatProbe(try FormatTests.fixture("hyperfine.json"))))
    }

    // MARK: iai

    @Test("iai: five deterministic counts per benchmark, one sample each, lower is better; changes since the last run skipped",
          arguments: ["iai/first-run.from-docs.txt", "iai/second-run.from-docs.txt"])
    func iai(file: String) throws {
        let (series, output) = try Self.parse(.iai, file)
        #expect(output.results.count == 10)
        let instructions = try #require(series["bench_fibonacci_short[target=benches/iai.rs]"])
        #expect(instructions.samples == [1735] && instructions.unit == "instructions" && instructions.direction == .lowerIsBetter)
        #expect(series["bench_fibonacci_long.estimated_cycles[target=benches/iai.rs]"]?.unit == "cycles")
        #expect(series["bench_fibonacci_long.ram_accesses[target=benches/iai.rs]"]?.samples == [14])
        #expect(series["bench_fibonacci_short.l1_accesses[target=benches/iai.rs]"]?.samples == [file.contains("second") ? 2365 : 2364])
    }

    @Test("iai: a benchmark cachegrind failed on is its failure; a block cut short is refused as truncated")
    func iaiFailureAndTruncation() throws {
        let (series, output) = try Self.parse(.iai, "iai/panic.from-docs.txt")
        #expect(series.count == 5)
        #expect(output.failures.map(\.benchmark) == ["bench_fibonacci_long[target=benches/iai.rs]"])
        #expect(output.failures.first?.reason.hasPrefix("panicked at 'Failed to run benchmark in cachegrind") == true)
        let cut = try Self.text("iai/first-run.from-docs.txt").components(separatedBy: "\n").prefix(14).joined(separator: "\n")
        #expect { try BenchmarkFormat.iai.parse(Data(cut.utf8), file: "i.txt") } throws: { error in
            "\(error)".hasPrefix("i.txt: iai: line 14: is truncated: 'bench_fibonacci_long' (line 11) has 3 of iai's 5 counts; the last line read is 'L2 Accesses:")
        }
        #expect(IaiFormat.recognizes(FormatProbe(Data(cut.utf8))))
        #expect(!IaiFormat.recognizes(FormatProbe(try FormatTests.fixture("cargo-bench/two-binaries.rustc-1.63.txt"))))
    }
}
