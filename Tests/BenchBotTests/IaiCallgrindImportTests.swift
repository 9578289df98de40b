import BenchBot
import Foundation
import Testing

/// iai-callgrind's text and JSON through the real `benchbot import`: a whole output is stored, a
/// cut, empty or other tool's file is refused in one line naming it with exit 1 and nothing
/// stored, and one summary.json per benchmark, imported together, forms one run.
@Suite("benchbot import: iai-callgrind")
struct IaiCallgrindImportTests {
    static let fixtures = RustFormatImportTests.fixtures

    /// Each format, its output, how to cut it so that the format must refuse it, and why.
    static let cases: [(format: String, fixture: String, cut: @Sendable (String) -> String, reason: String, results: Int)] = [
        // Inside the last block, at a line end: shorter than the block before it.
        ("iai-callgrind", "iai-callgrind/first-run.from-docs.txt", { $0.components(separatedBy: "\n").prefix(25).joined(separator: "\n") + "\n" },
         "is truncated", 18),
        // Inside a JSON value, as a killed writer leaves a file.
        ("iai-callgrind-json", "iai-callgrind-json/summary.v6.from-docs.json", { String($0.prefix($0.count / 2)) }, "truncated or not JSON", 10),
    ]

    @Test("a whole output imports; a cut, an empty and another tool's file are each refused in one line naming the file, storing nothing",
          arguments: cases.map(\.format))
    func refusals(format: String) async throws {
        let entry = try #require(Self.cases.first { $0.format == format })
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let whole = try String(contentsOfFile: Self.fixtures.appending(path: entry.fixture), encoding: .utf8)
            let truncated = root.appending(path: "truncated.out"), empty = root.appending(path: "empty.out"), other = root.appending(path: "other.out")
            try entry.cut(whole).write(toFile: truncated, atomically: true, encoding: .utf8)
            try "\n\n".write(toFile: empty, atomically: true, encoding: .utf8)
            // Another tool's output of the same kind: iai's text, or a JSON file of another tool.
            let otherFixture = format == "iai-callgrind" ? "iai/second-run.from-docs.txt" : "hyperfine.json"
            try Data(contentsOf: URL(fileURLWithPath: Self.fixtures.appending(path: otherFixture))).write(to: URL(fileURLWithPath: other))
            for (file, reason) in [(truncated, entry.reason), (empty, "is empty"), (other, format == "iai-callgrind" ? "pass --format iai" : "is this iai-callgrind's summary.json")] {
                let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", format, file])
                let lines = result.standardError.split(separator: "\n")
                #expect(result.status == 1, "\(file): \(result.standardError)")
                #expect(lines.count == 1 && lines[0].contains("\(file): \(format): ") && lines[0].contains(reason), "\(result.standardError)")
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", format,
                                                            Self.fixtures.appending(path: entry.fixture)])
            #expect(output.contains("imported \(entry.results) result(s)"), "\(output)")
        }
    }

    @Test("two summary.json files of one commit, told apart by --format auto, form one run holding both benchmarks")
    func summariesFormOneRun() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let sha = try await fixture.head("main")
            let long = Self.fixtures.appending(path: "iai-callgrind-json/summary.v6.from-docs.json")
            let short = Self.fixtures.appending(path: "iai-callgrind-json/summary-short.v6.from-docs.json")
            let text = Self.fixtures.appending(path: "iai-callgrind/tools.from-docs.txt")
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", long, short])
            #expect(output.contains("\(long): read as iai-callgrind-json") && output.contains("\(short): read as iai-callgrind-json"), "\(output)")
            #expect(output.contains("imported 20 result(s)"), "\(output)")
            let runs = try await ImportGroupingTests.runs(home, sha)
            #expect(runs.count == 1)
            let names = Set(runs.first?.results.map(\.displayName) ?? [])
            #expect(names.contains("fib::fib_group::bench_fibonacci[args=30,id=long]") && names.contains("fib::fib_group::bench_fibonacci[args=10,id=short]"))
            #expect(runs.first?.results.first { $0.displayName == "fib::fib_group::bench_fibonacci[args=10,id=short]" }?.samples == [1734])
            // A later import of the text adds to the commit's run.
            let added = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", text])
            #expect(added.contains("\(text): read as iai-callgrind"), "\(added)")
            let after = try await ImportGroupingTests.runs(home, sha)
            #expect(after.count == 1 && after.first?.results.count == 20 + 26)
        }
    }
}
