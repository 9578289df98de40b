import Foundation
import TestHTTPServer
import Testing

@Suite("relay-bench's Slack reports, built in")
struct RelayReportTests {
    @Test("a nightly run posts exp_results (failures in its thread, with pings), subsys_reporter and deadline countdowns through the Web API")
    func nightlyReports() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let fixture = try await RunnerFixture.make(in: root, commits: 1)
                try fixture.addExperiment("loop", scripts: RunnerFixture.timingStages)
                var broken = RunnerFixture.timingStages
                broken["run.sh"] = "#!/bin/sh\necho '{\"success\": false, \"message\": \"out of memory\"}' > \"$2/status.json\""
                try fixture.addExperiment("broken", config: ["active": true, "notify": ["U0BROKEN"]], scripts: broken)
                try fixture.addExperiment("retired", config: ["active": false], scripts: [:])
                try fixture.addSubsystem("flaky", config: ["active": true, "priority": 5, "notify": ["U0FLAKY"]],
                                         script: "#!/bin/sh\necho '{\"success\": false, \"message\": \"disk full\"}' > \"$2/status.json\"")
                try fixture.addSubsystem("score", config: ["active": true, "priority": 5], script: """
                    #!/bin/sh
                    echo '{"title": "Relay score", "value": "7 of 9 networks faster"}' > "$2/report.json"
                    echo '{"success": true, "message": ""}' > "$2/status.json"
                    """)
                let soon = Date().addingTimeInterval(3 * 86_400 - 3_600), later = Date().addingTimeInterval(30 * 86_400 - 3_600)
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
                // relay-bench's own configs, with its token fields; BenchBot posts through benchbot.notify.
                let builtIns: [String: [String: Any]] = [
                    "exp_results": ["active": true, "priority": 1, "slack_description": "Nightly numbers", "channel_id": ["C0RELAY"]],
                    "subsys_reporter": ["active": true, "priority": -10],
                    "deadline": ["active": true, "deadlines": ["Paper": ["date": formatter.string(from: soon), "ping": ["U0AUTHOR"]],
                                                               "Camera ready": ["date": formatter.string(from: later), "ping": ["U0AUTHOR"]],
                                                               "Eclipse": ["date": "2024-04-08 12:00:00"]]],
                ]
                for (name, config) in builtIns {
                    let folder = fixture.home.appending(path: "config/subsystem/\(name)")
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder.appending(path: "config.json")))
                }
                try fixture.setNotify(["slack": ["channel": "C0123456789", "bot_token_env": "TEST_SLACK_BOT_TOKEN", "api_url": "\(server)/slack/api"]])
                let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
                #expect(!(check.standardOutput + check.standardError).contains("exp_results"), "built-ins need no run.sh: \(check.standardOutput)")

                let run = try await BenchBotProcess.run(["run", "--home", fixture.home], environment: ["TEST_SLACK_BOT_TOKEN": "xoxb-test-token"])
                #expect(run.standardOutput.contains("subsystem exp_results: ok") && run.standardOutput.contains("channel_id in "),
                        "\(run.standardOutput)\(run.standardError)")
                #expect(run.standardOutput.contains("notified: 4 delivered"), "\(run.standardOutput)")

                let posts = await fake.slackPosts.map { (ts: $0.ts, json: $0.received.json) }
                #expect(posts.count == 4)
                func text(_ json: [String: Any]) -> String {
                    ((json["blocks"] as? [[String: Any]]) ?? []).map { block in
                        ((block["text"] as? [String: Any])?["text"] as? String)
                            ?? ((block["elements"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined() ?? "")
                    }.joined(separator: "\n")
                }
                let report = try #require(posts.first { ($0.json["text"] as? String)?.hasPrefix("origin: 1 experiment(s) passed, 1 failed, 1 inactive") == true })
                let reportText = text(report.json)
                #expect(reportText.contains("Nightly numbers") && reportText.contains("*Loop* (") && reportText.contains("timed"))
                #expect(reportText.contains("`broken` at run (details in the thread)") && reportText.contains("Inactive: retired"), "\(reportText)")
                let reply = try #require(posts.first { $0.json["thread_ts"] != nil })
                #expect(reply.json["thread_ts"] as? String == report.ts)
                #expect(text(reply.json).contains("*broken* failed at run after") && text(reply.json).contains("<@U0BROKEN>")
                        && text(reply.json).contains("out of memory"), "\(text(reply.json))")

                let subsystems = try #require(posts.first { ($0.json["text"] as? String)?.hasPrefix("origin: 1 subsystem(s) failed") == true })
                #expect(text(subsystems.json).contains("*flaky* failed at run") && text(subsystems.json).contains("<@U0FLAKY>")
                        && text(subsystems.json).contains("*Relay score* (score)\n7 of 9 networks faster"), "\(text(subsystems.json))")

                let deadlines = try #require(posts.first { ($0.json["text"] as? String)?.hasPrefix("Deadlines:") == true })
                let lines = text(deadlines.json).split(separator: "\n").map(String.init)
                #expect(lines.contains { $0.hasPrefix(":red_circle: *Paper*: 3 day(s) left") } && lines.contains("<@U0AUTHOR>"), "\(lines)")
                #expect(lines.contains { $0.hasPrefix(":calendar: *Camera ready*: 30 day(s) left") } && !lines.contains { $0.contains("Eclipse") })
            }
        }
    }
}
