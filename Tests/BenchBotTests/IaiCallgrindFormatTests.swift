@testable import BenchBot
import Foundation
import Testing

/// iai-callgrind's terminal output and its `summary.json`, from the layouts of 0.3 to 0.16 and
/// summary schemas 2, 4 and 6 (`Fixtures/formats/iai-callgrind*/`, see SOURCES.md).
@Suite("iai-callgrind formats")
struct IaiCallgrindFormatTests {
    static func parse(_ format: BenchmarkFormat, _ name: String) throws -> (series: [String: BenchmarkResult], output: ParsedOutput) {
        try RustFormatTests.parse(format, name)
    }

    static func text(_ name: String) throws -> String { try RustFormatTests.text(name) }

    static func parse(_ text: String) throws(FormatError) -> ParsedOutput {
        try BenchmarkFormat.iaiCallgrind.parse(Data(text.utf8), file: "cb.txt")
    }

    // MARK: text

    @Test("text: each metric of each benchmark is one series of its new value; id and args are parameters; cargo's lines are skipped",
          arguments: ["iai-callgrind/first-run.from-docs.txt", "iai-callgrind/second-run-regressed.from-docs.txt"])
    func text(file: String) throws {
        let (series, output) = try Self.parse(.iaiCallgrind, file)
        #expect(output.results.count == 18 && output.failures.isEmpty)
        let large = "sort_bench::sort_group::bench_sort[args=(0..4096).rev().collect(),id=large]"
        let instructions = try #require(series[large], "\(series.keys.sorted())")
        #expect(instructions.samples == [file.contains("second") ? 951_106 : 905_217])
        #expect(instructions.unit == "instructions" && instructions.direction == .lowerIsBetter)
        let cycles = try #require(series["sort_bench::sort_group::bench_sort.estimated_cycles[args=(0..4096).rev().collect(),id=large]"])
        #expect(cycles.unit == "cycles" && cycles.samples == [file.contains("second") ? 1_265_456 : 1_213_453])
        // `L2 Hits` (before 0.14) and `LL Hits` are one event, LLhits.
        #expect(series["sort_bench::sort_group::bench_sort.ll_hits[args=vec![3, 1, 2],id=small]"]?.samples == [1])
        #expect(series["sort_bench::sort_group::bench_sort_unstable.total_rw"]?.unit == "count")
        #expect(series["sort_bench::sort_group::bench_sort.ram_hits[args=(0..4096).rev().collect(),id=large]"]?.samples == [file.contains("second") ? 0 : 12])
    }

