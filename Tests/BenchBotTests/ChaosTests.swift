@testable import BenchBot
import Compare
import Foundation
import Logging
import TestHTTPServer
import Testing

/// Many machines sharing one PostgreSQL, with faults: four worker processes of two machine
/// classes measure 100 commits while they are killed with SIGKILL at random points of the work,
/// each restarted at once, and the database server is restarted as if it had crashed.
@Suite("Chaos: four workers of two classes on one PostgreSQL, killed and restarted", .enabled(if: PostgresCluster.enabled, PostgresCluster.skipReason))
struct ChaosTests {
    static let classes = ["x86", "arm64"]
    static let commits = 100
    static let logger = Logger(label: "benchbot.test.chaos")

    @Test("every (commit, class) job ends done exactly once with one stored run, and every class's status reaches GitHub exactly once")
    func killedWorkersAndRestartedDatabase() async throws {
        let seed = ProcessInfo.processInfo.environment["BENCHBOT_CHAOS_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        // The database is restarted by this test alone: the shared cluster serves the other suites meanwhile.
        let cluster = try await PostgresCluster.startPrivate()
        defer { PostgresCluster.stop(cluster) }
        let url = try await PostgresCluster.makeDatabase(on: cluster)
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let homes = try await Self.homes(in: root, storeURL: url, server: server)
                try await BenchBotProcess.succeed(["poll", "--home", homes[0], "--backfill", String(Self.commits)])
                let location = try PostgresLocation(url: url)
                try await PostgresStore.with(location, password: nil, logger: Self.logger) { store in
                    #expect(try await store.countJobs() == [.queued: Self.commits * Self.classes.count])
                    let chaos = try await Self.runWithFaults(homes: homes, store: store, cluster: cluster, seed: seed)
                    print("chaos: \(chaos)")
                    #expect(chaos.kills.count >= 10 && chaos.restartedDatabaseAt != nil, "the faults happened: \(chaos)")
                    try await Self.flushOutbox(home: homes[0], store: store)
                    try await Self.checkEveryJobOnce(store, chaos: chaos)
                    try await Self.checkStatuses(fake, store: store, chaos: chaos)
                }
            }
        }
    }

    /// What the faults were, for the failure messages: a run that fails says how to replay it.
    struct Chaos: CustomStringConvertible {
        var seed: UInt64
        var kills: [String] = []
        var exits: [String] = []
        var restartedDatabaseAt: Int?

        var description: String {
            "seed \(seed) (BENCHBOT_CHAOS_SEED replays the schedule); \(kills.count) kill(s): \(kills.joined(separator: ", ")); "
                + "database restarted after \(restartedDatabaseAt.map(String.init) ?? "no") job(s); exits: \(exits.joined(separator: " | "))"
        }
    }

    /// A project of 100 commits whose measured value never changes (nothing to confirm or bisect,
    /// so the queue holds exactly a job per commit and class), and four homes sharing one store:
    /// two per class, each its own machine.
    static func homes(in root: String, storeURL: String, server: String) async throws -> [String] {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.addLoopLengthExperiment()
        _ = try await fixture.commitLoopLengths(1...(commits - 1)) { _ in 1000 }
        try fixture.setNotify(["initial_backoff": 0.2, "site_url": "https://bench.example.org",
                               "github": ["repository": "octo-org/project", "token_env": "TEST_GITHUB_TOKEN", "api_url": server, "context": "benchbot"]])
        var homes: [String] = []
        for (index, machine) in ["x86", "x86", "arm64", "arm64"].enumerated() {
            let home = root.appending(path: "machine-\(index)")
            try FileManager.default.copyItem(atPath: fixture.home, toPath: home)
            try RunnerFixture(git: fixture.git, home: home).editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                // A short lease: a job whose worker died on another machine goes back to the queue within seconds.
                benchbot["runner"] = ["stage_timeout": 60, "lease_duration": 6]
                benchbot["store"] = ["url": storeURL]
                benchbot["machine"] = ["name": "box-\(index)", "class": machine]
                benchbot["machines"] = classes
                config["benchbot"] = benchbot
            }
            homes.append(home)
        }
        return homes
    }

    static let environment: [String: String?] = ["TEST_GITHUB_TOKEN": "ghp_chaostoken1234"]

    static func worker(_ home: String) throws -> KillableBenchBot {
        try KillableBenchBot(["work", "--forever", "--poll-interval", "0.2", "--home", home], environment: environment)
    }

    /// Runs the four workers until every job is done: after every few finished jobs (3 to 12,
    /// drawn from the seed) one worker, drawn too, is killed with SIGKILL and started again at
    /// once; after half the jobs the database is restarted with an immediate shutdown. A worker
    /// that ends on its own (one that could not open the store while it restarted) is started again.
    static func runWithFaults(homes: [String], store: PostgresStore, cluster: PostgresCluster.Running, seed: UInt64) async throws -> Chaos {
        var chaos = Chaos(seed: seed)
        var random = SplitMix64(state: seed)
        var workers = try homes.map(worker)
        let total = commits * classes.count
        var nextFault = Int.random(in: 3...12, using: &random)
        var done = 0
        let deadline = ContinuousClock.now + .seconds(600)
        while done < total {
            guard ContinuousClock.now < deadline else {
                Issue.record("the jobs did not all finish within 600 s: \(done) of \(total) done; \(chaos)")
                break
            }
            // Progress is read from the store, which may be restarting: no answer is no progress.
            _ = await eventually(within: .seconds(5)) {
                done = (try? await store.countJobs())?[.done] ?? done
                return done >= nextFault || done >= total
            }
            for index in workers.indices where !workers[index].process.isRunning {
                let ended = try await workers[index].finish(timeout: .seconds(30))
                chaos.exits.append("box-\(index) exited \(ended.status): \(ended.errors.suffix(300))")
                workers[index] = try worker(homes[index])
            }
            guard done >= nextFault, done < total else { continue }
            let victim = Int.random(in: 0..<workers.count, using: &random)
            workers[victim].kill()
            _ = try await workers[victim].finish(timeout: .seconds(30))
            chaos.kills.append("box-\(victim) after \(done)")
            workers[victim] = try worker(homes[victim])
            if chaos.restartedDatabaseAt == nil, done >= total / 2 {
                try await PostgresCluster.restart(cluster)
                chaos.restartedDatabaseAt = done
            }
            nextFault = done + Int.random(in: 3...12, using: &random)
        }
        for worker in workers {
            worker.kill()
            _ = try await worker.finish(timeout: .seconds(30))
        }
        return chaos
    }

    /// Sends what the killed workers left in the outbox: a message whose sender died mid-send is
    /// asked of GitHub, not sent again blindly.
    static func flushOutbox(home: String, store: PostgresStore) async throws {
        let settled = try await eventually(within: .seconds(60)) {
            _ = try await BenchBotProcess.run(["notify", "--home", home], environment: environment)
            return try await store.notifications(in: [.pending, .sending, .failed, .uncertain], limit: nil).isEmpty
        }
        let left = try await store.notifications(in: [.pending, .sending, .failed, .uncertain], limit: nil)
        #expect(settled, "the outbox still holds: \(left.map { "\($0.id) \($0.state) \($0.message.kind) \($0.lastError ?? "")" })")
    }

    static func checkEveryJobOnce(_ store: PostgresStore, chaos: Chaos) async throws {
        let jobs = try await store.jobs(in: nil, limit: nil)
        #expect(jobs.count == commits * classes.count && jobs.allSatisfy { $0.state == .done },
                "\(jobs.filter { $0.state != .done }.map { "\($0.id) \($0.machine) \($0.state) \($0.message ?? "")" }); \(chaos)")
        for commit in Set(jobs.map(\.commit)) {
            let runs = try await store.runs(repository: jobs[0].repository, commit: commit)
            let perClass = Dictionary(grouping: runs, by: \.machine).mapValues(\.count)
            #expect(perClass == Dictionary(uniqueKeysWithValues: classes.map { ($0, 1) }), "commit \(commit.short): \(perClass); \(chaos)")
        }
    }

    /// Each commit's final status (not `pending`) reached GitHub once per class, under that class's context.
    static func checkStatuses(_ fake: FakeSlackAndGitHub, store: PostgresStore, chaos: Chaos) async throws {
        let commits = Set(try await store.jobs(in: nil, limit: nil).map(\.commit.hex))
        var finals: [String: Int] = [:]
        var misdirected: [String] = []
        for post in await fake.statusPosts {
            let fields = post.json
            guard let state = fields["state"] as? String, state != "pending", let context = fields["context"] as? String,
                  let sha = post.path.split(separator: "/").last else { continue }
            finals["\(sha) \(context)", default: 0] += 1
            // Each class's link goes to its own pages: the first class's at the site's root, the other's in its folder.
            let link = fields["target_url"] as? String ?? ""
            let expected = context.hasSuffix("/arm64") ? "https://bench.example.org/machines/arm64/" : "https://bench.example.org/commit/"
            if !link.hasPrefix(expected) { misdirected.append("\(context): \(link)") }
        }
        #expect(misdirected.isEmpty, "links to another class's pages: \(misdirected.prefix(5))")
        let expected = Set(commits.flatMap { sha in classes.map { "\(sha) benchbot/\($0)" } })
        #expect(Set(finals.keys) == expected, "missing: \(expected.subtracting(finals.keys).sorted().prefix(5)); unexpected: \(Set(finals.keys).subtracting(expected).sorted().prefix(5)); \(chaos)")
        let doubled = finals.filter { $0.value > 1 }
        #expect(doubled.isEmpty, "sent more than once: \(doubled.sorted { $0.key < $1.key }.prefix(5)); \(chaos)")
    }
}
