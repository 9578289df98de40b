@testable import BenchBot
import Foundation
import Testing

@Suite("Commands that act refuse what check rejects")
struct CheckedHomeTests {
    @Test("an active experiment's field that check flags is never replaced by a default: work and run refuse the home with check's words")
    func flaggedExperimentField() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment("size", options: ["timeout": "soon"])
            try fixture.addLoopLengthExperiment("other")
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let flagged = try #require(check.standardOutput.split(separator: "\n").first { $0.contains("size") && $0.contains("timeout") },
                                       "\(check.standardOutput)\(check.standardError)")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            for command in ["work", "run"] {
                let result = try await BenchBotProcess.run([command, "--home", fixture.home])
                #expect(result.status == 1 && result.standardError.contains(String(flagged)), "\(command): \(result.output)")
            }
            #expect(try await BenchBotProcess.jobs(home: fixture.home).map(\.state) == ["queued"], "nothing ran on a default")
            // An inactive experiment's fields run nothing, so they stop nothing.
            try fixture.addLoopLengthExperiment("size", options: ["timeout": "soon", "active": false])
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.status == 0 && work.output.contains("other: ok"), "\(work.output)")
        }
    }

    @Test("an active subsystem's field that check flags is never replaced by a default: run refuses the home with check's words")
    func flaggedSubsystemField() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let script = "#!/bin/sh\necho '{\"success\": true, \"message\": \"ran\"}' > \"$2/status.json\"\n"
            try fixture.addSubsystem("broken", config: ["active": true, "timeout": "abc", "priority": "x"], script: script)
            try fixture.addSubsystem("fine", config: ["active": true, "timeout": 0.5], script: script)
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let flagged = check.standardOutput.split(separator: "\n").filter { $0.contains("broken") }
            #expect(flagged.count == 2, "\(check.standardOutput)")
            let run = try await BenchBotProcess.run(["run", "--home", fixture.home])
            #expect(run.status == 1, "\(run.output)")
            for line in flagged { #expect(run.standardError.contains(String(line)), "check's line \(line) in \(run.output)") }
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/subsystem/output/broken/status.json")))
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/subsystem/output/fine/status.json")))
        }
    }

    @Test("a config edited while a worker runs: the subsystem whose field check flags fails its precheck, the others run")
    func flaggedSubsystemAtRunTime() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let script = "#!/bin/sh\necho '{\"success\": true, \"message\": \"ran\"}' > \"$2/status.json\"\n"
            try fixture.addSubsystem("broken", config: ["active": true, "timeout": "abc"], script: script)
            try fixture.addSubsystem("fine", config: ["active": true], script: script)
            let check = HomeCheck(home: Home(root: fixture.home))
            let refused = Worker.flaggedSubsystems(check)
            #expect(refused.keys.sorted() == ["broken"], "\(refused)")
            #expect(refused["broken"]?.contains("timeout") == true, "\(refused)")
        }
    }

    @Test("the warning about forks running unsandboxed is given where pull requests come from GitHub, and only there")
    func unsandboxedWarningOnlyForGitHub() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            #expect(HomeCheck(home: Home(root: fixture.home)).warnings.isEmpty)
            try fixture.setNotify(["github": ["repository": "octo-org/octo-repo", "token_env": "TEST_GITHUB_TOKEN"]])
            let warnings = HomeCheck(home: Home(root: fixture.home)).warnings
            #expect(warnings.map(\.field) == ["benchbot.runner.untrusted_wrapper"], "\(warnings)")
        }
    }

    @Test("a token written into any config field is flagged by check, whatever the field is called")
    func tokenInAnyField() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addExperiment("leaky", config: ["active": false, "api": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                                                        "digest": "0123456789abcdef0123456789abcdef01234567"], scripts: [:])
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let lines = check.standardOutput.split(separator: "\n").filter { $0.contains("leaky") }
            #expect(check.status == 1 && lines.count == 1 && lines[0].contains(": api: holds a secret"), "\(check.standardOutput)")
            #expect(!check.standardOutput.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"))
        }
    }

    @Test("a token file kept in the home's config folder is left out of backups")
    func tokenFilesStayHome() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let secrets = fixture.home.appending(path: "config/secrets")
            try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
            try "ghp_SEKRITfile7770123456789".write(toFile: secrets.appending(path: "gh"), atomically: true, encoding: .utf8)
            try "kept".write(toFile: secrets.appending(path: "notes.txt"), atomically: true, encoding: .utf8)
            try fixture.setNotify(["github": ["repository": "o/r", "token_file": "config/secrets/gh", "api_url": "http://127.0.0.1:9"]])
            let home = Home(root: fixture.home)
            let archive = try await HomeBackup.create(home: home, config: try HomeConfig.load(from: home), label: "test")
            let listing = try await CommandRunner.run("tar", arguments: ["-tzf", archive], timeout: .seconds(60))
            #expect(listing.succeeded && listing.standardOutput.contains("config/secrets/notes.txt"), "\(listing.standardOutput)")
            #expect(!listing.standardOutput.contains("config/secrets/gh\n"), "\(listing.standardOutput)")
            let bytes = try await CommandRunner.run("sh", arguments: ["-c", "gzip -dc \"$1\" | grep -c SEKRIT || true", "sh", archive], timeout: .seconds(60))
            #expect(bytes.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
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
