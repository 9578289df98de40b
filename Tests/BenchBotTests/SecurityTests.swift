@testable import BenchBot
import Foundation
import TestHTTPServer
import Testing

@Suite("Security: others' comments, credentials in URLs")
struct SecurityTests {
    static let marker = "<!-- benchbot:comparison:benchbot/perf -->"

    @Test("a comment someone else posted with BenchBot's marker is left alone; BenchBot posts, then edits, its own",
          arguments: [nil, "benchbot-app"])
    func foreignMarkerComment(app: String?) async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub(githubApp: app)
            let person = await fake.addComment(issue: 7, body: "\(Self.marker) copied from the bot", author: "mallory")
            let otherApp = await fake.addComment(issue: 7, body: "\(Self.marker) another bot", author: "other-app[bot]", isApp: true)
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, commits) = try await PullRequestNotificationTests.pullRequestFixture(
                    in: root, notify: ["github": PullRequestNotificationTests.github(server)])
                let environment = ["TEST_GITHUB_TOKEN": PullRequestNotificationTests.token]
                for commit in commits[2...3] {
                    try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit, "--pull-request", "7"])
                    let work = try await BenchBotProcess.run(["work", "--home", fixture.home], environment: environment)
                    #expect(work.succeeded && !work.standardOutput.contains("failed:") && !work.standardError.contains("403"),
                            "\(work.standardOutput)\(work.standardError)")
                }
                let comments = await fake.comments
                #expect(comments[person]?.body == "\(Self.marker) copied from the bot")
                #expect(comments[otherApp]?.body == "\(Self.marker) another bot")
                let own = comments.filter { $0.value.author == fake.githubLogin }
                #expect(own.count == 1 && own.values.first?.body.contains(":red_circle:") == true, "\(comments)")
                let requests = await fake.githubRequests.map { "\($0.method) \($0.path)" }
                #expect(requests.filter { $0 == "POST /repos/octo-org/project/issues/7/comments" }.count == 1, "\(requests)")
                #expect(!requests.contains("PATCH /repos/octo-org/project/issues/comments/\(person)"), "\(requests)")
                let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
                #expect(!status.contains("Deliveries:"), "\(status)")
            }
        }
    }

    static let password = "hunter2-not-for-logs"

    @Test("a password in benchbot.repository.url is flagged by check, masked in the store and in backups")
    func repositoryURLPassword() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let url = "https://bench-bot:\(Self.password)@git.example.invalid/org/project.git"
            try fixture.setBenchBotSection("repository", ["url": url, "branches": ["main"]])

            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(!check.succeeded && check.standardOutput.contains("benchbot.repository.url")
                    && (check.standardOutput + check.standardError).contains("BENCHBOT_GIT_TOKEN"), "\(check.standardOutput)\(check.standardError)")
            #expect(!(check.standardOutput + check.standardError).contains(Self.password))

            let store = try fixture.store()
            let commit = CommitMetadata(id: ObjectID(hex: String(repeating: "a", count: 40))!, parents: [], authorName: "A", authorEmail: "a@b",
                                        authorTime: Date(timeIntervalSince1970: 1_700_000_000), subject: "s")
            _ = try await store.enqueue(EnqueueRequest(repository: "project", repositoryURL: url, commits: [commit], suite: "default",
                                                       machine: "m", source: .manual))
            let files = try FileManager.default.contentsOfDirectory(atPath: fixture.home).filter { $0.hasPrefix("benchbot.sqlite") }
            #expect(!files.isEmpty)
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.home.appending(path: file)))
                #expect(bytes.range(of: Data(Self.password.utf8)) == nil, "\(file) holds the password")
            }

            let home = Home(root: fixture.home)
            let config = try #require(HomeConfig.read(from: home).0)
            let archive = try await HomeBackup.create(home: home, config: config, label: "before")
            let unpacked = root.appending(path: "unpacked")
            try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
            #expect(try await CommandRunner.run("tar", arguments: ["-xzf", archive, "-C", unpacked], timeout: .seconds(60)).succeeded)
            let saved = try String(contentsOfFile: unpacked.appending(path: "config/config.json"), encoding: .utf8)
            #expect(!saved.contains(Self.password) && saved.contains("https://[redacted]@git.example.invalid/org/project.git"), "\(saved)")
        }
    }

    @Test("a fork URL with a password is refused with the fix, and nothing of it is stored or printed")
    func forkURLPassword() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let enqueue = try await BenchBotProcess.run(["enqueue", "--home", fixture.home, "--branch", "feature",
                                                         "--remote", "https://alice:\(Self.password)@127.0.0.1:9/fork.git"])
            let output = enqueue.standardOutput + enqueue.standardError
            #expect(!enqueue.succeeded && output.contains("BENCHBOT_GIT_TOKEN") && output.contains("https://[redacted]@127.0.0.1:9/fork.git"), "\(output)")
            #expect(!output.contains(Self.password))
            #expect(try await BenchBotProcess.jobs(home: fixture.home).isEmpty)
        }
    }
}
