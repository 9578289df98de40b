@testable import BenchBot
import Foundation
import Logging
import Testing

/// A worker that loses its PostgreSQL mid-job finishes the benchmark, keeps the run in its spool,
/// and stores it when the database is back; a worker killed while it holds a spooled run leaves it
/// to its successor, which stores it instead of measuring the commit again.
@Suite("The worker's spool, when the database goes away", .enabled(if: PostgresCluster.enabled, PostgresCluster.skipReason))
struct WorkerSpoolTests {
    @Test("a run measured while PostgreSQL is down is spooled and stored once it is back, by the worker or by its successor after a SIGKILL")
    func spooledRuns() async throws {
        try await Self.withHeldCommand(commits: 2) { setup in
            let (cluster, url, fixture, root, go) = (setup.cluster, setup.url, setup.fixture, setup.root, setup.go)
            // The benchmark says it started, then waits for the test's word before it prints its result.
            try fixture.addExperiment("held", config: [
                "active": true, "format": "benchbot-json",
                "command": ["sh", "-c", #"echo started > "$0"; read word < "$1"; printf '{"benchmarks": [{"name": "held", "unit": "s", "samples": [1, 2, 3]}]}'"#,
                            setup.started.path, go],
            ], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "2"])
            let spool = fixture.home.appending(path: "spool")
            let location = try PostgresLocation(url: url)

            // The first job: the database stops while it is measured, and the worker dies holding the spooled run.
            let errors = root.appending(path: "first-worker.err")
            var worker = try KillableBenchBot(["work", "--forever", "--poll-interval", "0.2", "--home", fixture.home], errorsFile: errors)
            #expect(await setup.started.readLine() == "started")
            try await PostgresCluster.stopServer(cluster)
            try Self.say(go)
            // Killed once it has said where the run waits: it writes the spool file first, and a kill
            // between the two (a CI run on a busy machine met one) would leave nothing said.
            let spooled = await eventually {
                Self.files(in: spool).count == 1
                    && ((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "").contains("until the store answers")
            }
            #expect(spooled, "the measured run is in \(spool): \(Self.files(in: spool))")
            worker.kill()
            let killed = try await worker.finish()
            try await PostgresCluster.startServer(cluster)
            let first = try await PostgresStore.with(location, password: nil, logger: Logger(label: "test")) { store in
                try await store.jobs(in: [.running], limit: nil).first
            }
            #expect(first != nil, "the dead worker's lease still holds its job")
            #expect(killed.errors.contains("spool/job-\(first?.id ?? 0).json until the store answers"), "\(killed.errors)")
            // A pipe whose writer has gone reads as ended: the second job's benchmark gets a new one.
            setup.started.close()
            try FileManager.default.removeItem(atPath: setup.started.path)
            setup.started = try FIFO(root.appending(path: "started.fifo"))

            // Its successor stores that run without measuring again, then measures the second job
            // through a second outage, which it waits out itself.
            worker = try KillableBenchBot(["work", "--forever", "--poll-interval", "0.2", "--home", fixture.home])
            #expect(await setup.started.readLine() == "started", "the second job starts")
            try await PostgresCluster.stopServer(cluster)
            try Self.say(go)
            #expect(await eventually { Self.files(in: spool).count == 1 }, "\(Self.files(in: spool))")
            try await PostgresCluster.startServer(cluster)
            try await PostgresStore.with(location, password: nil, logger: Logger(label: "test")) { store in
                let done = try await eventually(within: .seconds(120)) { try await store.countJobs() == [.done: 2] }
                let jobs = try await store.jobs(in: nil, limit: nil)
                #expect(done, "\(jobs.map { "\($0.id) \($0.state) \($0.attempts) \($0.message ?? "")" })")
                #expect(jobs.allSatisfy { $0.attempts == 1 }, "each commit measured once: \(jobs.map { "\($0.id): \($0.attempts)" })")
                for job in jobs {
                    let runs = try await store.runs(repository: job.repository, commit: job.commit)
                    #expect(runs.count == 1 && runs.first?.results.first?.samples == [1, 2, 3], "\(runs)")
                }
                #expect(jobs.first { $0.id == first?.id }?.state == .done)
            }
            #expect(Self.files(in: spool).isEmpty, "the spool is emptied once the runs are stored")
            worker.kill()
            let output = try await worker.finish()
            #expect(output.output.contains("spooled by "), "the successor says it stored its predecessor's run: \(output.output)")
        }
    }

