import BenchBot
import Foundation
import Testing

/// The runner's acceptance points, through real builds, real stage scripts and real signals.
@Suite("Runner through the benchbot executable")
struct RunnerAcceptanceTests {
    @Test("work --drain builds and measures 10 commits: 10 jobs done, with results for each")
    func drainTenCommits() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 10)
            try fixture.addExperiment("loop", scripts: RunnerFixture.timingStages)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "10"])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home, "--drain"])

            let store = try fixture.store()
            let jobs = try await store.jobs(in: nil, limit: nil)
            // Noise this early in a history can raise a suspect, confirmed by a paired job of its
            // own (both sides measured) before anyone is told; the ten commits' jobs have no baseline.
            let own = jobs.filter { $0.baseline == nil }
            let confirmations = jobs.count - own.count
            #expect(own.count == 10 && jobs.allSatisfy { $0.state == .done }, "\(output)")
            for job in own {
                let runs = try await store.runs(repository: "origin", commit: job.commit).filter { !$0.suite.hasSuffix("/ab") }
                #expect(runs.count == 1)
                #expect(runs.first?.results.map(\.benchmark) == ["loop.loop.us"])
                #expect(runs.first?.results.first?.samples.count == 3)
                #expect(runs.first?.environment["kernel"] != nil && runs.first?.environment["machine"] != nil)
            }
            let dataFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "results/experiments/data/loop"))
            // One per commit, and at most one per side of each confirmation job.
            #expect((10...(10 + 2 * confirmations)).contains(dataFiles.count), "\(dataFiles)")
        }
    }

    @Test("a build that fails fails its job with the log's tail, once, and the next job runs")
    func failedBuild() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.addExperiment("loop", scripts: RunnerFixture.timingStages)
            try "this is not C\n".write(toFile: fixture.git.work.appending(path: "loop.c"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "break the build")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "2"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])

            let status = try await BenchBotProcess.succeed(["status", "--home", fixture.home, "--format", "json"])
            let jobs = try await BenchBotProcess.jobs(home: fixture.home)
            #expect(jobs.map(\.state) == ["done", "failed"])
            #expect(status.contains("build exited with status") && status.contains("loop.c"))
            let rerun = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(rerun.succeeded && rerun.standardOutput.isEmpty, "a failed build is not retried")
        }
    }

    @Test("a worker killed with SIGKILL mid-run is replaced: every job finishes, none runs to completion twice")
    func workerKilledMidRun() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 6)
            let target = try await fixture.git.head("main~2")
            let started = try FIFO(root.appending(path: "started.fifo")), life = try FIFO(root.appending(path: "life.fifo"))
            defer { started.close(); life.close() }
            var stages = RunnerFixture.timingStages
            // On its first attempt at one commit, run.sh says so, then hangs holding life.fifo open.
            stages["run.sh"] = """
                #!/bin/sh
                if [ "$BENCHBOT_COMMIT" = "\(target)" ] && [ ! -e "\(root)/hung-once" ]; then
                    touch "\(root)/hung-once"
                    exec 3>"\(life.path)"
                    echo started > "\(started.path)"
                    exec sleep 1000
                fi
                """ + "\n" + stages["run.sh"]!.replacingOccurrences(of: "#!/bin/sh\n", with: "")
            try fixture.addExperiment("loop", scripts: stages)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "6"])

            let worker = WorkerProcess()
            let firstRun = Task { try await worker.run(["work", "--verbose", "--home", fixture.home, "--drain"], log: root.appending(path: "worker-1.log")) }
            #expect(await started.readLine() == "started")
            let killed = try #require(worker.pid)
            #expect(kill(killed, SIGKILL) == 0)
            #expect(try await firstRun.value.status == 128 + SIGKILL)

            let second = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home, "--drain"])
            #expect(second.succeeded, "\(second.standardError)")
            #expect(life.waitForHangUp(), "the dead worker's hung stage survived")

            let store = try fixture.store()
            let jobs = try await store.jobs(in: nil, limit: nil)
            // Noise this early in a history can raise a suspect, confirmed by a paired job of its
            // own before anyone is told; the six commits' jobs are the ones without a baseline.
            let own = jobs.filter { $0.baseline == nil }
            #expect(own.count == 6 && jobs.allSatisfy { $0.state == .done }, "\(jobs)")
            for job in own {
                let runs = try await store.runs(repository: "origin", commit: job.commit).filter { !$0.suite.hasSuffix("/ab") }
                #expect(runs.count == 1, "\(runs.map(\.suite))")
            }
            let retried = try #require(try await store.jobs(in: [.done], limit: nil).first { $0.commit.hex == target })
            #expect(retried.attempts == 2)
        }
    }

    @Test("a hanging stage with a sleeping grandchild is killed at its timeout, leaves no process, and the next experiment runs")
    func hangingStage() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let life = try FIFO(root.appending(path: "life.fifo"))
            defer { life.close() }
            var stages = RunnerFixture.timingStages
            stages["run.sh"] = """
                #!/bin/sh
                sh -c 'trap "" TERM; exec 3>"\(life.path)"; sleep 1000' &
                sleep 1000
                """
            try fixture.addExperiment("a_hangs", config: ["active": true, "timeout": 1], scripts: stages)
            try fixture.addExperiment("b_loop", scripts: RunnerFixture.timingStages)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])

            #expect(life.waitForHangUp(), "the grandchild outlived the stage's timeout")
            #expect(output.contains("a_hangs: failed at run"), "\(output)")
            #expect(output.contains("b_loop: ok"), "\(output)")
            let status = try fixture.json("results/experiments/status/a_hangs/run.json")
            #expect(status["success"] as? Bool == false)
            #expect((status["message"] as? String)?.contains("timed out after 1 s") == true)
        }
    }
}

/// A `benchbot` process whose pid the test can signal.
final class WorkerProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Int32?

    var pid: Int32? { lock.withLock { started } }

    func run(_ arguments: [String], log: String, environment: [String: String?] = [:]) async throws -> CommandResult {
        try await CommandRunner.run(BenchBotProcess.executable, arguments: arguments, environment: GitFixture.environment.merging(environment) { $1 },
                                    logFile: log, timeout: .seconds(300)) { identity in
            self.lock.withLock { self.started = identity.pid }
        }
    }
}
