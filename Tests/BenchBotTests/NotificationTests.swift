import Foundation
import TestHTTPServer
import Testing

@Suite("Notifications")
struct NotificationTests {
    /// A fixture whose second commit triples the loop: one regression, judged by 5 samples a side.
    static func regressingFixture(in root: String, notify: [String: Any]) async throws -> (RunnerFixture, [String]) {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.addLoopLengthExperiment(options: ["repeat": 5])
        try fixture.setNotify(notify)
        let commits = try await fixture.commitLoopLengths(2...3) { $0 == 2 ? 1000 : 3000 }
        for commit in commits.suffix(2) { try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit]) }
        return (fixture, commits)
    }

    static func notifyConfig(server: String) -> [String: Any] {
        ["site_url": "https://bench.example.org", "initial_backoff": 0.5,
         "slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK", "mentions": ["<@U024BE7LH>"]],
         "github": ["repository": "octo-org/project", "token_env": "TEST_GITHUB_TOKEN", "api_url": server, "context": "benchbot/perf"]]
    }

    @Test("one regression: one Slack message and one failing status pointing at the comparison; 500 twice, then 200, is still one message")
    func oneRegression() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub(slackAnswers: [(500, [:]), (500, [:])])
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, commits) = try await Self.regressingFixture(in: root, notify: Self.notifyConfig(server: server))
                let environment = ["TEST_SLACK_WEBHOOK": "\(server)/slack/hook", "TEST_GITHUB_TOKEN": "ghp_testtoken1234"]
                let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
                #expect(work.status == 0 && work.standardOutput.contains("notified: 1 delivered") && work.standardOutput.contains("notified: 1 to retry"),
                        "\(work.standardOutput)\(work.standardError)")
                #expect(!(work.standardOutput + work.standardError).contains("ghp_testtoken1234"), "the token never reaches a log")
                let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                #expect(status.contains("Deliveries: 1 pending") && status.contains("regression to Slack webhook, 1 attempt(s): HTTP 500"), "\(status)")

                let notify = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "30"], environment: environment)
                #expect(notify.status == 0 && notify.standardOutput.hasPrefix("1 delivered, 0 written to the outbox folder, 0 failed, 0 still waiting"),
                        "\(notify.standardOutput)\(notify.standardError)")

                let attempts = await fake.slackRequests
                #expect(attempts.count == 3)
                let messages = await fake.slackMessages
                #expect(messages.count == 1)
                let message = try #require(messages.first)
                let slack = try #require(try JSONSerialization.jsonObject(with: message.body) as? [String: Any])
                let blocks = try #require(slack["blocks"] as? [[String: Any]])
                #expect(blocks.count <= 50 && (slack["text"] as? String)?.hasPrefix("size.loop +") == true && (slack["text"] as? String)?.contains("% worse at \(commits[2].prefix(10)) in ") == true, "\(slack)")
                let sections = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
                #expect(sections.allSatisfy { $0.count <= 3000 } && sections.contains { $0.hasPrefix("*size.loop*: +") && $0.contains("% worse, ") && $0.contains("; estimate +") }, "\(sections)")
                #expect(sections.contains { $0.contains("<@U024BE7LH>") })

                // Each job: pending when it starts, then its verdict; the first commit has no baseline.
                // The regression is held, pending, until its paired confirmation job agrees.
                let posts = await fake.statusPosts
                #expect(posts.map { "\($0.path.suffix(40)) \($0.json["state"] ?? "")" }
                        == ["\(commits[1]) pending", "\(commits[1]) success", "\(commits[2]) pending", "\(commits[2]) pending", "\(commits[2]) failure"])
                #expect(posts.count == 5 && posts[3].json["description"] as? String == "confirming a suspected regression")
                #expect(posts.allSatisfy { $0.authorization == "Bearer ghp_testtoken1234" && $0.path.hasPrefix("/repos/octo-org/project/statuses/") })
                #expect((posts[1].json["description"] as? String)?.hasPrefix("no measured baseline to compare with yet: 1 benchmark(s)") == true)
                #expect(posts[1].json["target_url"] as? String == "https://bench.example.org/commit/\(commits[1]).html")
                let body = try #require(posts.last).json
                #expect(body["state"] as? String == "failure" && body["context"] as? String == "benchbot/perf")
                #expect(body["target_url"] as? String == "https://bench.example.org/commit/\(commits[2]).html#comparison",
                        "a tracked commit's comparison is on its own page")
                #expect((body["description"] as? String).map { $0.count <= 140 && $0.hasPrefix("1 regression(s), worst +") && $0.hasSuffix("% size.loop") } == true, "\(body)")
                let after = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                #expect(!after.contains("Deliveries:"), "\(after)")
            }
        }
    }

    @Test("a 429 with Retry-After is honoured before the next attempt")
    func retryAfter() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub(slackAnswers: [(429, ["Retry-After": "2"])])
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, _) = try await Self.regressingFixture(in: root, notify: Self.notifyConfig(server: server))
                let environment = ["TEST_SLACK_WEBHOOK": "\(server)/slack/hook", "TEST_GITHUB_TOKEN": "ghp_testtoken1234"]
                _ = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
                let notify = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "30"], environment: environment)
                #expect(notify.status == 0, "\(notify.standardOutput)\(notify.standardError)")
                let requests = await fake.slackRequests
                let delivered = await fake.slackMessages
                #expect(requests.count == 2 && delivered.count == 1)
                #expect(requests[1].at.timeIntervalSince(requests[0].at) >= 1.9, "waited \(requests[1].at.timeIntervalSince(requests[0].at)) s")
            }
        }
    }

    @Test("without credentials the exact request bodies are written to results/outbox/, and the job says where")
    func withoutCredentials() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.regressingFixture(in: root, notify: Self.notifyConfig(server: "http://127.0.0.1:9"))
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["TEST_SLACK_WEBHOOK": nil, "TEST_GITHUB_TOKEN": nil])
            let written = work.standardOutput.split(separator: "\n").filter { $0.contains("notified: no credentials, written to ") }
            // Per job, a pending status and a verdict; the regression's "confirming" status, and its Slack message once confirmed.
            #expect(written.count == 6 && written.filter { $0.hasSuffix("-slack-regression.json") }.count == 1, "\(work.standardOutput)")
            let status = try #require(written.last { $0.hasSuffix("-github-status-commit-status.json") })
            let path = String(status.split(separator: " ").last!)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(body["state"] as? String == "failure" && (body["target_url"] as? String)?.hasSuffix("commit/\(commits[2]).html#comparison") == true)
            #expect(path.hasPrefix(fixture.home) && path.contains("/results/outbox/"))
        }
    }

    @Test("notify settings are checked field by field")
    func badSettings() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(["site_url": "bench.example.org", "github": ["repository": "just-a-name"], "slack": ["hook": "x"]])
            let result = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(result.status == 1)
            for expected in ["benchbot.notify.site_url: must be an http(s) URL", "benchbot.notify.github.repository: must be owner/name",
                             "benchbot.notify.slack.hook: unknown field"] {
                #expect((result.standardOutput + result.standardError).contains(expected), "\(expected) in \(result.standardOutput)\(result.standardError)")
            }
        }
    }
}
