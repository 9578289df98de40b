import BenchBot
import Foundation
import Notify
import TestHTTPServer
import Testing

/// A home on a small tmpfs that fills up: mid-job, then for every command.
@Suite("Full disk")
struct FullDiskTests {
    /// Mounts a tmpfs of `megabytes` at `folder`, or says why it cannot.
    static func mountTmpfs(at folder: String, megabytes: Int) async throws -> String? {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard getuid() == 0 else { return "mounting a tmpfs needs root" }
        let result = try await CommandRunner.run("mount", arguments: ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder], timeout: .seconds(30))
        return result.succeeded ? nil : "mount -t tmpfs was refused: \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// Fills the disk holding `path` to the last byte.
    static func fill(_ path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        let block = Data(count: 1 << 16)
        while (try? handle.write(contentsOf: block)) != nil {}
        // The last partial block, byte by byte in halves.
        var size = 1 << 15
        while size > 0 {
            if (try? handle.write(contentsOf: Data(count: size))) == nil { size /= 2 }
        }
    }

    static func jobStates(_ home: String) async throws -> [String] {
        try await BenchBotProcess.jobs(home: home).map(\.state)
    }

    @Test("a full disk mid-job and then for every command: one-line errors and exit 1, a sound store, no job left running; freed, everything completes")
    func fullDisk() async throws {
        try await withTemporaryDirectory { root in
            let disk = root.appending(path: "disk")
            if let reason = try await Self.mountTmpfs(at: disk, megabytes: 48) {
                print("FullDiskTests skipped: \(reason)")
                return
            }
            defer { _ = umount2(disk, Int32(MNT_DETACH)) }
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                try await Self.scenario(disk: disk, server: server, fake: fake)
            }
        }
    }

    @Test("a file size limit of 0, the stand-in for a full disk where no tmpfs can be mounted: each command fails with one line, and nothing is lost")
    func fileSizeLimit() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            print("FullDiskTests.fileSizeLimit skipped: prlimit is not installed")
            return
        }
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment()
            let head = try await fixture.git.head()
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let exports = root.appending(path: "exports.json")
            try #"{"benchmarks": [{"name": "parse", "unit": "ms", "samples": [1, 2]}]}"#.write(toFile: exports, atomically: false, encoding: .utf8)
            try fixture.setNotify(["slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK"]])
            try await fixture.store().enqueueNotifications([OutgoingMessageFixture.slack("limited")], now: Date())
            let commands: [[String]] = [
                ["work"], ["notify", "--wait", "0"], ["import", "--commit", head, "--format", "benchbot-json", exports], ["site"], ["run"],
                ["enqueue", "--commit", head, "--rerun"],
            ]
            for command in commands {
                // SIGXFSZ ignored, as a daemon's supervisor would: a write past the limit fails with EFBIG instead of killing.
                let result = try await CommandRunner.run(
                    "sh", arguments: ["-c", #"trap '' XFSZ; exec prlimit --fsize=0 -- "$@""#, "sh", BenchBotProcess.executable,
                                      command[0], "--home", fixture.home] + command.dropFirst(),
                    environment: GitFixture.environment.merging(["TEST_SLACK_WEBHOOK": "http://127.0.0.1:9/hook"]) { $1 }, timeout: .seconds(120))
                let lines = result.standardError.split(separator: "\n").filter { !$0.isEmpty }
                #expect(result.status != 0 && result.status < 128, "\(command[0]) under a file size limit: status \(result.status): \(result.standardError)")
                #expect(command[0] == "run" ? !lines.isEmpty : lines.count == 1, "\(command[0]): \(result.standardError)")
            }
            let integrity = try await CommandRunner.run("sqlite3", arguments: [fixture.home.appending(path: "benchbot.sqlite"), "PRAGMA integrity_check"],
                                                        timeout: .seconds(30))
            #expect(integrity.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            #expect(try await !Self.jobStates(fixture.home).contains("running"))
            let resumed = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(resumed.status == 0 && resumed.standardOutput.contains(": done"), "\(resumed.standardOutput)\(resumed.standardError)")
        }
    }

    static func scenario(disk: String, server: String, fake: FakeSlackAndGitHub) async throws {
        let fixture = try await RunnerFixture.make(in: disk, commits: 1)
        let filler = disk.appending(path: "filler"), fillFlag = disk.appending(path: "fill-after-run")
        var stages = RunnerFixture.timingStages
        // The experiment's run fills the disk when asked: what follows (analysis, the store) finds no room.
        stages["run.sh"]! += "\n[ -e \"\(fillFlag)\" ] && rm \"\(fillFlag)\" && cat /dev/zero > \"\(filler)\" 2>/dev/null\ntrue"
        try fixture.addExperiment("loop", scripts: stages)
        try fixture.setNotify(["slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK"]])
        let environment: [String: String?] = ["TEST_SLACK_WEBHOOK": "\(server)/slack/hook"]
        try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
        let store = try fixture.store()
        try await store.enqueueNotifications([OutgoingMessageFixture.slack("full disk 1")], now: Date())

        // Mid-job: the run fills the disk.
        _ = FileManager.default.createFile(atPath: fillFlag, contents: nil)
        let midJob = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
        #expect(midJob.status == 1, "\(midJob.standardOutput)\(midJob.standardError)")
        #expect(midJob.standardError.contains("is full") && midJob.standardError.contains("goes back to the queue"), "\(midJob.standardError)")
        #expect(!midJob.standardOutput.contains(": done"), "a job whose results found no room is not done: \(midJob.standardOutput)")
        #expect(try await Self.jobStates(fixture.home) == ["queued"])

        // Every command on the full disk.
        let exports = disk.appending(path: "exports.json")
        try? #"{"benchmarks": [{"name": "parse", "unit": "ms", "samples": [1, 2]}]}"#.write(toFile: exports, atomically: false, encoding: .utf8)
        let head = try await fixture.git.head()
        Self.fill(filler + "-2")
        let commands: [[String]] = [
            ["work"], ["notify", "--wait", "0"], ["import", "--commit", head, "--format", "benchbot-json", exports], ["site"], ["run"],
            ["enqueue", "--commit", head, "--rerun"], ["poll"],
            // Cron keeps starting workers on the full disk: none may spend the job's attempts.
            ["work"], ["work"], ["work"],
        ]
        for command in commands {
            let result = try await BenchBotProcess.run([command[0], "--home", fixture.home] + command.dropFirst(), environment: environment)
            #expect(result.status != 0 && result.status < 128, "\(command[0]) on a full disk: status \(result.status)")
            let lines = result.standardError.split(separator: "\n").filter { !$0.isEmpty }
            // `run` reports each of its steps; the others say one thing.
            #expect(command[0] == "run" ? !lines.isEmpty : lines.count == 1, "\(command[0]): \(result.standardError)")
            #expect(lines.allSatisfy { !$0.contains("Fatal error") }, "\(command[0]): \(result.standardError)")
            // The line says what to do: free space, not a riddle like "disk I/O error".
            #expect(result.standardError.contains("full") || result.standardError.contains("space"), "\(command[0]): \(result.standardError)")
        }

        // Room again.
        try FileManager.default.removeItem(atPath: filler)
        try FileManager.default.removeItem(atPath: filler + "-2")
        let integrity = try await CommandRunner.run("sqlite3", arguments: [fixture.home.appending(path: "benchbot.sqlite"), "PRAGMA integrity_check"],
                                                    timeout: .seconds(30))
        #expect(integrity.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(integrity.standardOutput)\(integrity.standardError)")
        #expect(try await !Self.jobStates(fixture.home).contains("running"))

        let resumed = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
        #expect(resumed.status == 0 && resumed.standardOutput.contains(": done"), "\(resumed.standardOutput)\(resumed.standardError)")
        #expect(try await Self.jobStates(fixture.home).allSatisfy { $0 == "done" })
        let notified = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "0"], environment: environment)
        #expect(notified.status == 0, "\(notified.standardOutput)\(notified.standardError)")
        #expect(await fake.slackMessages.count == 1)
        try await BenchBotProcess.succeed(["site", "--home", fixture.home])
    }
}

/// Outbox messages for tests.
enum OutgoingMessageFixture {
    static func slack(_ text: String) -> OutgoingMessage {
        OutgoingMessage(key: "test-\(text)", destination: .slackWebhook, kind: "test", body: Data(#"{"text": "\#(text)"}"#.utf8))
    }
}
