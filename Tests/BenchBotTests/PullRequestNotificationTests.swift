import Foundation
import TestHTTPServer
import Testing

@Suite("Pull request notifications and delivery failures")
struct PullRequestNotificationTests {
    static let token = "ghp_testtoken1234"

    /// A fixture with a measured base, then two pushes to pull request #7: one unchanged, one
    /// tripling the loop.
    static func pullRequestFixture(in root: String, notify: [String: Any]) async throws -> (RunnerFixture, [String]) {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.addLoopLengthExperiment(options: ["repeat": 5])
        try fixture.setNotify(notify)
        let commits = try await fixture.commitLoopLengths(2...4) { $0 == 4 ? 3000 : 1000 }
        try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[1]])
        return (fixture, commits)
    }

    static func github(_ server: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        ["repository": "octo-org/project", "token_env": "TEST_GITHUB_TOKEN", "api_url": server, "context": "benchbot/perf"]
            .merging(extra) { $1 }
    }

    @Test("a second push to a pull request edits its one comment; check runs are created, then completed; statuses go pending, then final")
    func secondPushEditsTheComment() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, commits) = try await Self.pullRequestFixture(
                    in: root, notify: ["site_url": "https://bench.example.org", "github": Self.github(server, ["check_runs": true])])
                let environment = ["TEST_GITHUB_TOKEN": Self.token]
                #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment).succeeded)
                for commit in commits[2...3] {
                    try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit, "--pull-request", "7"])
                    let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
                    #expect(work.succeeded && !work.standardOutput.contains("to retry"), "\(work.standardOutput)\(work.standardError)")
                }

                let comments = await fake.comments
                #expect(comments.count == 1)
                let comment = try #require(comments.values.first)
                #expect(comment.issue == 7 && comment.body.hasPrefix("<!-- benchbot:comparison:benchbot/perf -->\n### Benchmarks: :red_circle: 1 regression(s)"))
                #expect(comment.body.contains("`\(commits[2].prefix(10))`") && comment.body.contains("`\(commits[3].prefix(10))`"), "\(comment.body)")
                #expect(comment.body.contains("| [`size.loop`](https://bench.example.org/benchmark/size.loop.html) |") && comment.body.count <= 65_536)
                #expect(comment.body.contains("[The comparison](https://bench.example.org/compare/\(commits[2])...\(commits[3]).html)"))
                let requests = await fake.githubRequests.map { "\($0.method) \($0.path)" }
                #expect(requests.filter { $0 == "POST /repos/octo-org/project/issues/7/comments" }.count == 1, "\(requests)")
                #expect(requests.filter { $0.hasPrefix("PATCH /repos/octo-org/project/issues/comments/") }.count == 1, "\(requests)")

                // One check run per commit, made when its job started and completed when it ended.
                let runs = await fake.checkRuns.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
                #expect(runs.count == 3)
                #expect(requests.filter { $0 == "POST /repos/octo-org/project/check-runs" }.count == 3)
                #expect(requests.filter { $0.hasPrefix("PATCH /repos/octo-org/project/check-runs/") }.count == 3)
                for run in runs {
                    #expect(run["name"] as? String == "benchbot/perf" && run["status"] as? String == "completed")
                    #expect(["success", "failure"].contains(run["conclusion"] as? String ?? ""))
                    let output = try #require(run["output"] as? [String: Any])
                    #expect((output["title"] as? String)?.isEmpty == false && (output["summary"] as? String)?.count ?? .max <= 65_535)
                    #expect((run["external_id"] as? String) == "benchbot:octo-org/project:\(run["head_sha"] as? String ?? "")")
                }
                let regressed = try #require(runs.first { $0["head_sha"] as? String == commits[3] })
                #expect(regressed["conclusion"] as? String == "failure" && regressed["details_url"] as? String
                        == "https://bench.example.org/compare/\(commits[2])...\(commits[3]).html")

                let states = await fake.statusPosts.map { "\($0.path.suffix(40)) \($0.json["state"] ?? "")" }
                #expect(states == commits[1...3].flatMap { ["\($0) pending", "\($0) \($0 == commits[3] ? "failure" : "success")"] }, "\(states)")
            }
        }
    }

    @Test("a bot killed mid-delivery delivers after restart without duplicates: a pull request comment and a Slack Web API post")
    func killedMidDelivery() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let slack: [String: Any] = ["channel": "C0123456789", "bot_token_env": "TEST_SLACK_BOT_TOKEN", "api_url": "\(server)/slack/api"]
                let (fixture, commits) = try await Self.pullRequestFixture(in: root, notify: ["slack": slack, "github": Self.github(server)])
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[3], "--pull-request", "7"])
                let environment: [String: String?] = ["TEST_GITHUB_TOKEN": Self.token, "TEST_SLACK_BOT_TOKEN": "xoxb-test-token"]

                // The comment's creation reaches GitHub, and the worker dies before the answer.
                await fake.hold("POST", pathEndingWith: "/issues/7/comments")
                let worker = WorkerProcess()
                let working = Task { try await worker.run(["work", "--verbose", "--home", fixture.home], log: root.appending(path: "work.log"), environment: environment) }
                await fake.heldRequestArrived()
                #expect(kill(try #require(worker.pid), SIGKILL) == 0)
                #expect(try await working.value.status == 128 + SIGKILL)
                await fake.release()

                // Then the Slack post arrives, and the sender dies again.
                await fake.hold("POST", pathEndingWith: "/chat.postMessage")
                let sender = WorkerProcess()
                let sending = Task { try await sender.run(["notify", "--home", fixture.home], log: root.appending(path: "notify.log"), environment: environment) }
                await fake.heldRequestArrived()
                #expect(kill(try #require(sender.pid), SIGKILL) == 0)
                #expect(try await sending.value.status == 128 + SIGKILL)
                await fake.release()

                let notify = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "30"], environment: environment)
                #expect(notify.succeeded && notify.standardOutput.contains("0 failed, 0 still waiting"), "\(notify.standardOutput)\(notify.standardError)")

                let comments = await fake.comments
                #expect(comments.count == 1 && comments.values.first?.body.contains(":red_circle:") == true)
                let requests = await fake.githubRequests.map { "\($0.method) \($0.path)" }
                #expect(requests.filter { $0.hasSuffix("/issues/7/comments") && $0.hasPrefix("POST") }.count == 1, "\(requests)")
                let posts = await fake.slackPosts
                #expect(posts.count == 1, "one Slack message, found in the channel's history after the restart")
                let post = try #require(posts.first?.received.json)
                #expect(post["channel"] as? String == "C0123456789" && (post["text"] as? String)?.contains("% worse at \(commits[3].prefix(10))") == true)
                #expect(((post["metadata"] as? [String: Any])?["event_payload"] as? [String: Any])?["key"] as? String
                        == "slack:regression:origin:\(commits[1]):\(commits[3])")
                let jobs = try await BenchBotProcess.jobs(home: fixture.home)
                #expect(jobs.count == 2 && jobs.allSatisfy { $0.state == "done" }, "the results were stored before anything was sent")
                let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                #expect(!status.contains("Deliveries:"), "\(status)")
            }
        }
    }

    @Test("an invalid token (401), an unreachable endpoint, a malformed answer and a DNS failure: logged, kept or failed, and the results stored")
    func deliveryFailures() async throws {
        try await withTemporaryDirectory { root in
            let refusing = FakeSlackAndGitHub(githubAnswer: (401, #"{"message": "Bad credentials"}"#))
            let garbled = FakeSlackAndGitHub(githubAnswer: (200, "<html>captive portal</html>"))
            try await LoopbackServer.with(refusing.router()) { refusingServer in
                try await LoopbackServer.with(garbled.router()) { garbledServer in
                    let notify: [String: Any] = ["slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK"],
                                                 "github": Self.github(refusingServer, ["pending_status": false])]
                    let (fixture, commits) = try await Self.pullRequestFixture(in: root, notify: notify)
                    try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[3], "--pull-request", "7"])
                    // Port 9 (discard) has no listener on 127.0.0.1: the connection is refused.
                    let environment = ["TEST_GITHUB_TOKEN": Self.token, "TEST_SLACK_WEBHOOK": "http://127.0.0.1:9/hook"]
                    let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
                    #expect(work.succeeded, "\(work.standardOutput)\(work.standardError)")
                    #expect(work.standardError.contains("HTTP 401: {\"message\": \"Bad credentials\"}") && !work.standardError.contains(Self.token),
                            "\(work.standardError)")
                    #expect(work.standardError.contains("[redacted]: cannot connect") && work.standardError.contains("will retry"))
                    let jobs = try await BenchBotProcess.jobs(home: fixture.home)
                    #expect(jobs.count == 2 && jobs.allSatisfy { $0.state == "done" })
                    let results = try await BenchBotProcess.succeed(["results", "--home", fixture.home, commits[3]])
                    #expect(results.contains("size.loop"), "\(results)")
                    var status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                    #expect(status.contains("Deliveries: 1 pending, 3 failed"), "\(status)")
                    #expect(status.contains("pr-comment to GitHub comment on octo-org/project#7, 1 attempt(s): HTTP 401"), "\(status)")

                    // With a proxy answering HTML, the comment cannot be found: kept for a retry.
                    try fixture.setNotify(notify.merging(["github": Self.github(garbledServer, ["pending_status": false])]) { $1 })
                    let garbledRun = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--retry", "--wait", "0"], environment: environment)
                    #expect(garbledRun.status == 1 && garbledRun.standardError.contains(
                        "malformed answer for the comments of octo-org/project#7 (HTTP 200): <html>captive portal</html>; will retry"),
                            "\(garbledRun.standardError)")
                    status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                    #expect(status.contains("pr-comment to GitHub comment on octo-org/project#7, 2 attempt(s): malformed answer"), "\(status)")

                    // A name that does not resolve, past a short deadline: marked failed, with the reason.
                    try fixture.setNotify(notify.merging(["github": Self.github("http://benchbot-test.invalid", ["pending_status": false]),
                                                          "deadline_hours": 0.0001]) { $1 })
                    // The wait is the backoff's own time, set by the last attempt.
                    let unresolved = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "30"], environment: environment)
                    #expect(unresolved.status == 1 && unresolved.standardError.contains("http://benchbot-test.invalid/repos/octo-org/project/issues/7/comments")
                            && unresolved.standardError.contains("still failing"), "\(unresolved.standardError)")
                    status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                    #expect(status.contains("failed pr-comment to GitHub comment on octo-org/project#7, 3 attempt(s): http://benchbot-test.invalid")
                            && status.contains("Could not resolve host"), "\(status)")
                    let commented = await refusing.comments.count + garbled.comments.count
                    #expect(commented == 0)
                }
            }
        }
    }
}
