@testable import BenchBot
import Foundation
import Logging
import Notify
import Testing

/// What a hostile review of `benchbot serve` found, each kept as a test that fails without its fix:
/// a worker that stops, a second hook, a stalled client, a home that names no repository.
@Suite("benchbot serve under faults, stalls and hostile deliveries")
struct ServeHardeningTests {
    @Test("serve --work stops on SIGTERM with exit 0 and no error line, as serve without --work does")
    func serveWorkStopsCleanly() async throws {
        try await withTemporaryDirectory { root in
            let home = try await Self.home(in: root)
            let server = try await ServeProcess(home: home, environment: ["TEST_WEBHOOK_SECRET": WebhookHarness.secret],
                                                extraArguments: ["--work", "--poll-interval", "0.2"])
            // Idle long enough for the worker to be waiting on the empty queue.
            let healthy = await eventually(within: .seconds(60)) {
                (try? await HTTPClient().execute(HTTPRequest(method: .get, url: server.url + "/healthz")))?.status == 200
            }
            #expect(healthy)
            let stopped = server.terminate()
            #expect(stopped.status == 0, "SIGTERM must stop serve --work gracefully: \(stopped.errors)")
            #expect(!stopped.errors.contains("CancellationError"), "\(stopped.errors)")
        }
    }

