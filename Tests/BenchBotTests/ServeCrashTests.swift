import BenchBot
import Foundation
import Notify
import Synchronization
import Testing

@Suite("benchbot serve killed during a burst of deliveries")
struct ServeCrashTests {
    @Test("every delivery answered 2xx before a kill -9 is queued exactly once after the restart; redelivering the rest is safe",
          arguments: DeliveryDurability.allCases)
    func killDuringBurst(durability: DeliveryDurability) async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 1)
            var commits = [try await git.head()]
            for index in 1...120 { commits.append(try await git.commit("commit \(index + 1)")) }
            try await git.git("-C", git.work, "push", "-q", "origin", "main")
            let home = root.appending(path: "home")
            try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin])
            let environment = ["TEST_WEBHOOK_SECRET": WebhookHarness.secret]
            try Self.setSecretVariable(home: home, durability: durability)

            // One push delivery per commit: each queues exactly that commit.
            let deliveries = try (1..<commits.count).map { index in
                (id: "burst-\(index)", commit: commits[index],
                 payload: try GitHubPayload.push(ref: "refs/heads/main", before: commits[index - 1], after: commits[index]))
            }
            var server = try await ServeProcess(home: home, environment: environment)
            let answered = Answered()
            let killAfter = 40
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<4 {
                    group.addTask { [server] in
                        for delivery in deliveries.enumerated().filter({ $0.offset % 4 == client }).map(\.element) {
                            guard let response = try? await Self.post(delivery.payload, id: delivery.id, to: server.url) else { return }
                            if (200..<300).contains(response.status) {
                                let count = answered.insert(delivery.id)
                                if count == killAfter { server.kill() }
                            }
                        }
                    }
                }
            }
            if server.process.isRunning { server.kill() }
            let answeredBeforeKill = answered.ids
            #expect(answeredBeforeKill.count >= killAfter && answeredBeforeKill.count < deliveries.count,
                    "the kill must fall inside the burst: \(answeredBeforeKill.count) of \(deliveries.count) answered")

            server = try await ServeProcess(home: home, environment: environment)
            let store = try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
            // The restarted server applies what was kept before the kill, on its own.
            let settled = await eventually(within: .seconds(120)) {
                (try? await store.countDeliveries()[.received] ?? 0) == 0
            }
            #expect(settled)
            var jobs = try await store.jobs(in: nil, limit: nil)
            for delivery in deliveries where answeredBeforeKill.contains(delivery.id) {
                #expect(jobs.filter { $0.commit.hex == delivery.commit }.count == 1, "\(delivery.id) answered 2xx but not queued once")
            }
            // A CI run once found none queued, on a busy machine: the deliveries' states and the
            // server's own words are what tells a starved processor from deliveries it gave up on.
            if jobs.isEmpty {
                let states = (try? await store.countDeliveries()) ?? [:]
                Issue.record("no job queued; deliveries by state \(states); the restarted server said: \(server.terminate().errors.suffix(6000))")
                return
            }
            #expect(Set(jobs.map(\.commit.hex)).count == jobs.count)

            // GitHub redelivers every delivery (the answered ones too, as a person might): nothing is queued twice.
            for delivery in deliveries {
                let response = try await Self.post(delivery.payload, id: delivery.id, to: server.url)
                #expect(response.status == 200)
            }
            let allApplied = await eventually(within: .seconds(120)) {
                let counts = (try? await store.countDeliveries()) ?? [:]
                return counts[.received, default: 0] == 0 && counts[.processed, default: 0] == deliveries.count
            }
            #expect(allApplied)
            jobs = try await store.jobs(in: nil, limit: nil)
            #expect(jobs.map(\.commit.hex).sorted() == deliveries.map(\.commit).sorted())
            let stopped = server.terminate()
            #expect(stopped.status == 0, "SIGTERM stops it gracefully: \(stopped.errors)")
        }
    }

    /// The deliveries answered 2xx, shared by the clients.
    final class Answered: Sendable {
        private let state = Mutex<Set<String>>([])
        var ids: Set<String> { state.withLock { $0 } }
        /// - Returns: How many there are now.
        func insert(_ id: String) -> Int { state.withLock { $0.insert(id); return $0.count } }
    }

    /// Names the webhook secret's variable, and the GitHub repository whose deliveries count.
    static func setSecretVariable(home: String, repository: String? = WebhookHarness.repository, durability: DeliveryDurability? = nil) throws {
        let file = home.appending(path: "config/config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
        var benchbot = config["benchbot"] as! [String: Any]
        benchbot["github"] = ["webhook_secret_env": "TEST_WEBHOOK_SECRET"]
        if let repository { benchbot["notify"] = ["github": ["repository": repository, "token_env": "TEST_GITHUB_TOKEN_UNSET"]] }
        if let durability { benchbot["serve"] = ["durability": durability.rawValue] }
        config["benchbot"] = benchbot
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: file))
    }

    static func post(_ payload: Data, id: String, to url: String) async throws -> HTTPResponse {
        try await HTTPClient().execute(HTTPRequest(method: .post, url: url + "/webhooks/github", headers: [
            ("Content-Type", "application/json"), ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", id),
            ("X-Hub-Signature-256", WebhookSignature.header(for: payload, secret: WebhookHarness.secret)),
        ], body: payload))
    }
}