    @Test("text: a regression iai-callgrind reports is a warning naming the benchmark; the results are stored")
    func regression() throws {
        let (_, output) = try Self.parse(.iaiCallgrind, "iai-callgrind/second-run-regressed.from-docs.txt")
        #expect(output.warnings.count == 1)
        #expect(output.warnings.first?.contains("regression of sort_bench::sort_group::bench_sort large: Callgrind: Instructions (905217 -> 951106)") == true,
                "\(output.warnings)")
    }

    @Test("text: other tools' sections are their own series; a description over two lines is one parameter; rates are percentages")
    func tools() throws {
        let (series, output) = try Self.parse(.iaiCallgrind, "iai-callgrind/tools.from-docs.txt")
        #expect(output.results.count == 7 + 8 + 4 + 7)
        let suffix = "[args=string with two lines,id=id]"
        #expect(series["alloc_bench::alloc_group::bench_collect" + suffix]?.samples == [4412])
        #expect(series["alloc_bench::alloc_group::bench_collect.ge" + suffix]?.samples == [3])
        #expect(series["alloc_bench::alloc_group::bench_collect.dhat.total_bytes" + suffix]?.unit == "B")
        #expect(series["alloc_bench::alloc_group::bench_collect.dhat.at_t_gmax_bytes" + suffix]?.samples == [1024])
        #expect(series["alloc_bench::alloc_group::bench_collect.memcheck.suppressed_contexts" + suffix]?.samples == [0])
        #expect(series["alloc_bench::alloc_group::bench_rates.cachegrind.instructions"]?.samples == [1200])
        let hitRate = try #require(series["alloc_bench::alloc_group::bench_rates.cachegrind.l1_hit_rate"])
        #expect(hitRate.unit == "%" && hitRate.direction == .higherIsBetter && hitRate.samples == [99.4])
        #expect(series["alloc_bench::alloc_group::bench_rates.cachegrind.i1_miss_rate"]?.direction == .lowerIsBetter)
    }

    @Test("text: before 0.8 (new value only, `(No change)`/`(+0.04%)`) reads the same series")
    func beforeComparisonColumns() throws {
        let (series, _) = try Self.parse(.iaiCallgrind, "iai-callgrind/before-0.8.from-docs.txt")
        #expect(series.count == 12)
        #expect(series["fib::fib_group::bench_fibonacci[args=30,id=long]"]?.samples == [26_214_734])
        #expect(series["fib::fib_group::bench_fibonacci.l1_hits[args=10,id=short]"]?.samples == [2359])
    }

    @Test("text: a benchmark whose run panicked is its failure with the panic; the other binary's results are stored")
    func failure() throws {
        let (series, output) = try Self.parse(.iaiCallgrind, "iai-callgrind/failure.from-docs.txt")
        #expect(series.count == 6)
        #expect(output.failures.map(\.benchmark) == ["broken::broken_group::bench_parse[args=\"\",id=empty]"])
        #expect(output.failures.first?.reason.contains("panicked at benches/broken.rs:9:5") == true)
    }

    @Test("text: colours, Windows line ends, a `Comparison with` block, per-process parts and a later version's new label")
    func shapes() throws {
        let plain = try Self.parse(Self.text("iai-callgrind/first-run.from-docs.txt"))
        let coloured = try Self.text("iai-callgrind/first-run.from-docs.txt")
            .replacingOccurrences(of: "sort_bench::", with: "\u{1B}[32msort_bench::").replacingOccurrences(of: "|", with: "\u{1B}[0m|")
        #expect(try Self.parse(coloured) == plain)
        #expect(try Self.parse(try Self.text("iai-callgrind/first-run.from-docs.txt").replacingOccurrences(of: "\n", with: "\r\n")) == plain)
        let compared = try Self.parse("""
            a::g::f one:1
              Instructions:                 10|N/A             (*********)
            a::g::f two:2
              Instructions:                 12|N/A             (*********)
              Comparison with f one:1
              Instructions:                 12|10              (+20.0000%) [+1.20000x]
              Baselines:                  main|main
              Bogus Metric:                  7|N/A             (*********)
              ## pid: 10 part: 1 thread: 1
              Command:             target/release/x
              Instructions:                  3|N/A             (*********)
              ## Total
              Instructions:                 13|N/A             (*********)

            """)
        // The comparison's values are skipped; a new label is kept when it has the `new|old` shape; `## Total` replaces the parts.
        #expect(compared.results.map(\.displayName) == ["a::g::f[args=1,id=one]", "a::g::f[args=2,id=two]"])
        #expect(compared.results.map(\.samples) == [[10], [13]])
        let bogus = try Self.parse("a::g::f\n  Instructions: 1|N/A (*********)\n  Bogus Metric: 7|N/A (*********)\n")
        #expect(bogus.results.map(\.displayName) == ["a::g::f", "a::g::f.bogus_metric"])
    }

    @Test("text: output cut inside a block is refused as truncated, naming the last line read", arguments: [
        // A header with nothing after it.
        ("a::g::f\n  Instructions: 1|N/A (*********)\na::g::h\n", "'a::g::h' (line 3) has no metric lines"),
        // A block shorter than the one before it, with the same metrics first.
        ("a::g::f\n  Instructions: 1|N/A (*********)\n  L1 Hits: 2|N/A (*********)\na::g::h\n  Instructions: 1|N/A (*********)\n",
         "has 1 of the 2 metrics"),
        // The last line without its line end.
        ("a::g::f\n  Instructions: 1|N/A (*********)\n  L1 Hits: 2", "ends inside a metric line"),
        // No closing line after a binary, where an earlier one had it.
        ("a::g::f\n  Instructions: 1|N/A (*********)\nIai-Callgrind result: Ok. 1 without regressions; 0 regressed; 1 benchmarks finished in 0.1s\n"
            + "     Running benches/b.rs (target/release/deps/b-0123456789abcdef)\nb::g::f\n  Instructions: 1|N/A (*********)\n",
         "from line 5 on have no closing 'Iai-Callgrind result:' line"),
    ])
    func truncated(text: String, reason: String) throws {
        #expect { try Self.parse(text) } throws: { error in
            "\(error)".hasPrefix("cb.txt: iai-callgrind: line ") && "\(error)".contains("is truncated: ") && "\(error)".contains(reason)
                && "\(error)".contains("the last line read is '")
        }
    }

    @Test("text: each cut inside a block after the first, at a line end, is refused; so is each cut inside a line",
          arguments: ["iai-callgrind/first-run.from-docs.txt", "iai-callgrind/second-run-regressed.from-docs.txt", "iai-callgrind/before-0.8.from-docs.txt"])
    func everyCut(file: String) throws {
        let lines = try Self.text(file).components(separatedBy: "\n")
        let second = try #require(lines.indices.filter { IaiCallgrindFormat.header(Substring(lines[$0])) != nil }.dropFirst().first)
        for count in (second + 2)..<lines.count where lines[count].hasPrefix("  ") && !lines[count].hasPrefix("   ") && !lines[count - 1].isEmpty {
            let cut = lines.prefix(count).joined(separator: "\n")
            #expect(throws: FormatError.self, "cut after line \(count) of \(file), with its line end") { try Self.parse(cut + "\n") }
            #expect(throws: FormatError.self, "cut inside line \(count) of \(file)") { try Self.parse(String(cut.dropLast(2))) }
        }
    }

    @Test("text: empty, another tool's and bheisler/iai's output are refused in one line")
    func refusals() throws {
        for other in ["iai/second-run.from-docs.txt", "cargo-bench/two-binaries.rustc-1.63.txt", "criterion-text/second-run.from-docs.txt", "go-test.txt"] {
            #expect { try BenchmarkFormat.iaiCallgrind.parse(try FormatTests.fixture(other), file: other) } throws: { error in
                "\(error)".hasPrefix("\(other): iai-callgrind: ") && !"\(error)".contains("\n")
            }
        }
        #expect { try Self.parse("  Instructions: 5|N/A (*********)\n") } throws: { "\($0)".contains("comes before any benchmark's header line") }
        #expect { try Self.parse("a::g::f\n  Instructions: many|N/A (*********)\n") } throws: { "\($0)".contains("'many' is not a value of Instructions") }
    }

    // MARK: JSON

    @Test("json v2: callgrind events and the other tools' costs and error summaries, the new value; an old-only event skipped")
    func jsonV2() throws {
        let (series, output) = try Self.parse(.iaiCallgrindJSON, "iai-callgrind-json/summary.v2.from-docs.json")
        let suffix = "[args=(0..4096).rev().collect(),id=large]"
        #expect(series.count == 6 + 8 + 4, "\(series.keys.sorted())")
        #expect(series["sort_bench::sort_group::bench_sort" + suffix]?.samples == [951_106])
        #expect(series["sort_bench::sort_group::bench_sort.ram_hits" + suffix]?.samples == [0])
        #expect(series["sort_bench::sort_group::bench_sort.ge" + suffix] == nil)
        #expect(series["sort_bench::sort_group::bench_sort.dhat.reads_bytes" + suffix]?.samples == [65536])
        #expect(series["sort_bench::sort_group::bench_sort.memcheck.errors" + suffix]?.samples == [0])
        #expect(output.warnings.count == 1 && output.warnings[0].contains("1 regression(s)"))
    }

    @Test("json v4 and v6: each tool's total; `Both` and `Left` give the new value, plain or tagged Int/Float; Massif's `None` is nothing")
    func jsonLater() throws {
        let (v4, _) = try Self.parse(.iaiCallgrindJSON, "iai-callgrind-json/summary.v4.from-docs.json")
        #expect(v4.count == 6, "\(v4.keys.sorted())")
        #expect(v4["cli_bench::cli_group::bench_cli[args=--help,id=help]"]?.samples == [318_842])
        #expect(v4["cli_bench::cli_group::bench_cli.sys_count[args=--help,id=help]"] == nil)
        let (v6, _) = try Self.parse(.iaiCallgrindJSON, "iai-callgrind-json/summary.v6.from-docs.json")
        #expect(v6.count == 10, "\(v6.keys.sorted())")
        #expect(v6["fib::fib_group::bench_fibonacci.l1_hit_rate[args=30,id=long]"]?.samples == [99.99999158])
        #expect(v6["fib::fib_group::bench_fibonacci.dhat.total_blocks[args=30,id=long]"]?.samples == [0])
    }

    @Test("json and text of one benchmark name the same series")
    func jsonMatchesText() throws {
        let (json, _) = try Self.parse(.iaiCallgrindJSON, "iai-callgrind-json/summary.v2.from-docs.json")
        let (text, _) = try Self.parse(.iaiCallgrind, "iai-callgrind/second-run-regressed.from-docs.txt")
        let callgrind = Set(json.keys.filter { !$0.contains(".dhat.") && !$0.contains(".memcheck.") })
        #expect(callgrind.count == 6 && callgrind.isSubset(of: Set(text.keys)))
        for name in callgrind { #expect(json[name]?.samples == text[name]?.samples && json[name]?.unit == text[name]?.unit, "\(name)") }
    }

    @Test("json: a summary of another shape is refused naming the field")
    func jsonRefusals() throws {
        let cases = [
            (#"{"version": "6", "module_path": "a::b::c", "profiles": [{"tool": "Callgrind", "summaries": {"total": {"summary": {"Callgrind": {"Ir": {"metrics": {"Left": "x"}}}}}}}]}"#,
             "profiles[0].summaries.total.summary.Callgrind.Ir.new: is a string, expected a number"),
            (#"{"version": "6", "module_path": "a::b::c", "profiles": []}"#, "holds no metrics of 'a::b::c'"),
            (#"{"module_path": "a::b::c", "profiles": []}"#, "version: missing"),
            (#"{"version": "2", "module_path": "a::b::c", "callgrind_summary": {"summaries": [{"events": {"Ir": {"x": 1}}}]}}"#,
             "callgrind_summary.summaries[0].events.Ir: has neither 'metrics' nor 'new'"),
        ]
        for (json, reason) in cases {
            #expect { try BenchmarkFormat.iaiCallgrindJSON.parse(Data(json.utf8), file: "s.json") } throws: { error in
                "\(error)".hasPrefix("s.json: iai-callgrind-json: ") && "\(error)".contains(reason)
            }
        }
    }

    // MARK: --format auto

    @Test("--format auto tells iai-callgrind's text and JSON from iai, cargo bench and criterion")
    func recognition() throws {
        for file in ["first-run", "second-run-regressed", "tools", "before-0.8", "failure"] {
            let probe = FormatProbe(try FormatTests.fixture("iai-callgrind/\(file).from-docs.txt"))
            #expect(try BenchmarkFormat.recognize(probe, file: file) == .iaiCallgrind, "\(file)")
        }
        for file in ["summary.v2", "summary.v4", "summary.v6"] {
            let probe = FormatProbe(try FormatTests.fixture("iai-callgrind-json/\(file).from-docs.json"))
            #expect(try BenchmarkFormat.recognize(probe, file: file) == .iaiCallgrindJSON, "\(file)")
        }
        for (file, format) in [("iai/first-run.from-docs.txt", BenchmarkFormat.iai), ("iai/second-run.from-docs.txt", .iai),
                               ("cargo-bench/two-binaries.rustc-1.63.txt", .cargoBench), ("criterion-text/second-run.from-docs.txt", .criterionText)] {
            #expect(try BenchmarkFormat.recognize(FormatProbe(try FormatTests.fixture(file)), file: file) == format, "\(file)")
        }
    }
}
