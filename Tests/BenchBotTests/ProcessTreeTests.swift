@testable import BenchBot
import Foundation
import Testing

@Suite("Every descendant of a command is killed when it ends")
struct ProcessTreeTests {
    /// A `sleep` argument no other test uses, to find its process by.
    static func uniqueSleep() -> String { "1000.\(UInt32.random(in: 100_000...999_999))" }

    /// How long a command whose daemons sleep 1,000 s may take and still count as not held up by
    /// them: far below the sleeps, and above the half-minute stalls a fully loaded CI run showed.
    static let notHeldUp: Duration = .seconds(120)

    /// The live processes whose command line holds `argument`.
    static func processes(running argument: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return line.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == argument }
        }
    }

    /// Whether every process running one of `arguments` is gone within a few seconds: a SIGKILLed
    /// process needs a moment to exit.
    /// The sleeps last 1,000 s, so a generous window still tells killed from left behind: under
    /// a full parallel test run (cachegrind counting beside it) the sweep took longer than 5 s.
    static func allGone(_ arguments: [String]) async -> Bool {
        await within(.seconds(30)) { arguments.allSatisfy { processes(running: $0).isEmpty } }
    }

    /// Whether each of `arguments` runs soon: a background process needs a moment to exec, and under
    /// CI's load that moment has been seconds. The poll ends as soon as they run.
    static func allRunning(_ arguments: [String]) async -> Bool {
        await within(.seconds(60)) { arguments.allSatisfy { !processes(running: $0).isEmpty } }
    }

    /// Polls `condition` until it holds or `limit` passes.
    static func within(_ limit: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// A script leaving a `setsid` daemon and a double-forked one behind, both holding its output.
    static func leavingDaemons(_ first: String, _ second: String, then tail: String) -> String {
        "setsid sh -c 'exec sleep \(first)' & sh -c 'sleep \(second) &'; \(tail)"
    }

    @Test("a command that exits leaves no setsid or double-forked daemon, and its output's holders do not hold up the wait")
    func normalExit() async throws {
        try await withTemporaryDirectory { root in
            let (a, b, c, d) = (Self.uniqueSleep(), Self.uniqueSleep(), Self.uniqueSleep(), Self.uniqueSleep())
            let logged = try await CommandRunner.run("sh", arguments: ["-c", Self.leavingDaemons(a, b, then: "echo started")],
                                                     logFile: root.appending(path: "log"), timeout: .seconds(60))
            #expect(logged.succeeded && logged.standardOutput == "started\n" && logged.duration < Self.notHeldUp, "\(logged)")
            let captured = try await CommandRunner.run("sh", arguments: ["-c", Self.leavingDaemons(c, d, then: "echo started")],
                                                       timeout: .seconds(60))
            #expect(captured.succeeded && captured.standardOutput == "started\n" && captured.duration < Self.notHeldUp, "\(captured)")
            #expect(await Self.allGone([a, b, c, d]))
        }
    }

    @Test("daemons still being exec'd when their command exits are found: their environment reads empty for a moment")
    func daemonsMidExec() async throws {
        // Each round's command exits while its twenty `setsid` children are between fork and the
        // sleep's exec, where a scan once read an empty environment and let them go.
        for _ in 0..<5 {
            let sleeps = (0..<20).map { _ in Self.uniqueSleep() }
            let script = sleeps.map { "setsid sh -c 'exec sleep \($0)' &" }.joined(separator: " ") + " exit 0"
            let result = try await CommandRunner.run("sh", arguments: ["-c", script], timeout: .seconds(60))
            #expect(result.succeeded, "\(result)")
            let left = sleeps.filter { !Self.processes(running: $0).isEmpty }
            #expect(left.isEmpty, "\(left.count) of 20 daemons outlived their command")
            for argument in left { for pid in Self.processes(running: argument) { kill(pid, SIGKILL) } }
        }
    }

    @Test("an environment cleared with env -i is told from one being replaced by exec")
    func clearedEnvironment() {
        let marker = Data("PATH=/bin\u{0}\(ProcessTree.markerVariable)=abc\u{0}".utf8)
        #expect(ProcessTree.reading(environment: marker) { nil } == .marker("abc"))
        #expect(ProcessTree.reading(environment: Data("PATH=/bin\u{0}".utf8)) { nil } == .none)
        // Cleared by `env -i`: the command line is still there.
        #expect(ProcessTree.reading(environment: Data()) { Data("/bin/sleep\u{0}1000\u{0}".utf8) } == .none)
        // Between exec's new memory and its new program's arguments, both read empty.
        #expect(ProcessTree.reading(environment: Data()) { Data() } == .midExec)
        #expect(ProcessTree.reading(environment: nil) { Data() } == .unreadable)
        let own = ProcessTree.markerReading(of: getpid())
        #expect(own != .midExec && own != .unreadable)
    }

    @Test("a command stopped at its deadline leaves no setsid or double-forked daemon either")
    func timeout() async throws {
        try await withTemporaryDirectory { root in
            let (a, b, c, d) = (Self.uniqueSleep(), Self.uniqueSleep(), Self.uniqueSleep(), Self.uniqueSleep())
            let logged = try await CommandRunner.run("sh", arguments: ["-c", Self.leavingDaemons(a, b, then: "exec sleep 1000")],
                                                     logFile: root.appending(path: "log"), timeout: .milliseconds(500),
                                                     gracePeriod: .milliseconds(200))
            #expect(logged.timedOut && logged.duration < Self.notHeldUp, "\(logged)")
            let captured = try await CommandRunner.run("sh", arguments: ["-c", Self.leavingDaemons(c, d, then: "exec sleep 1000")],
                                                       timeout: .milliseconds(500), gracePeriod: .milliseconds(200))
            #expect(captured.timedOut && captured.duration < Self.notHeldUp, "\(captured)")
            #expect(await Self.allGone([a, b, c, d]))
        }
    }

    @Test("a stage's daemons, with their environment cleared too, are gone when the job ends, normally or at the stage's timeout",
          arguments: [false, true])
    func stageDaemons(timingOut: Bool) async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let sleeps = (0..<4).map { _ in Self.uniqueSleep() }
            var stages = RunnerFixture.timingStages
            // Without its environment, a daemon carries no marker: only the worker adopting orphans finds it.
            let daemons = """
                setsid sh -c 'exec sleep \(sleeps[0])' &
                sh -c 'sleep \(sleeps[1]) &'
                setsid env -i sh -c 'sleep \(sleeps[2]) & wait' > /dev/null 2>&1 &
                env -i sh -c 'sleep \(sleeps[3]) > /dev/null 2>&1 &'

                """ + (timingOut ? "exec sleep 1000\n" : "")
            stages["run.sh"] = stages["run.sh"]!.replacingOccurrences(of: "set -e\n", with: "set -e\n" + daemons)
            try fixture.addExperiment("stages", config: ["active": true, "timeout": timingOut ? 1 : 60], scripts: stages)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.succeeded && work.duration < .seconds(60), "\(work.standardOutput)\(work.standardError)")
            #expect(work.standardOutput.contains(timingOut ? "stages: failed at run" : "stages: ok"), "\(work.standardOutput)")
            #expect(await Self.allGone(sleeps), "\(sleeps.map { Self.processes(running: $0) })")
        }
    }

    @Test("a dead worker's successor kills what its stage left, also a daemon that cleared its environment")
    func deadWorker() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let sleeps = (0..<2).map { _ in Self.uniqueSleep() }
            let started = try FIFO(root.appending(path: "started.fifo"))
            defer { started.close() }
            var stages = RunnerFixture.timingStages
            stages["run.sh"] = """
                #!/bin/sh
                if [ ! -e "\(root)/hung-once" ]; then
                    touch "\(root)/hung-once"
                    setsid sh -c 'exec sleep \(sleeps[0])' > /dev/null 2>&1 &
                    setsid env -i sh -c 'sleep \(sleeps[1]) & wait' > /dev/null 2>&1 &
                    echo started > "\(started.path)"
                    exec sleep 1000
                fi
                """ + "\n" + stages["run.sh"]!.replacingOccurrences(of: "#!/bin/sh\n", with: "")
            try fixture.addExperiment("stages", scripts: stages)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])

            let worker = WorkerProcess()
            let firstRun = Task { try await worker.run(["work", "--verbose", "--home", fixture.home], log: root.appending(path: "worker-1.log")) }
            #expect(await started.readLine() == "started")
            #expect(kill(try #require(worker.pid), SIGKILL) == 0)
            #expect(try await firstRun.value.status == 128 + SIGKILL)
            #expect(await Self.allRunning(sleeps), "the daemons outlive their worker")

            let second = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(second.succeeded, "\(second.standardError)")
            #expect(await Self.allGone(sleeps), "\(sleeps.map { Self.processes(running: $0) })")
        }
    }

    @Test("a running command's adopted daemon whose environment is cleared survives while another command (telemetry's sensors) ends; it goes with the job")
    func runningCommandsDaemonSurvivesOthers() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let sleep = Self.uniqueSleep()
            let (bin, calls, tick, started, daemon) = (root.appending(path: "bin"), root.appending(path: "calls"), root.appending(path: "tick"),
                                                       root.appending(path: "daemon-started"), root.appending(path: "daemon.pid"))
            guard mkfifo(tick, 0o600) == 0 else { throw FixtureError(message: "mkfifo failed") }
            // The second sensors call after the daemon started comes after the first one finished,
            // with the clean-up that once took the daemon for a finished command's orphan.
            try fixture.writeScripts(["sensors": """
                #!/bin/sh
                if [ -e "\(started)" ]; then
                    echo call >> "\(calls)"
                    [ "$(wc -l < "\(calls)")" -eq 2 ] && echo tick > "\(tick)"
                fi
                echo '{}'
                """], in: bin)
            // `env -i` leaves the daemon without a marker, and its parent's exit makes the worker adopt it.
            let command = """
                env -i sh -c 'sleep \(sleep) > /dev/null 2>&1 & echo $! > "$0"' "\(daemon)"
                touch "\(started)"
                read line < "\(tick)"
                kill -0 "$(cat "\(daemon)")" || { echo "the daemon was killed while its command ran" >&2; exit 1; }
                printf '{"benchmarks": [{"name": "x", "unit": "ms", "samples": [1, 1]}]}'
                """
            try fixture.addExperiment("daemon", config: [
                "active": true, "run_cpu_telemetry": true, "telemetry_rate": 1, "timeout": 60, "format": "benchbot-json",
                "command": ["sh", "-c", command],
            ], scripts: [:])
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            let path = "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["PATH": path])
            #expect(work.succeeded && work.standardOutput.contains("daemon: ok"), "\(work.standardOutput)\(work.standardError)")
            #expect(await Self.allGone([sleep]), "\(Self.processes(running: sleep))")
        }
    }

    @Test("an adopted child with no running command's marker is swept only when no other command runs or started since the scan")
    func sweepRule() {
        var registry = ProcessTree.Registry(adoptsOrphans: true, starting: 0, generation: 7, leaders: [], running: ["mine": 0])
        #expect(registry.maySweep(for: "mine", since: 7))
        #expect(!registry.maySweep(for: "mine", since: 6), "a command started after the scan: its child may be in it")
        registry.running["other"] = 0
        #expect(!registry.maySweep(for: "mine", since: 7), "another command runs: the child may be its daemon")
        registry.running["other"] = nil
        registry.starting = 1
        #expect(!registry.maySweep(for: "mine", since: 7), "a command is starting: its child is not yet known")
        registry.starting = 0
        registry.adoptsOrphans = false
        #expect(!registry.maySweep(for: "mine", since: 7), "a process that adopts nothing has no orphans")
    }

    @Test("start times in /proc are read in the clock the sweep compares them with")
    func startTimeClock() async throws {
        let before = ProcessTree.ticksSinceBoot()
        // The child reports its own start: `cat`'s stat, whose command name holds no space.
        // The timeout only guards against a hang: on a loaded 2-core CI machine, with every other
        // test running beside this one, even `cat` has been seen to take over 30 s to start and end.
        let stat = try await CommandRunner.run("cat", arguments: ["/proc/self/stat"], timeout: .seconds(300))
        let after = ProcessTree.ticksSinceBoot()
        let fields = stat.standardOutput.split(separator: " ")
        let start = try #require(fields.count > 21 ? UInt64(fields[21]) : nil, "\(stat)")
        #expect(start + 1 >= before && start <= after + 1, "\(before) ≤ \(start) ≤ \(after)")
    }
}
