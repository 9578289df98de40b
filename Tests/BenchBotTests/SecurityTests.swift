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
                    let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
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

    /// Runs `arguments` as the unprivileged user `nobody`, as BenchBot and the stages it runs would on a real machine.
    static func asNobody(_ arguments: [String]) -> [String] {
        ["--reuid=65534", "--regid=65534", "--clear-groups"] + arguments
    }

    @Test("a process of BenchBot's own user cannot read benchbot's environment, tokens included; it can read an ordinary process's")
    func environmentHiddenFromSameUser() async throws {
        try await withTemporaryDirectory { root in
            chmod(root, 0o755)
            let git = try await GitFixture.make(in: root, commits: 0)
            let mirror = root.appending(path: "mirror.git")
            try await git.git("init", "-q", "--bare", mirror)
            #expect(try await CommandRunner.run("chown", arguments: ["-R", "65534:65534", mirror], timeout: .seconds(30)).succeeded)
            let listener = try FetchTimeoutTests.SilentListener()
            let secret = "v-fetch-token-\(UUID().uuidString)"
            let environment: [String: String?] = ["BENCHBOT_FETCH_URL": "http://127.0.0.1:\(listener.port)/p.git", "BENCHBOT_FETCH_TOKEN": secret,
                                                 "HOME": root]
            let pids = FetchTimeoutTests.StartedProcesses()
            // benchbot hangs in its connect to a server that never answers; a `sleep` with the same environment is the control.
            let commands = ["benchbot": [BenchBotProcess.executable, "fetch-mirror", "--repository=\(mirror)", "--timeout=100",
                                         "--refspec=+refs/heads/main:refs/remotes/origin/main"],
                            "sleep": ["sleep", ProcessTreeTests.uniqueSleep()]]
            let runs = commands.map { name, arguments in
                let log = root.appending(path: "\(name).log")
                return Task {
                    try await CommandRunner.run("setpriv", arguments: Self.asNobody(arguments), environment: environment,
                                                logFile: log, timeout: .seconds(300)) { identity in
                        pids.record(name, identity.pid)
                    }
                }
            }
            // Its connection arriving means benchbot's start-up, where it hides its environment, is over.
            var waiting = pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)
            #expect(poll(&waiting, 1, 30_000) == 1)
            #expect(await ProcessTreeTests.within(.seconds(60)) { pids.all.count == 2 })
            let found = pids.all
            for (name, pid) in found {
                // Twice on a CI machine whose cores every suite shared, the control's `cat` of a few
                // hundred bytes was still unanswered after 30 s; the runs it reads outlast the wait,
                // and are killed here once read.
                let read = try await CommandRunner.run("setpriv", arguments: Self.asNobody(["cat", "/proc/\(pid)/environ"]), timeout: .seconds(120))
                if name == "benchbot" {
                    #expect(!read.succeeded && !read.standardOutput.contains(secret), "\(read)")
                } else {
                    #expect(read.succeeded && read.standardOutput.contains(secret), "the control: \(read)")
                }
                kill(pid, SIGKILL)
            }
            for run in runs { _ = try await run.value }
            withExtendedLifetime(listener) {}
        }
    }

    @Test("a URL whose user is a plain name (Azure DevOps, Bitbucket) is neither flagged by check nor refused as a fork")
    func plainUserNames() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setBenchBotSection("repository", ["url": "https://org@dev.azure.com/org/proj/_git/repo", "branches": ["main"]])
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(!(check.standardOutput + check.standardError).contains("benchbot.repository.url"), "\(check.standardOutput)\(check.standardError)")

            let local = try await RunnerFixture.make(in: root.appending(path: "second"), commits: 1)
            let enqueue = try await BenchBotProcess.run(["enqueue", "--home", local.home, "--branch", "feature",
                                                         "--remote", "https://alice@127.0.0.1:9/fork.git"])
            let output = enqueue.standardOutput + enqueue.standardError
            // Refused by the fetch (nothing listens), not for its user name.
            #expect(!enqueue.succeeded && output.contains("cannot fetch") && !output.contains("holds a password or token"), "\(output)")
            let token = try await BenchBotProcess.run(["enqueue", "--home", local.home, "--branch", "feature",
                                                       "--remote", "git+https://ghp_0123456789abcdef@127.0.0.1:9/fork.git"])
            #expect(!token.succeeded && (token.standardOutput + token.standardError).contains("holds a password or token"),
                    "\(token.standardOutput)\(token.standardError)")
        }
    }

    @Test("check asks for benchbot.notify.github.login when the GitHub token is an App's installation token")
    func appTokenNeedsLogin() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(["github": ["repository": "o/r", "token_env": "BOT_GH_TOKEN"]])
            let environment = ["BOT_GH_TOKEN": "ghs_0123456789abcdefghijABCDEFGHIJ"]
            let unnamed = try await BenchBotProcess.run(["check", "--home", fixture.home], environment: environment)
            #expect(!unnamed.succeeded && unnamed.standardOutput.contains("benchbot.notify.github.login"), "\(unnamed.standardOutput)")
            try fixture.setNotify(["github": ["repository": "o/r", "token_env": "BOT_GH_TOKEN", "login": "bench[bot]"]])
            let named = try await BenchBotProcess.run(["check", "--home", fixture.home], environment: environment)
            #expect(!named.standardOutput.contains("benchbot.notify.github.login"), "\(named.standardOutput)")
        }
    }

    @Test("a stage running as BenchBot's user cannot read the worker's environment and its token; its own, with the marker, stays readable")
    func stageCannotReadWorker() async throws {
        try await withTemporaryDirectory { root in
            chmod(root, 0o755)
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            var stages = RunnerFixture.timingStages
            let probe = root.appending(path: "probe.txt")
            stages["run.sh"] = stages["run.sh"]!.replacingOccurrences(of: "set -e\n", with: """
                set -e
                { cat /proc/$PPID/environ || echo "refused"; } > "\(probe)" 2>&1
                tr '\\0' '\\n' < /proc/$$/environ | grep -c '^BENCHBOT_COMMAND=' >> "\(probe)"

                """)
            try fixture.addExperiment("stages", scripts: stages)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            #expect(try await CommandRunner.run("chown", arguments: ["-R", "65534:65534", root], timeout: .seconds(60)).succeeded)
            let secret = "v-git-token-\(UUID().uuidString)"
            let environment = GitFixture.environment.merging(["BENCHBOT_GIT_TOKEN": secret, "HOME": root]) { $1 }
            let work = try await CommandRunner.run("setpriv", arguments: Self.asNobody([BenchBotProcess.executable, "work", "--home", fixture.home]),
                                                   environment: environment, timeout: .seconds(120))
            #expect(work.succeeded, "\(work.standardOutput)\(work.standardError)")
            let seen = try String(contentsOfFile: probe, encoding: .utf8)
            #expect(!seen.contains(secret) && seen.contains("refused") && seen.hasSuffix("\n1\n"), "\(seen)")
        }
    }
}
