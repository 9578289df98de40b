import BenchBot
import Foundation
import Subprocess
import Testing

/// Bad input gets one line naming the thing and the fix, a non-zero exit, and loses nothing stored.
@Suite("Bad input")
struct BadInputTests {
    /// The error lines of a failed command, which must be exactly one.
    func singleErrorLine(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(result.status != 0, "expected a failure", sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1, "expected one error line, got: \(result.standardError)", sourceLocation: sourceLocation)
        return lines.joined(separator: "\n")
    }

    @Test("an unknown ref names the ref and how to fetch it; the queue is untouched")
    func unknownRef() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            let line = singleErrorLine(try await BenchBotProcess.run(["enqueue", "--home", home, "--commit", "no-such-branch"]))
            #expect(line.contains("'no-such-branch'") && line.contains("--branch"))
            #expect(try await BenchBotProcess.jobs(home: home).count == 1)
            let branch = singleErrorLine(try await BenchBotProcess.run(["enqueue", "--home", home, "--branch", "no-such-branch"]))
            #expect(branch.contains("branch 'no-such-branch' does not exist") && branch.contains("check the branch name"), "\(branch)")
        }
    }

    @Test("an unreachable remote names the URL and the setting to fix")
    func unreachableRemote() async throws {
        try await withTemporaryDirectory { root in
            let home = root.appending(path: "home")
            let missing = root.appending(path: "nowhere.git")
            try await BenchBotProcess.succeed(["init", "--home", home, "--repo", missing])
            let line = singleErrorLine(try await BenchBotProcess.run(["poll", "--home", home]))
            #expect(line.contains("cannot fetch \(missing)") && line.contains("benchbot.repository.url"))
        }
    }

    @Test("a malformed config names the file, the line and the fix, and nothing is overwritten")
    func malformedConfig() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root)
            let file = home.appending(path: "config/config.json")
            let broken = "{\n  \"tmp_data_dir\": \"data\",\n  \"backup_dir\": oops\n}\n"
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
            for command in [["poll"], ["status"], ["init", "--repo", root]] {
                let line = singleErrorLine(try await BenchBotProcess.run(command + ["--home", home]))
                #expect(line.contains(file) && line.contains("line 3") && line.contains("fix the syntax"), "\(line)")
            }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == broken)
        }
    }

    @Test("a config with wrong types lists every problem as file: field: problem")
    func wrongTypes() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root)
            let file = home.appending(path: "config/config.json")
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            config["randomize"] = "yes"
            var benchbot = try #require(config["benchbot"] as? [String: Any])
            benchbot["suit"] = "typo"
            // A field with no name (a long fuzz run found it reported as naming nothing).
            benchbot[""] = false
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            let result = try await BenchBotProcess.run(["check", "--home", home])
            #expect(result.status == 1)
            #expect(result.standardOutput.contains("\(file): randomize: is a string, expected true or false"))
            #expect(result.standardOutput.contains("\(file): benchbot.suit: unknown field; did you mean 'suite'?"))
            #expect(result.standardOutput.contains("\(file): benchbot.\"\": unknown field (known: "), "\(result.standardOutput)")
        }
    }

    @Test("a directory that is not a repository is named, for the hook and its installer")
    func notARepository() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root)
            let plain = root.appending(path: "plain-folder")
            try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
            let install = singleErrorLine(try await BenchBotProcess.run(["hook", "install", "--home", home, "--repo", plain]))
            #expect(install.contains("\(plain) is not a git repository"))
            let zero = String(repeating: "0", count: 40), some = String(repeating: "a", count: 40)
            let hook = singleErrorLine(try await BenchBotProcess.run(
                ["hook", "post-receive", "--home", home, "--git-dir", plain], input: "\(zero) \(some) refs/heads/main\n"))
            #expect(hook.contains("\(plain) is not a git repository"))
        }
    }

    @Test("malformed hook input names the line and queues nothing")
    func malformedHookInput() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root)
            let line = singleErrorLine(try await BenchBotProcess.run(
                ["hook", "post-receive", "--home", home, "--git-dir", fixture.origin], input: "not a hook line\n"))
            #expect(line.contains("line 1"))
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("a corrupt store is reported with the fix and left byte for byte as it was")
    func corruptStore() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root)
            let store = home.appending(path: "benchbot.sqlite")
            let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try garbage.write(to: URL(fileURLWithPath: store))
            for command in [["status"], ["poll"], ["enqueue", "--commit", "main"]] {
                let line = singleErrorLine(try await BenchBotProcess.run(command + ["--home", home]))
                #expect(line.contains("store \(store) is damaged") && line.contains("backup_dir"), "\(line)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == garbage)
        }
    }

    @Test("a store locked by another process is reported, and the jobs already stored survive")
    func lockedStore() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root)
            try await setBusyTimeout(home: home, seconds: 0.3)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            try await fixture.commit("while locked")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main")
            let store = home.appending(path: "benchbot.sqlite")

            // python3's sqlite3 holds an exclusive write transaction until its standard input closes.
            let holder = """
                import sqlite3, sys
                connection = sqlite3.connect(sys.argv[1], isolation_level=None)
                connection.execute("BEGIN EXCLUSIVE")
                print("locked", flush=True)
                sys.stdin.readline()
                """
            let result = try await Subprocess.run(
                .name("python3"), arguments: ["-c", holder, store], input: .inputWriter, output: .sequence, error: .discarded
            ) { execution in
                for try await line in execution.standardOutput.strings() where line.contains("locked") { break }
                let blocked = try await BenchBotProcess.run(["poll", "--home", home])
                try await execution.standardInputWriter.finish()
                return blocked
            }
            let line = singleErrorLine(result.closureResult)
            #expect(line.contains("store \(store) stayed locked") && line.contains("busy_timeout"), "\(line)")
            #expect(try await BenchBotProcess.jobs(home: home).count == 1)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            #expect(try await BenchBotProcess.jobs(home: home).count == 2)
        }
    }

    private func setBusyTimeout(home: String, seconds: Double) async throws {
        let file = home.appending(path: "config/config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var benchbot = try #require(config["benchbot"] as? [String: Any])
        benchbot["store"] = ["path": "benchbot.sqlite", "busy_timeout": seconds]
        config["benchbot"] = benchbot
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
    }
}
