import Foundation
import Testing

/// What `work`, `results`, `changes` and the shell see: a line per job and per change, details
/// on request, JSON for machines, and completion scripts.
@Suite("Terminal output")
struct TerminalOutputTests {
    @Test("completion scripts for bash, zsh and fish name the subcommands and their options", arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) async throws {
        let result = try await BenchBotProcess.run(["--generate-completion-script", shell])
        #expect(result.succeeded, "\(result.standardError)")
        for word in ["benchbot", "work", "changes", "results", "enqueue", "home", "verbose", "format"] {
            #expect(result.standardOutput.contains(word), "the \(shell) script lacks \(word)")
        }
    }

    @Test("work: a line per job and per change; --verbose adds deliveries and experiments; --format json is one object per job")
    func workOutput() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await NotificationTests.regressingFixture(
                in: root, notify: ["site_url": "https://bench.example.org", "slack": ["webhook_url_env": "TEST_NO_WEBHOOK"],
                                   "github": ["repository": "octo-org/project", "token_env": "TEST_NO_TOKEN"]])
            let environment: [String: String?] = ["TEST_NO_WEBHOOK": nil, "TEST_NO_TOKEN": nil]
            let work = try await BenchBotProcess.run(["work", "--home", fixture.home, "--once"], environment: environment)
            #expect(work.succeeded && !work.standardOutput.contains("notified:") && !work.standardOutput.contains(": ok in"), "\(work.standardOutput)")
            #expect(work.standardOutput.split(separator: "\n").count == 1, "\(work.standardOutput)")

            let verbose = try await BenchBotProcess.run(["work", "--home", fixture.home, "--once", "--verbose"], environment: environment)
            #expect(verbose.standardOutput.contains("notified: no credentials, written to ") && verbose.standardOutput.contains("size: ok in"),
                    "\(verbose.standardOutput)")
            let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
            #expect(status.contains("Notifications: ") && status.contains("written to "), "\(status)")

            let json = try await BenchBotProcess.run(["work", "--home", fixture.home, "--format", "json"], environment: environment)
            let objects = try json.standardOutput.split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            #expect(!objects.isEmpty, "\(json.standardOutput)\(json.standardError)")
            for object in objects {
                for field in ["job", "commit", "subject", "branch", "pull_request", "baseline", "source", "succeeded", "summary", "changes", "details",
                              "experiments", "results_not_stored"] {
                    #expect(object.keys.contains(field), "\(field) missing from \(object)")
                }
            }
            #expect(objects.contains { ($0["changes"] as? [String])?.contains { $0.contains("confirmed regression") } == true }, "\(objects)")
            _ = commits
        }
    }

    @Test("a rerun whose regression alert was sent already says why it sends nothing")
    func rerunSaysWhy() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await NotificationTests.regressingFixture(
                in: root, notify: ["slack": ["webhook_url_env": "TEST_NO_WEBHOOK"]])
            let environment: [String: String?] = ["TEST_NO_WEBHOOK": nil]
            let first = try await BenchBotProcess.run(["work", "--home", fixture.home], environment: environment)
            #expect(first.succeeded && !first.standardOutput.contains("not sent again"), "\(first.standardOutput)")
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[2], "--rerun"])
            let rerun = try await BenchBotProcess.run(["work", "--home", fixture.home], environment: environment)
            #expect(rerun.succeeded && rerun.standardOutput.contains("Slack alert not sent again: this regression was told at "),
                    "\(rerun.standardOutput)\(rerun.standardError)")
            let outbox = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "results/outbox"))
            #expect(outbox.filter { $0.hasSuffix("-slack-regression.json") }.count == 1, "\(outbox)")
        }
    }

    @Test("changes --format json: each change's confirmation, and every suspect with its state")
    func changesJSON() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await NotificationTests.regressingFixture(in: root, notify: [:])
            #expect(try await BenchBotProcess.run(["work", "--home", fixture.home]).succeeded)
            let output = try await BenchBotProcess.succeed(["changes", "--home", fixture.home, "--format", "json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            let suspects = try #require(document["suspects"] as? [[String: Any]], "\(output)")
            #expect(suspects.contains { $0["state"] as? String == "confirmed" && $0["kind"] as? String == "regression" && $0["origin"] as? String == "run"
                && $0["confirmed_ratio"] is Double }, "\(suspects)")
            for change in try #require(document["changes"] as? [[String: Any]]) {
                #expect(change.keys.contains("confirmation"), "\(change)")
            }
            let results = try await BenchBotProcess.succeed(["results", "--home", fixture.home, "--format", "json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(results.utf8)) as? [String: Any])
            #expect(report["commit"] is String && report["machine"] is String && report["benchmarks"] is [[String: Any]], "\(results)")
        }
    }
}
