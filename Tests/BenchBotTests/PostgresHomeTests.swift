@testable import BenchBot
import Foundation
import Logging
import Testing

/// Whole homes whose store is a PostgreSQL database (`benchbot.store.url`), driven through the
/// `benchbot` binary as a user drives them.
@Suite("A home on PostgreSQL", .enabled(if: PostgresCluster.enabled, PostgresCluster.skipReason))
struct PostgresHomeTests {
    /// Points `home`'s store at a fresh database of the test cluster.
    static func useNewDatabase(home: String) async throws -> String {
        let url = try await PostgresCluster.makeDatabase()
        let file = home.appending(path: "config/config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        var benchbot = config["benchbot"] as? [String: Any] ?? [:]
        benchbot["store"] = ["url": url]
        config["benchbot"] = benchbot
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: file))
        return url
    }

    @Test("an imported history gives the same results, comparisons and change points on PostgreSQL as on SQLite, and no SQLite file")
    func importedHistoryOnBothStores() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, sqliteHome) = try await IntakeAcceptanceTests.setUp(in: root, commits: 32)
            let postgresHome = root.appending(path: "home-postgres")
            try await BenchBotProcess.succeed(["init", "--home", postgresHome, "--repo", fixture.origin, "--branch", "main"])
            _ = try await Self.useNewDatabase(home: postgresHome)
            let commits = try await (0..<32).asyncMap { try await fixture.head("main~\(31 - $0)") }
            let folder = root.appending(path: "history")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (index, commit) in commits.enumerated() {
                let jitter = [0.004, -0.003, 0.001, -0.005, 0.002][index % 5]
                try #"{"commit": "\#(commit)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(ChangesTests.parseLevel(index) * (1 + jitter)), \#(ChangesTests.parseLevel(index))]}, {"name": "steady", "unit": "ms", "parameters": {"size": "large"}, "samples": [\#(50 * (1 - jitter)), 50.5, 49.5]}]}"#
                    .write(toFile: folder.appending(path: String(format: "%03d.json", index)), atomically: true, encoding: .utf8)
            }
            var outputs: [String: [String]] = [:]
            for home in [sqliteHome, postgresHome] {
                let imported = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
                outputs[home] = [
                    imported.replacingOccurrences(of: home, with: "HOME"),
                    try await BenchBotProcess.succeed(["results", "--home", home, commits[12]]),
                    try await BenchBotProcess.succeed(["results", "--home", home, "--format", "json", commits[22]]),
                    try await BenchBotProcess.succeed(["compare", "--home", home, commits[11], commits[12]]),
                    try await BenchBotProcess.succeed(["compare", "--home", home, "--format", "json", commits[21], commits[22]]),
                    try await BenchBotProcess.succeed(["changes", "--home", home]),
                    try await BenchBotProcess.succeed(["changes", "--home", home, "--format", "json"]),
                ]
                // Importing a file again stores nothing, on either store.
                let again = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json",
                                                              folder.appending(path: "005.json")])
                #expect(again.contains("already imported") || again.contains("unchanged"), "\(again)")
            }
            let sqlite = try #require(outputs[sqliteHome]), postgres = try #require(outputs[postgresHome])
            #expect(sqlite[0].split(separator: "\n").filter { $0.hasPrefix("change: ") }.count == 2, "\(sqlite[0])")
            // The two imports ran a second or so apart: their times are the only difference allowed.
            func timeless(_ text: String) -> String { text.replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, with: "<time>") }
            for (left, right) in zip(sqlite.map(timeless), postgres.map(timeless)) {
                #expect(left == right, "SQLite printed\n\(left)\nPostgreSQL printed\n\(right)")
            }
            #expect(!FileManager.default.fileExists(atPath: postgresHome.appending(path: "benchbot.sqlite")))
            let jobs = try await BenchBotProcess.jobs(home: postgresHome)
            #expect(jobs.count == 32 && jobs.allSatisfy { $0.state == "done" && $0.source == "import" })
        }
    }

    @Test("a worker measures, finds a change once and confirms it, with the queue, runs and outbox in PostgreSQL")
    func workerOnPostgres() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment()
            let culprit = try await fixture.commitLoopLengths(2...12) { $0 < 8 ? 1000 : 2000 }[7]
            let url = try await Self.useNewDatabase(home: fixture.home)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "20"])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let reported = output.split(separator: "\n").filter { $0.hasPrefix("  regression of") || $0.hasPrefix("  improvement of") }
            #expect(reported.count == 1 && reported.first?.contains("regression of +100.0% in size.loop at \(culprit.prefix(10))") == true, "\(output)")
            let jobs = try await BenchBotProcess.jobs(home: fixture.home)
            #expect(!jobs.isEmpty && jobs.allSatisfy { $0.state == "done" }, "\(jobs)")
            let changes = try await BenchBotProcess.succeed(["changes", "--home", fixture.home])
            #expect(changes.contains("regression of +100.0% in size.loop at \(culprit.prefix(10))"), "\(changes)")
            let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
            #expect(status.contains("postgres://"), "status names the store: \(status)")
            // Every worker is listed: this home's, stopped after draining the queue; one elsewhere
            // holding a job (from before beats, so known by its lease only); one idle; one silent for hours.
            #expect(status.contains("Workers: 1 (0 busy)") && status.contains("stopped  last heartbeat"), "\(status)")
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", culprit, "--rerun"])
            let held = try await PostgresStore.with(try PostgresLocation(url: url), password: nil, logger: Logger(label: "test")) { store in
                let machine = try await store.jobs(in: [.queued], limit: nil).first?.machine ?? "none queued"
                for (identity, name, age) in [("box-7/77@1", "arm-box", 5.0), ("box-8/88@1", "old-box", 86_400.0)] {
                    try await store.beat(WorkerBeat(identity: identity, name: name, machine: "arm64", repository: "r",
                                                    startedAt: Date(timeIntervalSinceNow: -age), heartbeatAt: Date(timeIntervalSinceNow: -age), state: .working))
                }
                return try await store.leaseNextJob(machine: machine, worker: "box-9/4242@1", leaseDuration: .seconds(600), now: Date())
            }
            let busy = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
            let lines = busy.split(separator: "\n").map(String.init)
            #expect(held != nil && busy.contains("Workers: 4 (1 busy)"), "\(busy)")
            #expect(lines.contains { $0.contains("box-9/4242@1") && $0.contains("job \(held?.id ?? 0) (") && $0.contains("lease until") }, "\(busy)")
            #expect(lines.contains { $0.hasPrefix("  arm-box  class arm64  box-7/77@1  idle  last heartbeat") }, "\(busy)")
            #expect(lines.contains { $0.hasPrefix("  old-box  class arm64  box-8/88@1  silent  last heartbeat") }, "\(busy)")
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "benchbot.sqlite")))
        }
    }

    @Test("a store URL that is wrong, or a server that is not there, fails at once with one line naming the store and the fix")
    func badStore() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            func set(store: [String: String]) throws {
                let file = home.appending(path: "config/config.json")
                var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
                var benchbot = config["benchbot"] as? [String: Any] ?? [:]
                benchbot["store"] = store
                config["benchbot"] = benchbot
                try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: file))
            }
            try set(store: ["url": "postgres://bench:secret@db.example.invalid/bench"])
            let password = try await BenchBotProcess.run(["status", "--home", home])
            #expect(password.status == 1 && password.standardError.contains("benchbot.store.url") && password.standardError.contains("password_env"),
                    "\(password.standardError)")
            #expect(!password.standardError.contains("secret"))
            let cluster = try await PostgresCluster.cluster()
            try set(store: ["url": "postgres://benchbot@/nowhere?host=\(cluster.folder)&port=\(cluster.port)"])
            let missing = try await BenchBotProcess.run(["status", "--home", home])
            #expect(missing.status == 1 && missing.standardError.contains("nowhere") && missing.standardError.contains("PostgreSQL said"),
                    "\(missing.standardError)")
            #expect(missing.standardError.split(separator: "\n").count <= 2, "\(missing.standardError)")
            try set(store: ["url": "postgres://benchbot@/bench?host=\(root)&port=1", "password_env": "BENCHBOT_TEST_UNSET_PASSWORD"])
            let unset = try await BenchBotProcess.run(["status", "--home", home])
            #expect(unset.status == 1 && unset.standardError.contains("BENCHBOT_TEST_UNSET_PASSWORD is not set"), "\(unset.standardError)")
        }
    }

    @Test("two machine classes share one database: every commit gets a job per class, each home's worker takes its own class, results stay apart")
    func twoMachineClasses() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment()
            let commits = try await fixture.commitLoopLengths(2...3) { $0 < 3 ? 1000 : 3000 }
            _ = try await Self.useNewDatabase(home: fixture.home)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as? [String: Any] ?? [:]
                benchbot["machine"] = ["name": "box-1", "class": "x86-64"]
                benchbot["machines"] = ["x86-64", "arm64"]
                config["benchbot"] = benchbot
            }
            // The second machine's home: the same config and experiments, its own class.
            let armHome = root.appending(path: "home-arm")
            try FileManager.default.copyItem(atPath: fixture.home, toPath: armHome)
            let armConfig = armHome.appending(path: "config/config.json")
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: armConfig))) as? [String: Any])
            var benchbot = config["benchbot"] as? [String: Any] ?? [:]
            benchbot["machine"] = ["name": "box-2", "class": "arm64"]
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: armConfig))

            for commit in commits.suffix(2) {
                let queued = try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit])
                #expect(queued.contains("queued 1"), "one commit, counted once however many classes measure it: \(queued)")
            }
            let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home, "--format", "json", "--limit", "0"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any])
            let jobs = try #require(document["jobs"] as? [[String: Any]])
            #expect(jobs.compactMap { $0["machine"] as? String }.sorted() == ["arm64", "arm64", "x86-64", "x86-64"], "\(jobs)")

            let x86 = try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            let afterX86 = try await BenchBotProcess.jobs(home: fixture.home)
            #expect(afterX86.filter { $0.state == "done" }.count == 2 && afterX86.filter { $0.state == "queued" }.count == 2, "\(x86)")
            _ = try await BenchBotProcess.succeed(["work", "--home", armHome])
            #expect(try await BenchBotProcess.jobs(home: armHome).allSatisfy { $0.state == "done" })

            // Each class compares with its own history only: the x86 baseline is its own run.
            let x86Runs = try await BenchBotProcess.succeed(["results", "--home", fixture.home, "--format", "json", commits[1]])
            let armRuns = try await BenchBotProcess.succeed(["results", "--home", fixture.home, "--machine", "arm64", "--format", "json", commits[1]])
            #expect(x86Runs.contains("x86-64") && !x86Runs.contains("arm64") && armRuns.contains("arm64") && !armRuns.contains("x86-64"),
                    "\(x86Runs)\n\(armRuns)")
            for machine in ["x86-64", "arm64"] {
                let compared = try await BenchBotProcess.succeed(["compare", "--home", fixture.home, "--machine", machine, commits[1], commits[2]])
                #expect(compared.contains(machine) && compared.contains("size.loop"), "\(compared)")
            }
            let armResults = try await BenchBotProcess.succeed(["results", "--home", armHome, commits[2]])
            #expect(armResults.contains("machine arm64"), "\(armResults)")
            let unknown = try await BenchBotProcess.run(["results", "--home", fixture.home, "--machine", "riscv", commits[2]])
            #expect(unknown.status != 0 && unknown.standardError.contains("riscv") && unknown.standardError.contains("--machine arm64"),
                    "\(unknown.standardError)")
            #expect(!unknown.standardError.contains("warning"), "\(unknown.standardError)")
        }
    }

    @Test("store migrate copies a SQLite home into PostgreSQL: the same results, comparisons and change points; a second copy is refused, a merge adds nothing")
    func migrate() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 24)
            let commits = try await (0..<24).asyncMap { try await fixture.head("main~\(23 - $0)") }
            let folder = root.appending(path: "history")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (index, commit) in commits.enumerated() {
                try #"{"commit": "\#(commit)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(ChangesTests.parseLevel(index)), \#(ChangesTests.parseLevel(index) * 1.002)]}]}"#
                    .write(toFile: folder.appending(path: String(format: "%03d.json", index)), atomically: true, encoding: .utf8)
            }
            try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
            try await BenchBotProcess.succeed(["enqueue", "--home", home, "--commit", commits[23], "--rerun"])
            func outputs() async throws -> [String] {
                [try await BenchBotProcess.succeed(["results", "--home", home, "--format", "json", commits[12]]),
                 try await BenchBotProcess.succeed(["compare", "--home", home, commits[11], commits[12]]),
                 try await BenchBotProcess.succeed(["changes", "--home", home, "--format", "json"]),
                 try await BenchBotProcess.succeed(["status", "--home", home, "--format", "json", "--limit", "0"])]
            }
            let before = try await outputs()
            let url = try await PostgresCluster.makeDatabase()
            let migrated = try await BenchBotProcess.succeed(["store", "migrate", "--home", home, "--to", url])
            #expect(migrated.contains("run: 24 row(s), 24 copied now") && migrated.contains("verified: ") && migrated.contains("benchbot.store.url"),
                    "\(migrated)")
            let again = try await BenchBotProcess.run(["store", "migrate", "--home", home, "--to", url])
            #expect(again.status == 1 && again.standardError.contains("a finished copy of this store") && again.standardError.contains("--merge"),
                    "\(again.standardError)")
            let merged = try await BenchBotProcess.succeed(["store", "migrate", "--home", home, "--to", url, "--merge"])
            #expect(merged.contains("run: 24 row(s), 0 copied now") && merged.contains("verified: "), "\(merged)")

            let file = home.appending(path: "config/config.json")
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            var benchbot = config["benchbot"] as? [String: Any] ?? [:]
            benchbot["store"] = ["url": url]
            config["benchbot"] = benchbot
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: file))
            let after = try await outputs()
            for (left, right) in zip(before, after) { #expect(left == right, "SQLite printed\n\(left)\nPostgreSQL printed\n\(right)") }
            // New rows take ids after the copied ones: a replacing import stores run 25.
            let newer = root.appending(path: "newer.json")
            try #"{"commit": "\#(commits[23])", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [96, 97]}]}"#
                .write(toFile: newer, atomically: true, encoding: .utf8)
            try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", "--replace", newer])
            let latest = try await BenchBotProcess.succeed(["results", "--home", home, commits[23]])
            #expect(latest.contains("run 25"), "\(latest)")
        }
    }
}
