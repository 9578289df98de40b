import BenchBot
import Compare
import Foundation
import Testing

/// Issue 17's format fixes through the real `benchbot import`: custom units and `--direction`,
/// tool-marked failures stored as failed outcomes, and the files that were refused or merged.
@Suite("benchbot import: custom units, failures and the tools' real files")
struct ImportFormatFixesTests {
    static func fixture(_ name: String) -> String {
        (#filePath as NSString).deletingLastPathComponent.appending(path: "Fixtures/formats/\(name)")
    }

    static func runs(_ home: String, _ fixture: GitFixture, _ revision: String) async throws -> [StoredRun] {
        let commit = try #require(ObjectID(hex: try await fixture.head(revision)))
        return try await SQLiteStore.open(path: home.appending(path: "benchbot.sqlite")).runs(repository: "origin", commit: commit)
    }

    @Test("a custom unit imports with a warning on stderr; --direction sets it and silences the warning; a pattern matching nothing stores nothing")
    func customUnitAndDirection() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 3)
            let file = root.appending(path: "go.json")
            try #"{"benchmarks": [{"name": "BenchmarkSort.compares_per_op", "unit": "compares/op", "samples": [31, 30, 32]}, {"name": "BenchmarkSort", "unit": "ns", "samples": [5, 6]}]}"#
                .write(toFile: file, atomically: true, encoding: .utf8)
            let guessed = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main~2", "--format", "benchbot-json", file])
            #expect(guessed.status == 0)
            #expect(guessed.standardError.contains("warning: \(file): unit 'compares/op' of BenchmarkSort.compares_per_op: guessed lower is better"),
                    "\(guessed.standardError)")
            let stored = try #require(try await Self.runs(home, fixture, "main~2").first?.results.first { $0.benchmark == "BenchmarkSort.compares_per_op" })
            #expect(stored.unit == "compares/op" && stored.direction == .lowerIsBetter && stored.samples == [31, 30, 32])

            let set = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main~1", "--format", "benchbot-json",
                                                     "--direction", "*.compares_per_op=higher", file])
            #expect(set.status == 0 && !set.standardError.contains("guessed"), "\(set.standardError)")
            let directions = try await Self.runs(home, fixture, "main~1").first?.results.map { "\($0.benchmark)=\($0.direction.rawValue)" }.sorted()
            #expect(directions == ["BenchmarkSort.compares_per_op=higher_is_better", "BenchmarkSort=lower_is_better"])

            let typo = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "benchbot-json",
                                                      "--direction", "BenchmarkSrot=higher", file])
            #expect(typo.status == 1 && typo.standardError.contains("--direction 'BenchmarkSrot=…' matches no benchmark in the files"), "\(typo.standardError)")
            let bad = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "benchbot-json", "--direction", "x=up", file])
            #expect(bad.status == 1 && bad.standardError.contains("'up' is not a direction; use higher or lower"), "\(bad.standardError)")
            #expect(try await Self.runs(home, fixture, "main").isEmpty)
        }
    }

    @Test("Google Benchmark's SkipWithError runs (real 1.7.1 output) are stored as failed outcomes of the run, beside the other results")
    func googleBenchmarkFailures() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            let file = Self.fixture("google-benchmark/errors.1.7.1.json")
            let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main~1", "--format", "google-benchmark", file])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("imported 3 result(s)"), "\(result.standardOutput)")
            #expect(result.standardError.contains("\(file): BM_Broken failed: could not open data.bin"), "\(result.standardError)")
            let run = try #require(try await Self.runs(home, fixture, "main~1").first)
            #expect(Set(run.results.map(\.displayName)) == ["BM_Sum[arg0=8]", "BM_Sum[arg0=512]", "BM_Open[arg0=16]"])
            #expect(run.experiments.map { "\($0.experiment)|\($0.succeeded)|\($0.failedStage ?? "")|\($0.message)" } == [
                "BM_Open[arg0=4096]|false|run|input too large for the fixture", "BM_Broken|false|run|could not open data.bin",
            ])

            let allFailed = Self.fixture("google-benchmark/all-failed.1.7.1.json")
            let refused = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "google-benchmark", allFailed])
            #expect(refused.status == 1 && refused.standardError.contains("\(allFailed): google-benchmark: -: every benchmark failed; BM_Broken: could not open data.bin"),
                    "\(refused.standardError)")
            #expect(try await Self.runs(home, fixture, "main").isEmpty)
        }
    }

    @Test("files issue 17 found refused or merged import with every benchmark apart", arguments: [
        ("pytest-benchmark", "pytest-benchmark/collisions.5.2.3.json", 6),
        ("pytest-benchmark", "pytest-benchmark/collisions.3.0.0.json", 6),
        ("pytest-benchmark", "pytest-benchmark/stats-only.5.2.3.json", 6),
        ("jmh", "jmh-modes/two-modes.from-docs.json", 2),
        ("benchmarkdotnet", "benchmarkdotnet-jobs/two-runtimes.from-docs.json", 8),
        ("criterion", "criterion-pre-0.3.from-docs/0.2", 1),
        ("criterion", "criterion-pre-0.3.from-docs/0.1/.criterion", 1),
    ])
    func formerlyRefused(format: String, fixture: String, count: Int) async throws {
        try await withTemporaryDirectory { root in
            let (gitFixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", format, Self.fixture(fixture)])
            #expect(output.contains("imported \(count) result(s)"), "\(output)")
            let run = try #require(try await Self.runs(home, gitFixture, "main").first)
            #expect(Set(run.results.map(\.displayName)).count == count)
        }
    }

    @Test("a package-benchmark thresholds file is refused with what it is and what to pass; nothing is stored")
    func thresholdsRefused() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let file = Self.fixture("package-benchmark-thresholds/Sorting.sort.p90.from-docs.json")
            let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "package-benchmark", file])
            #expect(result.status == 1)
            #expect(result.standardError.contains("\(file): package-benchmark: -: is a package-benchmark thresholds file")
                && result.standardError.contains(".benchmarkBaselines/<target>/<baseline>/results.json"), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
            #expect(try await Self.runs(home, fixture, "main").isEmpty)
        }
    }
}