    @Test("serve --work beside another worker on the same home keeps serving webhooks instead of exiting 1")
    func serveWorkBesideAnotherWorker() async throws {
        try await withTemporaryDirectory { root in
            let home = try await Self.home(in: root)
            // Hold the worker lock as `benchbot work --forever` does.
            let locks = home.appending(path: "cache/locks")
            try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
            let descriptor = open(locks.appending(path: "worker-origin.lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)

            let server = try await ServeProcess(home: home, environment: ["TEST_WEBHOOK_SECRET": WebhookHarness.secret],
                                                extraArguments: ["--work", "--poll-interval", "0.2"])
            let ping = try GitHubPayload.ping()
            var answered = 0
            // Deliveries keep arriving for a few seconds: every one must be answered.
            for index in 0..<20 {
                let response = try? await HTTPClient().execute(HTTPRequest(method: .post, url: server.url + "/webhooks/github", headers: [
                    ("Content-Type", "application/json"), ("X-GitHub-Event", "ping"), ("X-GitHub-Delivery", "beside-\(index)"),
                    ("X-Hub-Signature-256", WebhookSignature.header(for: ping, secret: WebhookHarness.secret)),
                ], body: ping))
                if response?.status == 200 { answered += 1 }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answered == 20, "serve --work exited beside another worker")
            #expect(server.process.isRunning)
            if server.process.isRunning { _ = server.terminate() }
        }
    }

    @Test("the same maintainer comment delivered under a second delivery id (a second hook, a replay) runs nothing twice")
    func sameCommentTwoDeliveryIDs() async throws {
        try await WebhookHarness.with { harness in
            let base = try await harness.git.head()
            let head = try await harness.commitOnBranch("contribution", length: 1500)
            _ = try await harness.publishPullRequest(12, branch: nil)
            await harness.fake.setPullRequest(12, try WebhookCommandTests.pullRequest(12, head: head, base: base))
            let command = try GitHubPayload.comment("/benchbot run", number: 12, id: 9002, author: "maintainer", association: "MEMBER")
            try await harness.deliverAndApply("issue_comment", command, id: "repo-hook-delivery")
            // The job runs to its end.
            let worked = try await BenchBotProcess.run(["work", "--verbose", "--home", harness.fixture.home, "--drain"])
            #expect(worked.succeeded, "\(worked.standardError)")
            #expect(try await harness.jobs().map(\.state) == [.done])

            // The very same comment (id 9002) arrives again under another id: it must not run the fork's code again.
            try await harness.deliverAndApply("issue_comment", command, id: "app-hook-delivery")
            let jobs = try await harness.jobs()
            #expect(jobs.allSatisfy { $0.state == .done }, "comment 9002 was obeyed twice: \(jobs.map { ($0.id, $0.state) })")
        }
    }

    @Test("a home that names no GitHub repository acts on no delivery, whatever repository it names; one read from a GitHub URL does")
    func noRepositoryNoDeliveries() async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 1)
            let home = root.appending(path: "home")
            try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin])
            try ServeCrashTests.setSecretVariable(home: home, repository: nil)
            let server = try await ServeProcess(home: home, environment: ["TEST_WEBHOOK_SECRET": WebhookHarness.secret])
            let payload = try GitHubPayload.push(ref: "refs/heads/main", before: GitHubPayload.zero, after: try await git.head())
            let response = try await ServeCrashTests.post(payload, id: "someone-elses", to: server.url)
            #expect(response.status == 200)
            let store = try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
            #expect(await eventually { (try? await store.countDeliveries()[.processed]) == 1 })
            #expect(try await store.jobs(in: nil, limit: nil).isEmpty)
            #expect(try await store.deliveries(limit: 1).first?.outcome?.contains("names no GitHub repository") == true)
            _ = server.terminate()
        }
        #expect(GitHubIntake.gitHubRepository(fromURL: "https://github.com/octo-org/octo-repo.git") == "octo-org/octo-repo")
        #expect(GitHubIntake.gitHubRepository(fromURL: "git@github.com:octo-org/octo-repo.git") == "octo-org/octo-repo")
        #expect(GitHubIntake.gitHubRepository(fromURL: "https://gitlab.com/octo-org/octo-repo.git") == nil)
        #expect(GitHubIntake.gitHubRepository(fromURL: "/srv/git/octo-repo.git") == nil)
        #expect(GitHubIntake.gitHubRepository(fromURL: "https://notgithub.com/octo-org/octo-repo.git") == nil)
        #expect(GitHubIntake.gitHubRepository(fromURL: "ssh://git@github.com/octo-org/octo-repo.git") == "octo-org/octo-repo")
    }

    @Test("a client that sends half a request, or half a body, and stalls is disconnected after the idle timeout, and does not hold up shutdown")
    func stalledClientsAreClosed() async throws {
        try await withTemporaryDirectory { root in
            let homePath = try await Self.home(in: root)
            let home = Home(root: homePath)
            var server = try BenchBotServer(home: home, config: try HomeConfig.load(from: home),
                                            store: try SQLiteStore.open(path: homePath.appending(path: "benchbot.sqlite")),
                                            environment: ["TEST_WEBHOOK_SECRET": WebhookHarness.secret], logger: Logger(label: "test"))
            server.idleTimeout = .seconds(1)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [server] in
                    try await server.run(host: "127.0.0.1", port: 0, worker: nil) { port in
                        continuation.yield(port)
                        continuation.finish()
                    }
                }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let closedAfter = await RawHTTP.secondsUntilClosed(afterSending: "POST /webhooks/github HTTP/1.1\r\nHost: bench\r\nContent-Le",
                                                                  port: port, limit: 20)
                #expect(closedAfter != nil && closedAfter! < 10, "a stalled connection stayed open: \(String(describing: closedAfter))")
                // Stalled inside the body: cut off too, and counted as a request cut short, not as a payload too large.
                let cutAfter = await RawHTTP.secondsUntilClosed(afterSending: "POST /webhooks/github HTTP/1.1\r\nHost: bench\r\n"
                                                                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"zen\": ",
                                                               port: port, limit: 20)
                #expect(cutAfter != nil && cutAfter! < 10, "a connection stalled in its body stayed open: \(String(describing: cutAfter))")
                let metrics = String(decoding: try await RawHTTP.get("/metrics", port: port).body, as: UTF8.self)
                #expect(metrics.contains(#"benchbot_webhook_rejected_total{reason="malformed"} 1"#) && !metrics.contains(#"reason="too_large"} 1"#),
                        "\(metrics)")
                group.cancelAll()
            }
        }
    }

    @Test("check names an unreadable webhook secret or API token file, a push pattern no branch can match, and an unknown association")
    func checkReadsTheServerSettings() async throws {
        try await withTemporaryDirectory { root in
            let homePath = try await Self.home(in: root)
            let file = homePath.appending(path: "config/config.json")
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
            var benchbot = config["benchbot"] as! [String: Any]
            benchbot["github"] = ["webhook_secret_file": "secrets/missing", "push_branches": ["main", "--all"]]
            benchbot["serve"] = ["api_token_file": "secrets/also-missing"]
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            let check = try await BenchBotProcess.run(["check", "--home", homePath])
            #expect(check.status == 1)
            for field in ["benchbot.github.webhook_secret_file", "benchbot.serve.api_token_file", "benchbot.github.push_branches"] {
                #expect(check.standardOutput.contains(field) || check.standardError.contains(field), "\(field) not named: \(check.standardOutput)\(check.standardError)")
            }
            benchbot["github"] = ["trusted_associations": ["OWNER", "MAINTAINER"]]
            benchbot["serve"] = ["listen": "localhost", "durability": "eventually"]
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            let second = try await BenchBotProcess.run(["check", "--home", homePath])
            let said = second.standardOutput + second.standardError
            #expect(second.status == 1 && said.contains("'MAINTAINER'") && said.contains("benchbot.serve.listen"), "\(said)")
            #expect(said.contains("benchbot.serve.durability") && said.contains("'eventually'") && said.contains("\"process\""), "\(said)")
        }
    }

    @Test("a delivery is answered at once while another process holds the store's write lock; one that meets an intake another process appends to is answered 503 within GitHub's 10 s, and kept once redelivered")
    func lockedStoreAnswersInTime() async throws {
        try await WebhookHarness.with { harness in
            let payload = try GitHubPayload.ping()
            let storePath = harness.fixture.home.appending(path: "benchbot.sqlite")
            _ = try SQLiteStore.open(path: storePath).intake(create: true)
            try await Self.holdingFileLock(on: DeliveryIntake.path(beside: storePath)) { () async throws in
                let started = ContinuousClock.now
                let refused = try await harness.deliver("ping", payload, id: "while-locked")
                let waited = ContinuousClock.now - started
                #expect(refused.status == 503 && waited < .seconds(9), "answered \(refused.status) after \(waited)")
            }
            try await Self.holdingWriteLock(on: storePath) { () async throws in
                // A worker recording a run, a backup, an operator's sqlite3: none of them holds up GitHub's answer.
                #expect(try await harness.deliver("ping", payload, id: "while-store-locked").status == 200)
            }
            #expect(try await harness.deliver("ping", payload, id: "while-locked").status == 200)
            #expect(try await harness.deliveries().map(\.id).sorted() == ["while-locked", "while-store-locked"])
        }
    }

    /// Runs `body` while a `flock` process holds the file's lock, as a second server would.
    static func holdingFileLock(on path: String, _ body: @Sendable () async throws -> Void) async throws {
        let holder = Process(), input = Pipe(), output = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", path, "sh", "-c", "echo locked; exec cat"]
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        let said: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)) }
        }
        #expect(said.contains("locked"))
        defer {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        try await body()
    }

    /// Runs `body` while a sqlite3 process holds the database's write lock.
    static func holdingWriteLock(on database: String, _ body: @Sendable () async throws -> Void) async throws {
        let holder = Process(), input = Pipe(), output = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["sqlite3", database]
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        let said: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)) }
        }
        #expect(said.contains("locked"))
        defer {
            input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
            holder.waitUntilExit()
        }
        try await body()
    }

    /// An initialised home on a one-commit origin, with its webhook secret in TEST_WEBHOOK_SECRET.
    static func home(in root: String) async throws -> String {
        let git = try await GitFixture.make(in: root, commits: 1)
        let home = root.appending(path: "home")
        try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin])
        try ServeCrashTests.setSecretVariable(home: home)
        return home
    }
}
