import BenchBot
import Foundation
import Hummingbird
import Logging
import Notify
import TestHTTPServer
import Testing

@Suite("GitHub App authentication")
struct GitHubAppNotificationTests {
    static func notify(_ server: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        ["site_url": "https://bench.example.org",
         "github": (["repository": "octo-org/project", "api_url": server, "context": "benchbot/perf", "check_runs": true,
                     "app_id": 12345, "app_private_key_file": "secrets/app.pem", "token_env": "TEST_GITHUB_TOKEN"] as [String: Any])
             .merging(extra) { $1 }]
    }

    /// GitHub's statuses, comments and check runs, with the App's authentication beside them.
    static func servers() -> (FakeSlackAndGitHub, FakeGitHubApp, Router<BasicRequestContext>) {
        let github = FakeSlackAndGitHub(githubApp: "benchbot-app")
        let app = FakeGitHubApp(verify: AppKeyFixture.verifies)
        let router = github.router()
        app.addRoutes(to: router)
        return (github, app, router)
    }

    @Test("statuses and check runs go with the App's installation token, minted once for the whole run; the token beside it is ignored")
    func statusesWithInstallationToken() async throws {
        try await withTemporaryDirectory { root in
            let (github, app, router) = Self.servers()
            try await LoopbackServer.with(router) { server in
                let (fixture, commits) = try await NotificationTests.regressingFixture(in: root, notify: Self.notify(server))
                try AppKeyFixture.install(AppKeyFixture.key.pemRepresentation, in: fixture.home)
                let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["TEST_GITHUB_TOKEN": "ghp_notthisone1234"])
                #expect(work.succeeded && !work.standardOutput.contains("to retry") && !work.standardOutput.contains("failed"),
                        "\(work.standardOutput)\(work.standardError)")

                let posts = await github.statusPosts
                #expect(posts.map { "\($0.path.suffix(40)) \($0.json["state"] ?? "")" }
                        == ["\(commits[1]) pending", "\(commits[1]) success", "\(commits[2]) pending", "\(commits[2]) pending", "\(commits[2]) failure"])
                let requests = await github.githubRequests
                #expect(requests.count > posts.count && requests.allSatisfy { $0.authorization == "Bearer ghs_fake_token_1" },
                        "\(requests.map { "\($0.method) \($0.path) \($0.authorization ?? "-")" })")
                #expect(await github.checkRuns.count == 2, "check runs, which only an App may write")
                let appRequests = await app.requests.map { "\($0.method) \($0.path)" }
                #expect(appRequests == ["GET /repos/octo-org/project/installation", "POST /app/installations/4242/access_tokens"], "\(appRequests)")
                #expect(await app.requests.allSatisfy(\.verified))

                let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                let output = work.standardOutput + work.standardError + status
                #expect(!output.contains("ghs_fake_token_1") && !AppKeyFixture.bodyLines(AppKeyFixture.key.pemRepresentation).contains { output.contains($0) })
            }
        }
    }

    @Test("a key GitHub does not accept fails each GitHub notification with GitHub's words and the fix, never retried, never quoted")
    func refusedKey() async throws {
        try await withTemporaryDirectory { root in
            let (github, app, router) = Self.servers()
            try await LoopbackServer.with(router) { server in
                let (fixture, _) = try await NotificationTests.regressingFixture(in: root, notify: Self.notify(server, ["installation_id": 4242]))
                let pem = AppKeyFixture.otherKey.pkcs8PEMRepresentation
                try AppKeyFixture.install(pem, in: fixture.home)
                let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
                #expect(work.succeeded && work.standardOutput.contains("failed") && !work.standardOutput.contains("to retry"),
                        "\(work.standardOutput)\(work.standardError)")
                #expect(await github.githubRequests.isEmpty, "nothing is sent to GitHub without a token")
                let minted = await app.tokens, asked = await app.tokenRequests
                #expect(minted.isEmpty && !asked.isEmpty)

                let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                #expect(status.contains("GitHub App 12345: GitHub refused getting a token for installation 4242 (HTTP 401: A JSON web token could not be decoded)"),
                        "\(status)")
                #expect(status.contains("benchbot.notify.github.app_id"), "\(status)")
                let output = work.standardOutput + work.standardError + status
                #expect(!AppKeyFixture.bodyLines(pem).contains { output.contains($0) })
            }
        }
    }

    @Test("with no login configured, the App's comments go as <slug>[bot]: another app's comment with the marker is left alone, its own is edited")
    func pullRequestCommentAsTheAppsBot() async throws {
        try await withTemporaryDirectory { root in
            let (github, _, router) = Self.servers()
            try await LoopbackServer.with(router) { server in
                let (fixture, commits) = try await PullRequestNotificationTests.pullRequestFixture(
                    in: root, notify: Self.notify(server, ["check_runs": false]))
                try AppKeyFixture.install(AppKeyFixture.key.pemRepresentation, in: fixture.home)
                let other = await github.addComment(issue: 7, body: "<!-- benchbot:comparison:benchbot/perf -->\nsomeone else's",
                                                    author: "other-app[bot]", isApp: true)
                #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home]).succeeded)
                for commit in commits[2...3] {
                    try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit, "--pull-request", "7"])
                    let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
                    #expect(work.succeeded && !work.standardOutput.contains("to retry") && !work.standardOutput.contains("failed"),
                            "\(work.standardOutput)\(work.standardError)")
                }
                let comments = await github.comments
                #expect(comments[other]?.body == "<!-- benchbot:comparison:benchbot/perf -->\nsomeone else's", "another app's comment is not edited")
                let mine = comments.filter { $0.value.author == "benchbot-app[bot]" }
                #expect(mine.count == 1 && mine.first?.value.body.contains("`\(commits[3].prefix(10))`") == true, "\(comments)")
                let requests = await github.githubRequests.map { "\($0.method) \($0.path)" }
                #expect(!requests.contains("GET /user") && !requests.contains("PATCH /repos/octo-org/project/issues/comments/\(other)"), "\(requests)")
            }
        }
    }

    @Test("an installation token GitHub refuses (401) is dropped: the send is retried, and the retry mints and uses a new one")
    func refusedInstallationToken() async throws {
        try await withTemporaryDirectory { root in
            let github = FakeSlackAndGitHub(githubAnswer: (401, #"{"message":"Bad credentials","status":"401"}"#))
            let app = FakeGitHubApp(verify: AppKeyFixture.verifies)
            let router = github.router()
            app.addRoutes(to: router)
            try await LoopbackServer.with(router) { server in
                let fixture = try await RunnerFixture.make(in: root, commits: 1)
                try fixture.setNotify(NotificationTests.notifyConfig(server: server))
                let status = CommitStatus(state: .success, context: "benchbot", description: "fine", targetURL: nil)
                try await fixture.store().enqueueNotifications([status.message(repository: "octo-org/project", commit: "abc123", occasion: "1")], now: Date())
                let settings = try #require(try HomeConfig.load(from: Home(root: fixture.home)).benchbot.notify)
                let tokens = GitHubAppTokens(.init(appID: "12345", apiURL: server, repository: "octo-org/project", installationID: 4242, wantsLogin: false),
                                             pem: AppKeyFixture.key.pemRepresentation)
                let dispatcher = Dispatcher(store: try fixture.store(), settings: settings, credentials: Credentials(githubApp: tokens, githubAPIURL: server),
                                            outboxFolder: root.appending(path: "outbox"), logger: Logger(label: "test"))
                let first = try await dispatcher.deliverDue()
                #expect(first.retrying == 1 && first.failed == 0)
                let waiting = try await fixture.store().notifications(in: [.pending], limit: nil)
                #expect(waiting.first?.lastError?.contains("GitHub refused the App's installation token (HTTP 401)") == true, "\(waiting)")
                // Due at its retry time only: the retry this pass schedules again comes after it.
                _ = try await dispatcher.deliverDue(now: try #require(waiting.first?.nextAttemptAt))
                let used = await github.githubRequests.map { $0.authorization ?? "-" }
                #expect(used == ["Bearer ghs_fake_token_1", "Bearer ghs_fake_token_2"], "\(used)")
            }
        }
    }

    @Test("with an App the token beside it is ignored; with its key's variable unset, GitHub's messages go to the outbox folder; one source per process")
    func credentialsFromSettings() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(["github": ["repository": "octo-org/project", "app_id": "Iv23liAbCdEf", "app_private_key_env": "TEST_APP_KEY"]])
            let home = Home(root: fixture.home)
            let settings = try #require(try HomeConfig.load(from: home).benchbot.notify)
            let status = Destination.github(method: .post, path: "/repos/octo-org/project/statuses/abc")
            let unset = try settings.credentials(environment: ["GITHUB_TOKEN": "ghp_besidetheapp123"], home: home)
            #expect(!unset.canReach(status) && unset.githubToken == nil, "no key: the outbox folder, not the token beside the App")
            let pem = AppKeyFixture.key.pemRepresentation
            let first = try settings.credentials(environment: ["TEST_APP_KEY": pem, "GITHUB_TOKEN": "ghp_besidetheapp123"], home: home)
            let second = try settings.credentials(environment: ["TEST_APP_KEY": pem], home: home)
            #expect(first.canReach(status) && first.githubToken == nil && !first.secrets.contains("ghp_besidetheapp123"))
            guard case .app(let one)? = first.githubAuthentication, case .app(let other)? = second.githubAuthentication else {
                Issue.record("no App in the credentials")
                return
            }
            #expect(one === other, "a dispatcher made afresh reuses the process's token source, and its token")
            #expect(one.configuration == .init(appID: "Iv23liAbCdEf", apiURL: "https://api.github.com", repository: "octo-org/project",
                                               installationID: nil, wantsLogin: true))
            let rotated = try settings.credentials(environment: ["TEST_APP_KEY": AppKeyFixture.otherKey.pemRepresentation], home: home)
            guard case .app(let third)? = rotated.githubAuthentication else { return }
            #expect(third !== one, "a new key gets a source of its own")
        }
    }
}
