import BenchBot
import Foundation
import TestHTTPServer
import Testing

@Suite("poll --pull-requests")
struct PollPullRequestsTests {
    static let token = "ghp_polltoken5678"
    static let environment: [String: String?] = ["TEST_GITHUB_TOKEN": token]

    static func github(_ server: String) -> [String: Any] {
        ["repository": FakeGitHubPulls.repository, "token_env": "TEST_GITHUB_TOKEN", "api_url": server, "context": "benchbot/perf"]
    }

    /// A home tracking `main`, with one experiment, and `refs/pull/N/head` in the "remote" for
    /// each of: a maintainer's branch (#7), a fork's (#8) and a maintainer's draft (#9).
    static func fixture(in root: String) async throws -> (RunnerFixture, [FakeGitHubPulls.PullRequest]) {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.addLoopLengthExperiment()
        let git = fixture.git
        var pullRequests: [FakeGitHubPulls.PullRequest] = []
        for (number, ref, repository, author, association) in [
            (7, "feature", FakeGitHubPulls.repository, "ada", "MEMBER"),
            (8, "patch-1", "outsider/project", "mallory", "FIRST_TIME_CONTRIBUTOR"),
            (9, "wip", FakeGitHubPulls.repository, "ada", "OWNER"),
        ] {
            try await git.git("-C", git.work, "checkout", "-q", "-b", ref, "main")
            let head = try await git.commit("change of pull request \(number)")
            // GitHub publishes every pull request's head in the base repository, a fork's too.
            try await git.git("-C", git.work, "push", "-q", "origin", "HEAD:refs/pull/\(number)/head")
            if repository == FakeGitHubPulls.repository { try await git.git("-C", git.work, "push", "-q", "origin", ref) }
            pullRequests.append(.init(number: number, headSHA: head, headRef: ref, headRepository: repository, author: author,
                                      association: association, draft: number == 9))
        }
        return (fixture, pullRequests)
    }

    static func poll(_ home: String) async throws -> CommandResult {
        try await BenchBotProcess.run(["poll", "--home", home, "--pull-requests"], environment: environment)
    }

    @Test("a maintainer's pull request gets one paired job, a fork's a comment and no job, a draft nothing; a second poll costs 304s and queues nothing; a closed one's job is cancelled")
    func pollsUnderTheWebhooksTrustRules() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeGitHubPulls(token: Self.token)
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, pullRequests) = try await Self.fixture(in: root)
                try fixture.setNotify(["github": Self.github(server)])
                await fake.setOpen(pullRequests)
                let store = try fixture.store()

                let first = try await Self.poll(fixture.home)
                #expect(first.succeeded, "\(first.standardOutput)\(first.standardError)")
                let lines = first.standardOutput.split(separator: "\n").map(String.init)
                #expect(lines.contains { $0.hasPrefix("pull request #7: queued \(pullRequests[0].headSHA.prefix(10))") }, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("pull request #8 from a fork: waits for a maintainer") }, "\(lines)")
                #expect(lines.contains { $0.hasPrefix("pull request #9 is a draft") }, "\(lines)")

                // Three pages of one pull request each, the later ones by GitHub's own next links.
                let firstAnswers = await fake.answers
                #expect(firstAnswers.map(\.status) == [200, 200, 200], "\(firstAnswers)")
                #expect(firstAnswers.first?.request == "GET /repos/octo-org/project/pulls?state=open&per_page=100")
                #expect(firstAnswers.dropFirst().allSatisfy { $0.request.hasPrefix("GET /repositories/4242/pulls?") })
                let problems = await fake.problems
                #expect(problems.isEmpty, "\(problems)")

                let jobs = try await store.jobs(in: nil, limit: nil).filter { $0.pullRequest != nil }
                #expect(jobs.count == 1)
                let job = try #require(jobs.first)
                let main = try await fixture.git.head("main")
                #expect(job.pullRequest == 7 && job.commit.hex == pullRequests[0].headSHA && job.baseline?.hex == main && !job.untrusted)
                #expect(job.state == .queued)

                let messages = try await store.notifications(in: nil, limit: nil).map(\.message)
                let comments = messages.filter { $0.kind == "pr-notice" }
                #expect(comments.count == 1 && comments.first?.key.contains("#8:") == true, "\(messages.map(\.key))")
                #expect(messages.contains { $0.kind == "commit-status" && $0.key.contains(pullRequests[1].headSHA) }, "\(messages.map(\.key))")
                #expect(!messages.contains { $0.key.contains(pullRequests[2].headSHA) }, "a draft gets nothing")

                // Nothing changed on GitHub: every page answers 304 and nothing new is stored.
                await fake.clearAnswers()
                let second = try await Self.poll(fixture.home)
                #expect(second.succeeded, "\(second.standardError)")
                #expect(second.standardOutput.contains("pull request #7: \(pullRequests[0].headSHA.prefix(10)) already has job \(job.id) (queued)"),
                        "\(second.standardOutput)")
                let secondAnswers = await fake.answers
                #expect(secondAnswers.map(\.status) == [304, 304, 304], "\(secondAnswers)")
                #expect(try await store.jobs(in: nil, limit: nil).filter { $0.pullRequest != nil }.count == 1)
                #expect(try await store.notifications(in: nil, limit: nil).count == messages.count)

                // An operator's `enqueue --pull-request` is theirs to cancel, open on GitHub or not.
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", pullRequests[1].headSHA, "--pull-request", "42"])

                // #7 is closed: it leaves the list, and its queued job is cancelled.
                await fake.setOpen(Array(pullRequests.dropFirst()))
                let third = try await Self.poll(fixture.home)
                #expect(third.succeeded, "\(third.standardError)")
                #expect(third.standardOutput.contains("pull request #7: no longer open; 1 queued job(s) cancelled"), "\(third.standardOutput)")
                let cancelled = try await store.jobs(in: nil, limit: nil).filter { $0.pullRequest == 7 }
                #expect(cancelled.map(\.state) == [.cancelled])
                let operators = try await store.jobs(in: nil, limit: nil).filter { $0.pullRequest == 42 }
                #expect(operators.map(\.state) == [.queued], "\(operators)")
                #expect(!third.standardOutput.contains("#42"), "\(third.standardOutput)")
                let laterProblems = await fake.problems
                #expect(laterProblems.isEmpty, "\(laterProblems)")
            }
        }
    }

    @Test("without benchbot.notify.github, or without its token, poll --pull-requests exits 1 saying what to set, and queues nothing")
    func refusesWithoutGitHub() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment()
            let unconfigured = try await Self.poll(fixture.home)
            #expect(unconfigured.status == 1)
            #expect(unconfigured.standardError.contains("--pull-requests needs benchbot.notify.github in"), "\(unconfigured.standardError)")

            try fixture.setNotify(["github": Self.github("http://127.0.0.1:9")])
            let tokenless = try await BenchBotProcess.run(["poll", "--home", fixture.home, "--pull-requests"], environment: ["TEST_GITHUB_TOKEN": nil])
            #expect(tokenless.status == 1)
            #expect(tokenless.standardError.contains("--pull-requests needs a GitHub token: $TEST_GITHUB_TOKEN is empty or unset"),
                    "\(tokenless.standardError)")
            #expect(try await BenchBotProcess.jobs(home: fixture.home).isEmpty)
        }
    }
}
