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

    @Test("a subsystem field that check flags is never replaced by a default: the subsystem fails its precheck with check's words")
    func flaggedSubsystemField() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addSubsystem("broken", config: ["active": true, "timeout": "abc", "priority": "x"],
                                     script: "#!/bin/sh\necho '{\"success\": true, \"message\": \"ran\"}' > \"$2/status.json\"\n")
            try fixture.addSubsystem("fine", config: ["active": true, "timeout": 0.5],
                                     script: "#!/bin/sh\necho '{\"success\": true, \"message\": \"ran\"}' > \"$2/status.json\"\n")
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let flagged = check.standardOutput.split(separator: "\n").filter { $0.contains("broken") }
            #expect(flagged.count == 2, "\(check.standardOutput)")
            let run = try await BenchBotProcess.run(["run", "--home", fixture.home])
            #expect(run.output.contains("subsystem broken: failed at precheck"), "\(run.output)")
            for line in flagged {
                #expect(run.output.contains(String(line.split(separator: ": ", maxSplits: 1).last ?? "")), "check's words \(line) in \(run.output)")
            }
            #expect(run.output.contains("subsystem fine: ok"), "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/subsystem/output/broken/status.json")))
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