    @Test("a job that fails while PostgreSQL is down has its failure recorded once the database is back, by the same worker, once")
    func failureDuringOutage() async throws {
        try await Self.withHeldCommand(commits: 1) { setup in
            let (cluster, url, fixture, root, go, started) = (setup.cluster, setup.url, setup.fixture, setup.root, setup.go, setup.started)
            // The build says it started, waits for the test's word, then fails.
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["build"] = ["command": ["sh", "-c", #"echo started > "$0"; read word < "$1"; echo "no compiler today" >&2; exit 3"#,
                                                 started.path, go]]
                config["benchbot"] = benchbot
            }
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "1"])
            let errors = root.appending(path: "worker.err")
            let worker = try KillableBenchBot(["work", "--forever", "--poll-interval", "0.2", "--home", fixture.home], errorsFile: errors)
            #expect(await started.readLine() == "started")
            try await PostgresCluster.stopServer(cluster)
            try Self.say(go)
            // The worker says it waits (after its connection deadline); the test then brings the database back.
            func said() -> String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
            let waiting = await eventually { said().contains("its failure is recorded once the store answers") }
            #expect(waiting, "the worker waits for the store to record the failure: \(said().suffix(2000))")
            try await PostgresCluster.startServer(cluster)
            try await PostgresStore.with(try PostgresLocation(url: url), password: nil, logger: Logger(label: "test")) { store in
                let failed = try await eventually(within: .seconds(120)) { try await store.countJobs() == [.failed: 1] }
                let jobs = try await store.jobs(in: nil, limit: nil)
                #expect(failed, "\(jobs.map { "\($0.id) \($0.state) \($0.attempts) \($0.message ?? "")" })")
                #expect(jobs.first?.attempts == 1 && jobs.first?.message?.contains("build") == true, "\(jobs)")
            }
            worker.kill()
            let output = try await worker.finish()
            #expect(!output.errors.contains("not recorded"), "\(output.errors)")
        }
    }

    /// What both tests hold: a PostgreSQL cluster of their own, a runner fixture whose store it is,
    /// and two pipes through which a held command says it started and waits for the test's word.
    struct HeldCommand {
        let cluster: PostgresCluster.Running
        let url: String
        let fixture: RunnerFixture
        let root: String
        /// The pipe the test says its word into (``say(_:)``).
        let go: String
        var started: FIFO
    }

    static func withHeldCommand(commits: Int, _ body: (inout HeldCommand) async throws -> Void) async throws {
        let cluster = try await PostgresCluster.startPrivate()
        defer { PostgresCluster.stop(cluster) }
        let url = try await PostgresCluster.makeDatabase(on: cluster)
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: commits)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["store"] = ["url": url]
                config["benchbot"] = benchbot
            }
            let go = root.appending(path: "go.fifo")
            guard mkfifo(go, 0o600) == 0 else { throw FixtureError(message: "mkfifo \(go) failed") }
            var setup = HeldCommand(cluster: cluster, url: url, fixture: fixture, root: root, go: go,
                                    started: try FIFO(root.appending(path: "started.fifo")))
            defer { setup.started.close() }
            try await body(&setup)
        }
    }

    static func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }
    }

    /// Writes a line into the benchmark's pipe; the benchmark is already waiting at its read end.
    static func say(_ fifo: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: fifo))
        handle.write(Data("go\n".utf8))
        try handle.close()
    }
}
