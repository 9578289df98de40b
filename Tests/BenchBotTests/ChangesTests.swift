import BenchBot
import Foundation
import Testing

@Suite("Change points in stored history")
struct ChangesTests {
    /// `parse` per commit: 100 ms, 112 from commit 12 on (a regression), 95 from commit 22 on (an improvement).
    static func parseLevel(_ index: Int) -> Double { index < 12 ? 100 : (index < 22 ? 112 : 95) }

    @Test("an imported history reports each change once, at its first commit; later imports and detections do not repeat it")
    func importedHistory() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 32)
            let commits = try await (0..<32).asyncMap { try await fixture.head("main~\(31 - $0)") }
            let folder = root.appending(path: "history")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (index, commit) in commits.enumerated().dropLast() {
                let jitter = [0.004, -0.003, 0.001, -0.005, 0.002][index % 5]
                try #"{"commit": "\#(commit)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(Self.parseLevel(index) * (1 + jitter))]}, {"name": "steady", "unit": "ms", "samples": [\#(50 * (1 - jitter))]}]}"#
                    .write(toFile: folder.appending(path: String(format: "%03d.json", index)), atomically: true, encoding: .utf8)
            }
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
            let changes = output.split(separator: "\n").filter { $0.hasPrefix("change: ") }
            #expect(changes.count == 2, "\(output)")
            #expect(changes.first?.hasPrefix("change: regression of +12.0% in parse at \(commits[12].prefix(10))") == true, "\(changes)")
            #expect(changes.last?.hasPrefix("change: improvement of -15.2% in parse at \(commits[22].prefix(10))") == true, "\(changes)")

            let last = root.appending(path: "last.json")
            try #"{"commit": "\#(commits[31])", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [95]}, {"name": "steady", "unit": "ms", "samples": [50]}]}"#
                .write(toFile: last, atomically: true, encoding: .utf8)
            let again = try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", last])
            #expect(!again.contains("change:"), "\(again)")
            let listed = try await BenchBotProcess.succeed(["changes", "--home", home, "--detect"])
            #expect(listed.hasPrefix("detection over main at \(commits[31].prefix(10)): 0 new change point(s)"), "\(listed)")
            #expect(listed.contains("regression of +12.0% in parse at \(commits[12].prefix(10)) (100 ms → 112 ms): commit 13"), "\(listed)")

            let json = try await BenchBotProcess.succeed(["changes", "--home", home, "--format", "json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect((document["changes"] as? [[String: Any]])?.map { $0["commit"] as? String } == [commits[12], commits[22]])
        }
    }

    @Test("the worker reports a change found by its run, once")
    func workerReportsChange() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            // The experiment's value is the loop length, so the history is exact: 1000 per commit, 2000 from step 8.
            try fixture.addLoopLengthExperiment()
            let culprit = try await fixture.commitLoopLengths(2...12) { $0 < 8 ? 1000 : 2000 }[7]
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "20"])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            // A change point's line starts with its kind; a suspect's with its confirmation state.
            let reported = output.split(separator: "\n").filter { $0.hasPrefix("  regression of") || $0.hasPrefix("  improvement of") }
            #expect(reported.count == 1 && reported.first?.contains("regression of +100.0% in size.loop at \(culprit.prefix(10))") == true, "\(output)")
        }
    }

    @Test("bisect measures midpoints at high priority until the culprit is left, and prints it")
    func bisect() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment()
            let commits = try await fixture.commitLoopLengths(2...17) { $0 < 11 ? 1000 : 1500 }
            // Counted below: only the bisection's own jobs, no confirmation jobs.
            try fixture.setBenchBotSection("compare", ["confirm": "none"])
            for commit in [commits.first!, commits.last!] {
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit])
            }
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["bisect", "--home", fixture.home, "--benchmark", "size.loop", commits.first!, commits.last!])
            #expect(output.hasPrefix("bisecting 15 commit(s) between \(commits.first!.prefix(10)) (1k) and \(commits.last!.prefix(10)) (1.5k)"), "\(output)")
            // commits[0] is the fixture's first commit; "step 11" (commits[10]) is the first with the longer loop.
            #expect(output.hasSuffix("culprit: \(commits[10]) step 11\n"), "\(output)")
            let measured = output.split(separator: "\n").filter { $0.hasPrefix("  ") }.count
            #expect(measured <= 4, "log2(16) midpoints at most: \(output)")
            let jobs = try await BenchBotProcess.jobs(home: fixture.home)
            #expect(jobs.count == 2 + measured && jobs.allSatisfy { $0.state == "done" })
        }
    }

    @Test("automatic bisection: a change found after unmeasured commits is narrowed to its first commit by queued midpoints")
    func automaticBisection() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as? [String: Any] ?? [:]
                benchbot["compare"] = ["automatic_bisection": true, "stat_alert": ["deviations": 1, "window_days": 14]]
                config["benchbot"] = benchbot
            }
            try fixture.addLoopLengthExperiment()
            let commits = try await fixture.commitLoopLengths(1...32) { $0 < 18 ? 1000 : 1500 }
            // As a nightly schedule would: every fourth commit is measured.
            for index in stride(from: 0, through: 32, by: 4) {
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[index]])
            }
            try await BenchBotProcess.succeed(["check", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let jobs = try await BenchBotProcess.jobs(home: fixture.home)
            #expect(Set(jobs.map(\.commit)) == Set(stride(from: 0, through: 32, by: 4).map { commits[$0] } + [commits[17], commits[18]]), "midpoints 18, then 17")
            let changes = try await BenchBotProcess.succeed(["changes", "--home", fixture.home])
            #expect(changes.split(separator: "\n").first?.hasPrefix("regression of +50.0% in size.loop at \(commits[18].prefix(10))") == true, "\(changes)")
            #expect(changes.split(separator: "\n").filter { $0.contains("regression") && !$0.hasPrefix("suspect: ") }.count == 1, "\(changes)")
            // relay-bench's rule, configured: every commit is within the 14-day window, half of them at
            // the old level, so the latest value is more than 1σ from the mean, as relay-bench would say.
            #expect(changes.contains("stat_alert: size.loop at \(commits[32].prefix(10)) is 1.5k, "), "\(changes)")
        }
    }

    @Test("the compare settings are checked field by field")
    func compareSettings() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as? [String: Any] ?? [:]
                benchbot["compare"] = ["minimum_effect": -0.5, "minimum_effects": ["size.loop": "big"], "score_speed": 2,
                                       "paired_false_discovery_rate": 5, "false_discovery_rate": "low"]
                config["benchbot"] = benchbot
            }
            let result = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(result.status == 1)
            for expected in ["benchbot.compare.minimum_effect: must be a relative change between 0 and 10",
                             "benchbot.compare.minimum_effects.size.loop: must be a relative change",
                             "benchbot.compare.score_speed: unknown field",
                             "benchbot.compare.paired_false_discovery_rate: must be a rate above 0 and at most 0.2",
                             "benchbot.compare.false_discovery_rate: must be a rate above 0 and at most 0.2"] {
                #expect((result.standardOutput + result.standardError).contains(expected), "\(expected) in \(result.standardOutput)\(result.standardError)")
            }
        }
    }
}
