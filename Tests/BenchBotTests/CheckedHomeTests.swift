import BenchBot
import Foundation
import Testing

@Suite("Commands that act refuse what check rejects")
struct CheckedHomeTests {
    @Test("an experiment field that check flags is never replaced by a default: the experiment fails its precheck with check's words")
    func flaggedExperimentField() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment("size", options: ["timeout": "soon"])
            try fixture.addLoopLengthExperiment("other")
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let flagged = try #require(check.standardOutput.split(separator: "\n").first { $0.contains("size") && $0.contains("timeout") },
                                       "\(check.standardOutput)\(check.standardError)")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])

            let work = try await BenchBotProcess.run(["work", "--home", fixture.home])
            #expect(work.output.contains("size: failed at precheck"), "\(work.output)")
            let problem = String(flagged.split(separator: ": ", maxSplits: 1).last ?? "")
            #expect(work.output.contains(problem), "check's own words, \(problem), in \(work.output)")
            #expect(work.output.contains("other: ok"), "the other experiments run: \(work.output)")
        }
    }

    @Test("work, run and notify refuse a config file that check rejects, with check's lines, and exit 1")
    func flaggedConfigFile() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.editConfig { $0["randomize"] = "yes" }
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(check.status == 1)
            let problems = check.standardOutput.split(separator: "\n").map(String.init)
            #expect(!problems.isEmpty)
            for command in ["work", "run", "notify"] {
                let result = try await BenchBotProcess.run([command, "--home", fixture.home])
                #expect(result.status == 1, "\(command): \(result.output)")
                for problem in problems { #expect(result.standardError.contains(problem), "\(command): \(problem) in \(result.standardError)") }
            }
        }
    }
}

extension CommandResult {
    /// Standard output and standard error together.
    var output: String { standardOutput + standardError }
}
