@testable import BenchBot
import Compare
import Foundation
import Testing

/// `go-test` and `go-test-json` on real outputs of Debian's Go 1.19.8 (see Fixtures/formats/SOURCES.md).
@Suite("Formats: go test text and -json")
struct GoFormatTests {
    static let alpha = "example.invalid/gobench/alpha", beta = "example.invalid/gobench/beta"

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: name)))
    }

    static func parse(_ format: BenchmarkFormat, _ name: String) throws -> (series: [String: BenchmarkResult], output: ParsedOutput) {
        let output = try format.parse(try fixture(name), file: name)
        return (Dictionary(uniqueKeysWithValues: output.results.map { ($0.displayName, $0) }), output)
    }

    @Test("-count 3 -benchmem, two packages sharing BenchmarkSort, ReportMetric units, printing and failing benchmarks")
    func twoPackages() throws {
        let (series, output) = try Self.parse(.goTest, "go-test/two-packages.go1.19.8.txt")
        #expect(series["BenchmarkSort[pkg=\(Self.alpha),procs=2]"]?.samples == [10190, 611563, 57119])
        #expect(series["BenchmarkSort[pkg=\(Self.beta),procs=2]"]?.samples == [2081, 6683, 360.6])
        let compares = try #require(series["BenchmarkSortSizes.compares_per_op[n=256,pkg=\(Self.alpha),procs=2]"])
        #expect(compares.unit == "compares/op" && compares.direction == .lowerIsBetter && compares.samples == [16320, 16320, 16320])
        let items = try #require(series["BenchmarkSortSizes.items_per_s[n=16,pkg=\(Self.alpha),procs=2]"])
        #expect(items.unit == "items/s" && items.direction == .higherIsBetter && items.samples == [7544121, 1911944, 2710471])
        #expect(series["BenchmarkJoin.throughput[pkg=\(Self.beta),procs=2]"]?.samples == [258.21, 280.66, 595.66])
        #expect(series["BenchmarkJoin.bytes_per_op[pkg=\(Self.beta),procs=2]"]?.unit == "B")
        // Printed lines before the result, and output glued in front of it without a newline.
        #expect(series["BenchmarkPrints[pkg=\(Self.beta),procs=2]"]?.samples == [70.30, 82.84, 65.03])
        #expect(series["BenchmarkPrintsNoNewline[pkg=\(Self.beta),procs=2]"]?.samples == [74.08, 70.92, 87.12])
        #expect(series["BenchmarkLogs[pkg=\(Self.beta),procs=2]"]?.samples == [86.17, 94.84, 474.9])
        #expect(output.results.count == 30)
        #expect(output.failures.map(\.benchmark) == ["BenchmarkFails[pkg=\(Self.beta),procs=2]"])
        #expect(output.failures.first?.reason.contains("beta_test.go:52: fails on purpose at N=100 (3 times)") == true, "\(output.failures)")
        // One line per guessed series, in the shape `--direction` settles.
        let guessed = output.results.filter { $0.unit == "compares/op" }
        #expect(!guessed.isEmpty && output.warnings.count == guessed.count, "\(output.warnings)")
        #expect(output.warnings.allSatisfy { $0.contains("'compares/op'") && $0.contains("guessed lower is better") }, "\(output.warnings)")
        let settled = try DirectionOverrides(arguments: ["*compares_per_op*=lower"]).apply(to: output)
        #expect(settled.warnings.isEmpty, "\(settled.warnings)")
    }

    @Test("go test -v: === RUN, --- PASS, bare names and logs before results are skipped; the same series as without -v")
    func verbose() throws {
        let (series, output) = try Self.parse(.goTest, "go-test/two-packages-v.go1.19.8.txt")
        let (plain, _) = try Self.parse(.goTest, "go-test/two-packages.go1.19.8.txt")
        #expect(Set(series.keys) == Set(plain.keys))
        #expect(series["BenchmarkSort[pkg=\(Self.alpha),procs=2]"]?.samples == [102357, 540997])
        #expect(series["BenchmarkPrintsNoNewline[pkg=\(Self.beta),procs=2]"]?.samples == [8933, 4511])
        #expect(series["BenchmarkLogs[pkg=\(Self.beta),procs=2]"]?.samples == [22257, 2868])
        #expect(output.failures.count == 1 && output.failures[0].reason.contains("fails on purpose at N=100"), "\(output.failures)")
    }

    @Test("failures: a panic, a failed sub-benchmark (not its parent), a failed test; the rest are stored", arguments: [
        "go-test/failures.go1.19.8.txt", "go-test/failures-v.go1.19.8.txt",
    ])
    func failures(_ name: String) throws {
        let (series, output) = try Self.parse(.goTest, name)
        let panics = "example.invalid/gofail/panics", subfail = "example.invalid/gofail/subfail"
        #expect(series["BenchmarkBefore[pkg=\(panics),procs=2]"]?.samples.count == 2)
        #expect(series["BenchmarkRepeat[n=8,pkg=\(subfail),procs=2]"]?.samples.count == 2)
        #expect(series["BenchmarkFine[pkg=\(subfail),procs=2]"]?.samples.count == 2)
        #expect(output.failures.map(\.benchmark).sorted() == ["BenchmarkPanics[pkg=\(panics),procs=2]", "BenchmarkRepeat[n=64,pkg=\(subfail),procs=2]"])
        #expect(output.failures.first { $0.benchmark.hasPrefix("BenchmarkPanics") }?.reason.contains("panic: boom") == true, "\(output.failures)")
        #expect(output.failures.first { $0.benchmark.hasPrefix("BenchmarkRepeat") }?.reason.contains("n=64 is not supported") == true)
        #expect(output.warnings.contains { $0.contains("example.invalid/gofail/testfail") && $0.contains("TestBroken") }, "\(output.warnings)")
        if name.contains("-v") {
            #expect(output.warnings.contains { $0.contains("BenchmarkSkipped") && $0.contains("needs a GPU") }, "\(output.warnings)")
        }
    }

    @Test("go test -json: lines split across output events are put back together; the same values as the text")
    func json() throws {
        let (series, output) = try Self.parse(.goTestJSON, "go-test-json/two-packages.go1.19.8.jsonl")
        #expect(series["BenchmarkSort[pkg=\(Self.alpha),procs=2]"]?.samples == [220439, 952.8])
        #expect(series["BenchmarkSort[pkg=\(Self.beta),procs=2]"]?.samples == [206.5, 183.3])
        #expect(series["BenchmarkSortSizes.compares_per_op[n=256,pkg=\(Self.alpha),procs=2]"]?.unit == "compares/op")
        #expect(series["BenchmarkPrintsNoNewline[pkg=\(Self.beta),procs=2]"]?.samples == [95.38, 85.49])
        #expect(series["BenchmarkLogs[pkg=\(Self.beta),procs=2]"]?.samples == [152.3, 85.18])
        #expect(output.results.count == 30 && output.failures.map(\.benchmark) == ["BenchmarkFails[pkg=\(Self.beta),procs=2]"])
        #expect(output.warnings.count == output.results.filter { $0.unit == "compares/op" }.count)

        let failed = try Self.parse(.goTestJSON, "go-test-json/failures.go1.19.8.jsonl")
        #expect(failed.output.failures.map(\.benchmark).sorted() == ["BenchmarkPanics[pkg=example.invalid/gofail/panics,procs=2]",
                                                                     "BenchmarkRepeat[n=64,pkg=example.invalid/gofail/subfail,procs=2]"])
        #expect(failed.series["BenchmarkFine[pkg=example.invalid/gofail/subfail,procs=2]"]?.samples == [17.92, 22.49])
    }

    /// Each package's series, by package, from a parse.
    static func packages(_ results: [BenchmarkResult]) -> [String: [BenchmarkResult]] {
        Dictionary(grouping: results) { $0.parameters["pkg"] ?? "" }
    }

    @Test("a file cut at any line boundary is refused as truncated, naming the last line, or holds only whole packages",
          arguments: [(BenchmarkFormat.goTest, "go-test/two-packages.go1.19.8.txt"), (.goTest, "go-test/two-packages-v.go1.19.8.txt"),
                      (.goTest, "go-test/failures.go1.19.8.txt"), (.goTestJSON, "go-test-json/two-packages.go1.19.8.jsonl"),
                      (.goTestJSON, "go-test-json/failures.go1.19.8.jsonl")])
    func cutAtEveryLine(_ format: BenchmarkFormat, _ name: String) throws {
        let text = String(decoding: try Self.fixture(name), as: UTF8.self)
        let full = Self.packages(try format.parse(Data(text.utf8), file: name).results)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var refused = 0
        for count in 1..<lines.count - 1 {
            let cut = lines[..<count].joined(separator: "\n") + "\n"
            do {
                for (package, results) in Self.packages(try format.parse(Data(cut.utf8), file: "cut.txt").results) {
                    #expect(results == full[package], "\(name) cut after line \(count): package \(package) read in part")
                }
            } catch {
                refused += 1
                let message = "\(error)"
                #expect(message.hasPrefix("cut.txt: \(format.rawValue): "), "\(message)")
                #expect(!message.contains("\n"))
                if message.contains("truncated") {
                    #expect(message.contains("Last line read: '") || message.contains("Last output read: '"), "\(message)")
                }
            }
        }
        #expect(refused > 0)
    }

    @Test("a benchmark that prints without a newline, then its result on the next line, is read; a tab-less copy and doubled tabs too")
    func handMadeShapes() throws {
        let split = "pkg: p\nBenchmarkX-8   \tsome output\nmore output\n    1000\t       123 ns/op\t  7 widgets/op\nPASS\nok  \tp\t0.1s\n"
        let output = try BenchmarkFormat.goTest.parse(Data(split.utf8), file: "s.txt")
        #expect(output.results.map(\.displayName) == ["BenchmarkX[pkg=p,procs=8]", "BenchmarkX.widgets_per_op[pkg=p,procs=8]"])
        #expect(output.results.map(\.samples) == [[123], [7]])
        let spaced = "BenchmarkY-2    2000    95.40 ns/op    8 B/op\nPASS\n"
        #expect(try BenchmarkFormat.goTest.parse(Data(spaced.utf8), file: "s.txt").results.map(\.displayName) == ["BenchmarkY[procs=2]", "BenchmarkY.bytes_per_op[procs=2]"])
        // Output that only looks like a result, with no benchmark name and none pending, is skipped.
        let noise = "Benchmarking is fun\t1000\t5 ns/op\nBenchmarkZ  \t 10\t 5 ns/op\nPASS\n"
        #expect(try BenchmarkFormat.goTest.parse(Data(noise.utf8), file: "s.txt").results.map(\.displayName) == ["BenchmarkZ"])
        // Doubled tabs, and tabs padded with spaces, separate fields as one tab does (Go's benchfmt reads them so).
        let doubled = "BenchmarkA-8\t\t5000000\t\t325 ns/op\t\t16 B/op\t\nBenchmarkB-8   \t \t5000000\t 300 ns/op\nPASS\n"
        let read = try BenchmarkFormat.goTest.parse(Data(doubled.utf8), file: "s.txt")
        #expect(read.results.map(\.displayName) == ["BenchmarkA[procs=8]", "BenchmarkA.bytes_per_op[procs=8]", "BenchmarkB[procs=8]"])
        #expect(read.results.map(\.samples) == [[325], [16], [300]])
    }

    @Test("a name's base and parameters, found in its bytes, are those of the walk over its Substring", arguments: [
        "BenchmarkA", "BenchmarkA-8", "BenchmarkA/n=8-2", "BenchmarkA-+8", "BenchmarkA-", "BenchmarkA-+", "BenchmarkA-08", "/BenchmarkA-2",
        "//a//b=1/-2", "BenchmarkA-x/n=8-2", "BenchmarkA-9223372036854775807", "BenchmarkA-9223372036854775808",
        "BenchmarkA-123456789012345678", "BenchmarkA-1234567890123456789", "BenchmarkA-\u{301}8", "Benchmark\u{E9}/k=e\u{301}-2",
        "-2", "-", "/", "", "BenchmarkA/-/=/x=-3", "BenchmarkA-8 ", "BenchmarkA-0x8", "BenchmarkA/x-+8", "BenchmarkA/x=1-\u{FF18}",
    ])
    func baseFromBytes(_ name: String) {
        // The walk this replaced, kept as the reference.
        func dash(_ name: Substring) -> Substring.Index? {
            guard let dash = name.utf8.lastIndex(of: UInt8(ascii: "-")), Int(name[name.utf8.index(after: dash)...]) != nil else { return nil }
            return dash
        }
        func base(_ name: Substring) -> Range<Substring.Index> {
            let utf8 = name.utf8
            let end = dash(name) ?? utf8.endIndex
            var start = utf8.startIndex
            while start < end {
                let part = utf8[start..<end].firstIndex(of: UInt8(ascii: "/")) ?? end
                if part > start { return start..<part }
                start = utf8.index(after: part)
            }
            return utf8.startIndex..<end
        }
        // Also as a slice in the middle of a longer text, as names are.
        let text = "x\n" + name + "\ny"
        let slice = text.dropFirst(2).dropLast(2)
        for name in [Substring(name), slice] {
            let found = GoTestSeries.base(of: name)
            #expect(found == base(name), "\(name)")
            // The procs, by the old walk's dash, and the parameters' end, which the procs suffix bounds.
            let procs = dash(name).flatMap { Int(name[name.utf8.index(after: $0)...]) }.map(String.init)
            #expect(GoTestSeries.parameters(of: name, after: found)["procs"] == procs, "\(name)")
            var reference: [String: String] = [:]
            for (place, part) in name.utf8[base(name).upperBound..<(dash(name) ?? name.endIndex)].split(separator: UInt8(ascii: "/")).enumerated() {
                let bytes = Array(part)
                if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                    reference[String(decoding: bytes[..<equals], as: UTF8.self)] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
                } else {
                    reference["sub\(place)"] = String(decoding: bytes, as: UTF8.self)
                }
            }
            #expect(GoTestSeries.parameters(of: name, after: found).filter { $0.key != "procs" } == reference, "\(name)")
        }
    }

    @Test("after 1,100 ends met once each, the ends' table shuts and names are still taken apart right")
    func tailsTableShuts() throws {
        let unique = (0..<1100).map { "BenchmarkU\($0)/n=\($0)-2 \t 10\t \($0) ns/op" }
        let again = (0..<20).map { "BenchmarkV\($0)/n=\($0 % 2)-2 \t 10\t \($0) ns/op" }
        let text = (["pkg: p"] + unique + again + ["PASS", "ok  \tp\t0.1s", ""]).joined(separator: "\n")
        let output = try BenchmarkFormat.goTest.parse(Data(text.utf8), file: "u.txt")
        #expect(output.results.count == 1120)
        #expect(output.results[1099].displayName == "BenchmarkU1099[n=1099,pkg=p,procs=2]")
        #expect(output.results.suffix(20).map(\.displayName) == (0..<20).map { "BenchmarkV\($0)[n=\($0 % 2),pkg=p,procs=2]" })
        #expect(output.results.map(\.samples) == ((0..<1100).map { [Double($0)] } + (0..<20).map { [Double($0)] }))
        // Shut, the table no longer hands V0's parameters to V2, which ends alike but not next to it.
        let byName = Dictionary(uniqueKeysWithValues: output.results.map { ($0.benchmark, $0.parameters) })
        #expect(byName["BenchmarkV2"] == byName["BenchmarkV0"] && !byName["BenchmarkV2"]!.sharesStorage(with: byName["BenchmarkV0"]!))
    }

    @Test("two spellings of one package's name keep their own bytes when the end of a name is met again")
    func packageSpellings() throws {
        let text = """
            pkg: ex/caf\u{E9}
            BenchmarkA/n=1-2 \t 10\t 1 ns/op
            PASS
            ok  \tex/caf\u{E9}\t0.1s
            pkg: ex/cafe\u{301}
            BenchmarkB/n=2-2 \t 10\t 2 ns/op
            BenchmarkC/n=1-2 \t 10\t 3 ns/op
            PASS
            ok  \tex/cafe\u{301}\t0.1s

            """
        let output = try BenchmarkFormat.goTest.parse(Data(text.utf8), file: "p.txt")
        #expect(output.results.map { Array($0.parameters["pkg"]!.utf8) } == [Array("ex/caf\u{E9}".utf8), Array("ex/cafe\u{301}".utf8), Array("ex/cafe\u{301}".utf8)])
    }

    @Test("names that end alike share their parameters only within a package; odd shapes keep their own")
    func namesEndingAlike() throws {
        let text = """
            pkg: p
            BenchmarkA/n=8-2   \t 10\t 1 ns/op
            BenchmarkB/n=8-2   \t 10\t 2 ns/op
            BenchmarkC-2       \t 10\t 3 ns/op
            BenchmarkD-2       \t 10\t 4 ns/op
            BenchmarkE         \t 10\t 5 ns/op
            Benchmark/n=8-2    \t 10\t 6 ns/op
            BenchmarkF//n=8-2  \t 10\t 7 ns/op
            BenchmarkG/x/n=8-2 \t 10\t 8 ns/op
            BenchmarkH-x/n=8-2 \t 10\t 9 ns/op
            BenchmarkJ/n=9-2   \t 10\t 11 ns/op
            BenchmarkK/n=8-2   \t 10\t 12 ns/op
            BenchmarkM/k=e\u{301}-2 \t 10\t 13 ns/op
            BenchmarkN/k=\u{E9}-2 \t 10\t 14 ns/op
            BenchmarkO/k=e\u{301}-2 \t 10\t 15 ns/op
            PASS
            ok  \tp\t0.1s
            pkg: q
            BenchmarkI-x/n=8-2 \t 10\t 10 ns/op
            BenchmarkL/n=8-2   \t 10\t 16 ns/op
            PASS
            ok  \tq\t0.1s

            """
        let output = try BenchmarkFormat.goTest.parse(Data(text.utf8), file: "e.txt")
        #expect(output.results.map(\.displayName) == [
            "BenchmarkA[n=8,pkg=p,procs=2]", "BenchmarkB[n=8,pkg=p,procs=2]", "BenchmarkC[pkg=p,procs=2]", "BenchmarkD[pkg=p,procs=2]",
            "BenchmarkE[pkg=p]", "Benchmark[n=8,pkg=p,procs=2]", "BenchmarkF[n=8,pkg=p,procs=2]", "BenchmarkG[n=8,pkg=p,procs=2,sub0=x]",
            "BenchmarkH-x[n=8,pkg=p,procs=2]", "BenchmarkJ[n=9,pkg=p,procs=2]", "BenchmarkK[n=8,pkg=p,procs=2]",
            "BenchmarkM[k=e\u{301},pkg=p,procs=2]", "BenchmarkN[k=\u{E9},pkg=p,procs=2]", "BenchmarkO[k=e\u{301},pkg=p,procs=2]",
            "BenchmarkI-x[n=8,pkg=q,procs=2]", "BenchmarkL[n=8,pkg=q,procs=2]",
        ])
        #expect(output.results.map(\.samples) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 10, 16].map { [Double($0)] })
        // An ASCII end met again after others shares the first one's parameters, in its package only;
        // ends outside ASCII keep their own bytes, which may spell the same text another way.
        let results = Dictionary(uniqueKeysWithValues: output.results.map { ($0.benchmark, $0.parameters) })
        #expect(results["BenchmarkK"]!.sharesStorage(with: results["BenchmarkA"]!))
        #expect(!results["BenchmarkL"]!.sharesStorage(with: results["BenchmarkA"]!) && results["BenchmarkL"]!["pkg"] == "q")
        #expect(Array(results["BenchmarkM"]!["k"]!.utf8) == Array("e\u{301}".utf8))
        #expect(Array(results["BenchmarkN"]!["k"]!.utf8) == Array("\u{E9}".utf8))
        #expect(Array(results["BenchmarkO"]!["k"]!.utf8) == Array("e\u{301}".utf8))
    }

    @Test("recognizes: each Go format says yes to its own real outputs and no to the other's and to JSON documents")
    func recognizes() throws {
        for name in ["go-test/two-packages.go1.19.8.txt", "go-test/two-packages-v.go1.19.8.txt", "go-test/failures.go1.19.8.txt", "go-test.txt"] {
            let probe = FormatProbe(try Self.fixture(name))
            #expect(GoTestFormat.recognizes(probe) && !GoTestJSONFormat.recognizes(probe), "\(name)")
        }
        for name in ["go-test-json/two-packages.go1.19.8.jsonl", "go-test-json/failures.go1.19.8.jsonl"] {
            let probe = FormatProbe(try Self.fixture(name))
            #expect(GoTestJSONFormat.recognizes(probe) && !GoTestFormat.recognizes(probe), "\(name)")
        }
        for name in ["hyperfine.json", "google-benchmark.json", "pytest-benchmark.json", "jmh.from-docs.json"] {
            let probe = FormatProbe(try Self.fixture(name))
            #expect(!GoTestFormat.recognizes(probe) && !GoTestJSONFormat.recognizes(probe), "\(name)")
        }
        // Every benchmark failed: still go test's, so auto reads it and the refusal gives the reasons.
        let failed = "goos: linux\npkg: p\nBenchmarkError\n    bench_test.go:6: error message\n--- FAIL: BenchmarkError\nFAIL\nexit status 1\nFAIL\tp\t0.002s\n"
        #expect(try BenchmarkFormat.recognize(FormatProbe(Data(failed.utf8)), file: "f.txt") == .goTest)
        #expect { try BenchmarkFormat.goTest.parse(Data(failed.utf8), file: "f.txt") } throws: { error in
            "\(error)".contains("every benchmark failed") && "\(error)".contains("error message")
        }
        // A test's failure alone is not a benchmark's.
        #expect(!GoTestFormat.recognizes(FormatProbe(Data("--- FAIL: TestX (0.00s)\nFAIL\n".utf8))))
    }
}
