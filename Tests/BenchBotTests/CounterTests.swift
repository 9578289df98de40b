@testable import BenchBot
import Foundation
import Testing

@Suite("Counters: counts that noise cannot move")
struct CounterTests {
    /// Loops `ITERATIONS` times and reports the loop's wall time as benchbot-json: a real compiled
    /// program whose instruction count is proportional to its work.
    static let program = #"""
        #include <stdio.h>
        #include <time.h>
        #include "iterations.h"
        int main(void) {
            struct timespec a, b;
            volatile unsigned long sum = 0;
            clock_gettime(CLOCK_MONOTONIC, &a);
            for (unsigned long i = 0; i < ITERATIONS; i++) sum += i;
            clock_gettime(CLOCK_MONOTONIC, &b);
            printf("{\"benchmarks\": [{\"name\": \"loop\", \"unit\": \"ns\", \"samples\": [%ld]}]}\n",
                   (long)((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec)));
            return 0;
        }

        """#

    /// A fixture whose project is ``program``, and the commits: two with the same loop (only a
    /// note differs), then one with the loop twice as long.
    static func makeProject(in root: String, counters: [String], enqueue: Bool = true) async throws -> (RunnerFixture, [String]) {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try program.write(toFile: fixture.git.work.appending(path: "loop.c"), atomically: true, encoding: .utf8)
        try await fixture.git.git("-C", fixture.git.work, "add", "loop.c")
        try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-m", "report the loop's time")
        let commits = try await fixture.commitLoopLengths(1...3) { $0 < 3 ? 2_000_000 : 4_000_000 }
        try fixture.addExperiment("counted", config: ["active": true, "command": ["./loop"], "format": "benchbot-json",
                                                      "repeat": 3, "counters": counters], scripts: [:])
        for commit in commits.suffix(3) where enqueue {
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit])
        }
        return (fixture, Array(commits.suffix(3)))
    }

    /// A `PATH` holding everything this process's `PATH` finds except `missing`: a machine without them.
    static func path(without missing: Set<String>, in root: String) throws -> String {
        let folder = root.appending(path: "bin-without-\(missing.sorted().joined(separator: "-"))")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var linked: Set<String> = []
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: String(directory))) ?? []
            where !missing.contains(name) && !linked.contains(name) {
                linked.insert(name)
                try? FileManager.default.createSymbolicLink(atPath: folder.appending(path: name), withDestinationPath: "\(directory)/\(name)")
            }
        }
        return folder
    }

    /// Works the queue with `path` as `PATH` and returns the output and each commit's stored run.
    static func work(_ fixture: RunnerFixture, commits: [String], path: String) async throws -> (String, [StoredRun]) {
        let result = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home, "--drain"], environment: ["PATH": path])
        #expect(result.succeeded, "\(result.standardOutput)\n\(result.standardError)")
        var runs: [StoredRun] = []
        for commit in commits {
            let id = try #require(ObjectID(hex: commit))
            runs.append(try #require(try await fixture.store().runs(repository: "origin", commit: id).first))
        }
        return (result.standardOutput, runs)
    }

    /// The instruction counts `runs` stored, run by run.
    static func instructions(_ runs: [StoredRun]) -> [[Double]] {
        runs.map { run in run.results.first { $0.benchmark == "counted:instructions" }?.samples ?? [] }
    }

    /// Checks what the instructions of the three commits show: the same program counts the same,
    /// to 0.1%, launch after launch and job after job; twice the loop counts about twice as much.
    static func expectCountsTrack(_ counts: [[Double]], output: String) {
        let same = counts[0] + counts[1]
        #expect(same.count >= 4 && counts[2].count == counts[0].count, "\(counts)\n\(output)")
        if let low = same.min(), let high = same.max(), low > 0 {
            #expect(high / low - 1 < 0.001, "unchanged program: \(same)")
        }
        if let doubled = counts[2].first, let single = counts[1].first, single > 0 {
            #expect((1.9...2.1).contains(doubled / single), "twice the work: \(doubled) / \(single)")
        }
    }

    @Test("cachegrind counts a compiled program's instructions apart from its timed launches: < 0.1% apart unchanged, about 2x for twice the work")
    func cachegrindCounts() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.makeProject(in: root, counters: ["instructions"])
            // Without perf, cachegrind counts, whether or not this machine has a PMU.
            let (output, runs) = try await Self.work(fixture, commits: commits, path: try Self.path(without: ["perf"], in: root))
            #expect(output.contains("counted: ok"), "\(output)")
            for run in runs {
                #expect(run.environment["counters"]?.hasPrefix("cachegrind valgrind-") == true, "\(run.environment)")
                let timed = try #require(run.results.first { $0.benchmark == "counted.loop" })
                // The counted launches add no timed sample: repeat is 3.
                #expect(timed.samples.count == 3)
                let counted = try #require(run.results.first { $0.benchmark == "counted:instructions" }, "\(run.results)")
                #expect(counted.unit == "instructions" && counted.direction == .lowerIsBetter)
                #expect(counted.samples.count == CounterPlan.cachegrindLaunches)
            }
            Self.expectCountsTrack(Self.instructions(runs), output: output)
            let summary = try fixture.json("results/experiments/summary/counted/summary.json")
            #expect((summary["value"] as? String)?.contains("instructions counted by cachegrind (valgrind-") == true, "\(summary)")
            let logs = try FileManager.default.subpathsOfDirectory(atPath: fixture.home.appending(path: "logs"))
            #expect(logs.contains { $0.hasSuffix("counted-counted-4.log") }, "the counted launches log apart: \(logs)")
        }
    }

    @Test("perf counts a compiled program where the kernel has a PMU; where it has none, the experiment says so in one line and runs timed")
    func perfCounts() async throws {
        try await withTemporaryDirectory { root in
            let probe = try await CommandRunner.run("perf", arguments: ["stat", "-x,", "-e", "instructions", "--", "true"], timeout: .seconds(30))
            let hasPMU = probe.succeeded && PerfStatOutput.parse(probe.standardError, counters: [.instructions]).counts[.instructions] != nil
            let (fixture, commits) = try await Self.makeProject(in: root, counters: ["instructions", "cycles"])
            let (output, runs) = try await Self.work(fixture, commits: commits, path: try Self.path(without: ["valgrind"], in: root))
            #expect(output.contains("counted: ok"), "\(output)")
            if hasPMU {
                #expect(runs.allSatisfy { $0.environment["counters"]?.hasPrefix("perf ") == true }, "\(runs.map(\.environment))")
                // perf counts the timed launches themselves: one count per timed sample.
                #expect(Self.instructions(runs).allSatisfy { $0.count == 3 }, "\(Self.instructions(runs))")
                let counts = Self.instructions(runs)
                if let single = counts[1].min(), let doubled = counts[2].min(), single > 0 {
                    #expect((1.9...2.1).contains(doubled / single), "twice the work under perf: \(counts)")
                }
            } else {
                print("perf: no PMU on this machine (\(PlainText.singleLine(probe.standardError))); checking that the experiment says so and runs timed")
                let line = output.split(separator: "\n").first { $0.contains("counted: ok") }.map(String.init) ?? ""
                #expect(line.contains("counters not measured, timed only: perf counts <not supported> for instructions: the kernel exposes no PMU"), "\(output)")
                for run in runs {
                    #expect(run.results.map(\.benchmark) == ["counted.loop"], "\(run.results)")
                    #expect(run.environment["counters"]?.hasPrefix("none: perf counts <not supported>") == true, "\(run.environment)")
                }
            }
        }
    }

    @Test("a paired A/B job counts both sides, alternately, and compares their counts")
    func pairedCounts() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.makeProject(in: root, counters: ["instructions"], enqueue: false)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[2], "--paired-with", commits[1]])
            let path = try Self.path(without: ["perf"], in: root)
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["PATH": path])
            #expect(work.standardOutput.contains("done, paired A/B"), "\(work.standardOutput)\n\(work.standardError)")
            let logs = try FileManager.default.subpathsOfDirectory(atPath: fixture.home.appending(path: "logs"))
            #expect(logs.filter { $0.contains("counted-counted-") }.count == 2 * CounterPlan.cachegrindLaunches, "the counted launches of both sides: \(logs)")
            let json = try await BenchBotProcess.run(["compare", "--home", fixture.home, commits[2], "--format", "json"], environment: ["PATH": path])
            let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
            let benchmarks = try #require(document?["benchmarks"] as? [[String: Any]], "\(json.standardOutput)\(json.standardError)")
            let counted = try #require(benchmarks.first { $0["name"] as? String == "counted:instructions" }, "\(benchmarks)")
            let ratio = try #require(counted["ratio"] as? Double, "\(counted)")
            #expect((1.9...2.1).contains(ratio), "twice the work, paired: \(counted)")
        }
    }

    @Test("under bubblewrap, an untrusted paired job's counted launches run inside the wrapper and count both sides")
    func sandboxedCounts() async throws {
        guard UntrustedJobTests.onPath("bwrap") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "bwrap is not on PATH, and CI must test the sandbox: apt-get install bubblewrap")
            print("CounterTests.sandboxedCounts skipped: bwrap is not on PATH (apt-get install bubblewrap)")
            return
        }
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.makeProject(in: root, counters: ["instructions"], enqueue: false)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as! [String: Any]
                runner["untrusted_wrapper"] = UntrustedJobTests.bubblewrap
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            // The fork branches off main's tip, whose loop is twice its baseline's.
            let fork = try await fixture.pushFork("fork", files: ["fork.txt": "mine\n"])
            try await fixture.enqueueUntrusted(fork, parent: commits[2], baseline: commits[1], branch: "fork")
            // The machine's own PATH: the sandbox sees only /usr, not a folder of links in /tmp.
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.standardOutput.contains("done, paired A/B") && work.standardOutput.contains("counted: ok"), "\(work.standardOutput)\(work.standardError)")
            #expect(!work.standardOutput.contains("counters not stored") && !work.standardOutput.contains("unsandboxed"), "\(work.standardOutput)")
            let json = try await BenchBotProcess.run(["compare", "--home", fixture.home, fork, "--format", "json"])
            let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
            let benchmarks = try #require(document?["benchmarks"] as? [[String: Any]], "\(json.standardOutput)\(json.standardError)")
            let counted = try #require(benchmarks.first { $0["name"] as? String == "counted:instructions" }, "\(benchmarks)")
            #expect((1.9...2.1).contains(try #require(counted["ratio"] as? Double)), "\(counted)")
        }
    }

    @Test("a counted launch that hangs under cachegrind is killed at its own deadline, 50 times the experiment's; the timed results stand")
    func countedLaunchTimesOut() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let token = "counted-hang-\(UUID().uuidString.prefix(8))"
            // Quick when timed; under valgrind (its preload is in the guest's environment) it hangs, with a child.
            let script = #"case "$LD_PRELOAD" in *vgpreload*) (exec -a "$0" sleep 300) & exec -a "$0" sleep 300;; esac; "#
                + #"printf '{"benchmarks": [{"name": "quick", "unit": "count", "samples": [1]}]}'"#
            try fixture.addExperiment("counted", config: ["active": true, "format": "benchbot-json", "repeat": 2, "timeout": 1,
                                                          "counters": ["instructions"], "command": ["bash", "-c", script, token]], scripts: [:])
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            let path = try Self.path(without: ["perf"], in: root)
            let started = ContinuousClock.now
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: ["PATH": path])
            #expect(ContinuousClock.now - started < .seconds(110), "the counted launch's deadline is 50 s")
            #expect(work.standardOutput.contains("counted: ok")
                        && work.standardOutput.contains("counters not stored: counted launch 1 under cachegrind: timed out after 50 s; its processes were killed"),
                    "\(work.standardOutput)\(work.standardError)")
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            #expect(run.results.map(\.benchmark) == ["counted.quick"] && run.results.first?.samples.count == 2, "\(run.results)")
            let left = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).filter { entry in
                guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
                return String(decoding: data, as: UTF8.self).contains(token)
            }
            #expect(left.isEmpty, "processes left running: \(left)")
        }
    }

    @Test("a machine with neither perf nor valgrind runs the experiment timed and says why in one line")
    func neitherSource() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.makeProject(in: root, counters: ["instructions"])
            let (output, runs) = try await Self.work(fixture, commits: commits, path: try Self.path(without: ["perf", "valgrind"], in: root))
            let lines = output.split(separator: "\n").filter { $0.contains("counters not measured") }
            #expect(lines.count == 3, "one line per job: \(output)")
            #expect(lines.allSatisfy { $0.contains("counted: ok") && $0.contains("timed only: perf is not installed (Debian's linux-perf), and valgrind is not installed") },
                    "\(output)")
            for run in runs {
                #expect(run.results.map(\.benchmark) == ["counted.loop"])
                #expect(run.results.first?.samples.count == 3)
                #expect(run.environment["counters"]?.hasPrefix("none: perf is not installed") == true, "\(run.environment)")
            }
        }
    }

    @Test("an unknown counter, a counter named twice, a wrong type or counters without a command are refused with the file, field and fix",
          arguments: [
              (#"{"command": ["./loop"], "format": "benchbot-json", "counters": ["instructions", "instrs"]}"#,
               "config.json: counters[1]: is 'instrs', not a counter BenchBot measures; use one of instructions, cycles, branches, branch-misses"),
              (#"{"command": ["./loop"], "format": "benchbot-json", "counters": "instructions"}"#,
               "config.json: counters: is a string, expected an array of strings"),
              (#"{"command": ["./loop"], "format": "benchbot-json", "counters": ["cycles", "cycles"]}"#,
               "config.json: counters[1]: names 'cycles' a second time; list each counter once"),
              (#"{"counters": ["instructions"]}"#,
               #"config.json: counters: counts only a command experiment's launches; add a "command" or remove "counters""#),
          ])
    func badCounters(config: String, expected: String) async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            var fields = try #require(try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
            fields["active"] = true
            try fixture.addExperiment("counted", config: fields, scripts: fields["command"] == nil ? RunnerFixture.timingStages : [:])
            let result = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(!result.succeeded)
            let printed = result.standardOutput + result.standardError
            #expect(printed.contains("config/experiments/counted/config.json") && printed.contains(expected), "\(printed)")
        }
    }

    @Test("perf stat's CSV: counts, user-space events, and what it could not count")
    func perfOutput() {
        let text = """
            # started on Tue Dec  1 18:41:45 2026

            123456789,,instructions:u,1000,100.00,,
            <not supported>,,branch-misses,0,100.00,,
            98765,,cycles,1000,100.00,0.80,insn per cycle
            """
        let reading = PerfStatOutput.parse(text, counters: [.instructions, .cycles, .branchMisses])
        #expect(reading.counts == [.instructions: 123_456_789, .cycles: 98765])
        #expect(reading.unsupported == [.branchMisses: "<not supported>"])
        #expect(CachegrindOutput.instructions("desc: I1 cache\ncmd: ./loop\nevents: Ir\nfn=main\n3 5\nsummary: 127601\n") == 127_601)
        #expect(CachegrindOutput.instructions("events: Dr Ir\nsummary: 4 9\n") == 9)
        #expect(CachegrindOutput.instructions("events: Ir\n") == nil)
    }
}
