import BenchBot
import Foundation
import Testing

@Suite("Paired A/B jobs")
struct PairedRunTests {
    @Test("a branch queued --paired is measured alternately with its merge base in one job, and compare uses that pair")
    func pairedBranch() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 3)
            let launches = root.appending(path: "launches")
            // Each launch notes which checkout it ran in; the value is the loop length, so the verdict is exact.
            try fixture.addExperiment("size", config: ["active": true, "format": "benchbot-json", "repeat": 4, "warmup": 1, "command": ["sh", "-c",
                #"echo "$BENCHBOT_COMMIT" >> "$0"; n=$(sed -n 's/#define ITERATIONS \([0-9]*\)UL/\1/p' iterations.h); printf '{"benchmarks": [{"name": "loop", "unit": "count", "samples": [%s]}]}' "$n""#,
                launches]], scripts: [:])
            try fixture.addExperiment("stages", config: ["active": true], scripts: RunnerFixture.timingStages)
            // Six rounds: more than the command's `repeat` of 4, which paired_rounds raises.
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as? [String: Any] ?? [:]
                benchbot["compare"] = ["paired_rounds": 6]
                config["benchbot"] = benchbot
            }
            let mergeBase = try await fixture.git.head("main")
            try await fixture.git.git("-C", fixture.git.work, "checkout", "-q", "-b", "slower")
            try "#define ITERATIONS 9000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "a longer loop")
            let candidate = try await fixture.git.head()
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "slower")

            let queued = try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "slower", "--paired"])
            #expect(queued.hasPrefix("branch slower paired with merge base \(mergeBase.prefix(10)): queued 1"), "\(queued)")
            let work = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(work.contains("against \(mergeBase.prefix(10))): done, paired A/B: 1 regression"), "\(work)")
            #expect(work.contains("regression: size.loop +200.00%"), "\(work)")
            #expect(work.contains("stages: ok"), "\(work)")

            // One warmup launch a side, then six rounds of one launch a side each.
            let sides = try String(contentsOfFile: launches, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(sides.count == 14 && Set(sides) == [candidate, mergeBase])
            for round in stride(from: 2, to: 14, by: 2) { #expect(Set(sides[round..<round + 2]) == [candidate, mergeBase], "round at \(round): \(sides)") }

            let compare = try await BenchBotProcess.succeed(["compare", "--home", fixture.home, "slower"])
            #expect(compare.hasPrefix("baseline \(mergeBase.prefix(10)) (paired A/B run, measured alternately) → candidate \(candidate.prefix(10))"), "\(compare)")
            #expect(compare.split(separator: "\n").contains { $0.hasPrefix("size.loop") && $0.hasSuffix("regression") }, "\(compare)")
            // Judged round by round: each round's log ratio, tested across the rounds.
            let json = try await BenchBotProcess.succeed(["compare", "--home", fixture.home, "slower", "--format", "json"])
            let benchmarks = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["benchmarks"] as? [[String: Any]])
            for benchmark in benchmarks { #expect(benchmark["paired_rounds"] as? Double == 6, "\(benchmark)") }
            let loop = try #require(benchmarks.first { $0["name"] as? String == "size.loop" })
            #expect(abs(try #require(loop["ratio"] as? Double) - 3) < 1e-12 && loop["p_value"] as? Double == 0, "every round is exactly 3 times longer: \(loop)")
            // The pair is not the commits' ordinary history.
            let results = try await BenchBotProcess.run(["results", "--home", fixture.home, candidate])
            #expect(results.status == 1 && results.standardError.contains("no runs of"), "\(results.standardError)")
            let summary = try fixture.json("results/experiments/summary/size/summary.json")
            #expect((summary["value"] as? String)?.contains("paired with \(mergeBase.prefix(10)) over 6 round(s)") == true, "\(summary)")
        }
    }

    @Test("an A/A job, a commit paired with itself, comes out unchanged")
    func pairedWithItself() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            let tip = try await fixture.git.head()
            let queued = try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main", "--paired-with", "main"])
            #expect(queued.hasPrefix("commit \(tip.prefix(10)) paired with \(tip.prefix(10)): queued 1"), "\(queued)")
            let work = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(work.contains("done, paired A/B: 1 unchanged"), "\(work)")
            let misuse = try await BenchBotProcess.run(["enqueue", "--home", fixture.home, "--range", "main~1..main", "--paired-with", "main"])
            #expect(misuse.status == 64 && misuse.standardError.contains("--paired-with goes with --commit"), "\(misuse.standardError)")
        }
    }
}
