import BenchBot
import Foundation
import Testing

/// A suspected change on the tracked branch is held, re-measured against its baseline by a paired
/// A/B job, and announced only when that job agrees (issue 16).
@Suite("Confirmation before announcement")
struct ConfirmationTests {
    /// A home whose one benchmark, 5 samples a side, prints the loop length of the code, or with
    /// `noise` the value in a file outside the checkout, which a test moves between jobs as a slow
    /// spell of the machine would; notifications are written to the outbox.
    static func fixture(in root: String, confirm: String? = nil, noise: Bool = false) async throws -> (RunnerFixture, value: String) {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        let value = root.appending(path: "value")
        try "1000\n".write(toFile: value, atomically: true, encoding: .utf8)
        try fixture.addExperiment("size", config: [
            "active": true, "format": "benchbot-json", "repeat": 5,
            "command": noise ? ["sh", "-c", #"printf '{"benchmarks": [{"name": "loop", "unit": "count", "samples": [%s]}]}' "$(cat "$0")""#, value]
                : RunnerFixture.loopLengthCommand,
        ], scripts: [:])
        try fixture.setNotify(["site_url": "https://bench.example.org", "slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK"],
                               "github": ["repository": "octo-org/project", "token_env": "TEST_GITHUB_TOKEN", "context": "benchbot/perf"]])
        if let confirm { try fixture.setBenchBotSection("compare", ["confirm": confirm]) }
        return (fixture, value)
    }

    static let noCredentials: [String: String?] = ["TEST_SLACK_WEBHOOK": nil, "TEST_GITHUB_TOKEN": nil]

    /// Runs `benchbot work` once, or until the queue is empty.
    @discardableResult
    static func work(_ fixture: RunnerFixture, drain: Bool = false) async throws -> String {
        let result = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home] + (drain ? ["--drain"] : ["--once"]), environment: noCredentials)
        #expect(result.succeeded, "\(result.standardOutput)\n\(result.standardError)")
        return result.standardOutput
    }

    /// The outbox's files of one kind, oldest first, with their bodies.
    static func outbox(_ fixture: RunnerFixture, kind: String) throws -> [[String: Any]] {
        let folder = fixture.home.appending(path: "results/outbox")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix("-\(kind).json") }
            .sorted { Int($0.prefix { $0.isNumber }) ?? 0 < Int($1.prefix { $0.isNumber }) ?? 0 }
        return try names.map { name in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.appending(path: name)))) as? [String: Any])
        }
    }

    static func suspects(_ fixture: RunnerFixture) async throws -> [SuspectRecord] {
        let store = try fixture.store()
        let job = try #require(try await store.jobs(in: nil, limit: 1).first)
        return try await store.suspects(repository: job.repository, machine: job.machine)
    }

    /// The confirmation jobs: paired A/B jobs of the tracked branch's commits.
    static func confirmationJobs(_ fixture: RunnerFixture) async throws -> [Job] {
        try await fixture.store().jobs(in: nil, limit: nil).filter { $0.baseline != nil }
    }

    @Test("a run-to-run regression is held (pending, no Slack), then confirmed by one paired job and announced once")
    func heldThenConfirmed() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await Self.fixture(in: root)
            let commits = try await fixture.commitLoopLengths(2...3) { $0 == 2 ? 1000 : 3000 }
            for commit in commits.suffix(2) { try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit]) }
            try await Self.work(fixture)
            let held = try await Self.work(fixture)

            let suspects = try await Self.suspects(fixture)
            #expect(suspects.count == 1 && suspects.first?.state == .held && suspects.first?.kind == .regression
                        && suspects.first?.commit.hex == commits[2] && suspects.first?.baseline.hex == commits[1], "\(held)")
            #expect(try Self.outbox(fixture, kind: "regression").isEmpty, "a held suspect is told to nobody")
            let pending = try #require(try Self.outbox(fixture, kind: "commit-status").last)
            #expect(pending["state"] as? String == "pending" && pending["description"] as? String == "confirming a suspected regression")
            let queued = try await Self.confirmationJobs(fixture)
            #expect(queued.count == 1 && queued.first?.state == .queued && queued.first?.priority == 200
                        && queued.first?.commit.hex == commits[2] && queued.first?.baseline?.hex == commits[1])

            let confirmed = try await Self.work(fixture)
            #expect(try await Self.suspects(fixture).map(\.state) == [.confirmed], "\(confirmed)")
            #expect(try Self.outbox(fixture, kind: "regression").count == 1)
            let verdict = try #require(try Self.outbox(fixture, kind: "commit-status").last)
            #expect(verdict["state"] as? String == "failure")

            // Nothing is left to decide, and nothing is told twice.
            try await Self.work(fixture, drain: true)
            #expect(try Self.outbox(fixture, kind: "regression").count == 1)
            #expect(try await Self.confirmationJobs(fixture).map(\.state) == [.done])
        }
    }

    @Test("a suspect the paired job does not confirm is recorded refuted: no Slack message, the status ends success")
    func refuted() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, value) = try await Self.fixture(in: root, noise: true)
            let commits = try await fixture.commitLoopLengths(2...3) { _ in 1000 }
            for commit in commits.suffix(2) { try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit]) }
            try await Self.work(fixture)
            // A slow spell during one run: the next run of the same code is back to normal.
            try "3000\n".write(toFile: value, atomically: true, encoding: .utf8)
            try await Self.work(fixture)
            #expect(try await Self.suspects(fixture).map(\.state) == [.held])
            try "1000\n".write(toFile: value, atomically: true, encoding: .utf8)
            let output = try await Self.work(fixture)

            let suspect = try #require(try await Self.suspects(fixture).first)
            #expect(suspect.state == .refuted && suspect.confirmedRatio.map { abs($0 - 1) < 0.001 } == true, "\(output)")
            #expect(try Self.outbox(fixture, kind: "regression").isEmpty)
            let status = try #require(try Self.outbox(fixture, kind: "commit-status").last)
            #expect(status["state"] as? String == "success" && (status["description"] as? String)?.contains("no change") == true, "\(status)")
        }
    }

    @Test("killed with SIGKILL between suspicion and confirmation: after the restart the confirmation runs once and announces once")
    func crashBetweenSuspicionAndConfirmation() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await Self.fixture(in: root)
            let commits = try await fixture.commitLoopLengths(2...3) { $0 == 2 ? 1000 : 3000 }
            for commit in commits.suffix(2) { try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit]) }
            try await Self.work(fixture)
            let worker = try KillableBenchBot(["work", "--verbose", "--home", fixture.home, "--drain"],
                                              environment: Self.noCredentials.merging(["BENCHBOT_FAULT": "suspect-held:1"]) { $1 })
            let killed = try await worker.finish()
            #expect(killed.status == SIGKILL, "the worker was to die at the fault point: \(killed.output)")
            #expect(try await Self.suspects(fixture).map(\.state) == [.held])
            #expect(try await Self.confirmationJobs(fixture).map(\.state) == [.queued])

            let restarted = try await Self.work(fixture, drain: true)
            try await Self.work(fixture, drain: true)
            #expect(try await Self.suspects(fixture).map(\.state) == [.confirmed], "\(restarted)")
            let confirmations = try await Self.confirmationJobs(fixture)
            #expect(confirmations.map(\.state) == [.done] && confirmations.first?.attempts == 1)
            #expect(try Self.outbox(fixture, kind: "regression").count == 1)
        }
    }

    @Test("confirm: none announces a run-to-run change at once once the noise is known, but holds one early in the history")
    func confirmNoneAndEarlyHistory() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await Self.fixture(in: root, confirm: "none")
            // Step 3 changes early, before 10 measured commits say how noisy the benchmark is;
            // step 14 changes with 12 measured commits before it.
            let commits = try await fixture.commitLoopLengths(2...14) { $0 >= 14 ? 4000 : $0 >= 3 ? 2000 : 1000 }
            for commit in commits.dropFirst() {
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit])
                try await Self.work(fixture, drain: true)
            }
            let suspects = try await Self.suspects(fixture)
            #expect(suspects.map(\.commit.hex) == [commits[2]] && suspects.map(\.state) == [.confirmed],
                    "only the early change was held: \(suspects.map(\.summary))")
            #expect(try await Self.confirmationJobs(fixture).map(\.commit.hex) == [commits[2]])
            let regressions = try Self.outbox(fixture, kind: "regression")
            #expect(regressions.count == 2, "the early one once confirmed, the late one at once")
        }
    }

    @Test("a change found after unmeasured commits is held until bisection has settled its culprit, then confirmed there, once")
    func settledByBisection() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await Self.fixture(in: root)
            try fixture.setBenchBotSection("compare", ["automatic_bisection": true])
            let commits = try await fixture.commitLoopLengths(1...32) { $0 < 18 ? 1000 : 1500 }
            // As a nightly schedule would: every fourth commit is measured.
            for index in stride(from: 0, through: 32, by: 4) {
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[index]])
            }
            let output = try await Self.work(fixture, drain: true)
            let suspects = try await Self.suspects(fixture)
            #expect(Set(suspects.map(\.commit.hex)) == [commits[18]] && suspects.allSatisfy { $0.state == .confirmed }
                        && suspects.first?.baseline.hex == commits[17], "\(suspects.map(\.summary))\n\(output)")
            let confirmations = try await Self.confirmationJobs(fixture)
            #expect(confirmations.map(\.commit.hex) == [commits[18]] && confirmations.map(\.baseline?.hex) == [commits[17]])
            let listed = try await BenchBotProcess.succeed(["changes", "--home", fixture.home])
            #expect(listed.contains("regression of +50.0% in size.loop at \(commits[18].prefix(10))") && listed.contains("[confirmed]"), "\(listed)")
            // Told once, at the culprit: not at the first measured commit after it, and then again.
            let slack = try Self.outbox(fixture, kind: "regression")
            #expect(slack.count == 1 && (slack.first?["text"] as? String)?.hasPrefix("size.loop +50.0% worse at \(commits[18].prefix(10))") == true, "\(slack)")
            let failing = try Self.outbox(fixture, kind: "commit-status").filter { $0["state"] as? String == "failure" }
            #expect(failing.count == 1 && (failing.first?["target_url"] as? String)?.contains(commits[18]) == true, "\(failing)")
        }
    }

    @Test("a change point the paired job refutes is greyed in the site's change list, never shown as a change")
    func refutedChangeOnSite() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, value) = try await Self.fixture(in: root, noise: true)
            // A slow phase of the machine from step 8 on: the code never changed.
            let commits = try await fixture.commitLoopLengths(2...13) { _ in 1000 }
            for (index, commit) in commits.enumerated().dropFirst() {
                try "\(index >= 7 ? 1500 : 1000)\n".write(toFile: value, atomically: true, encoding: .utf8)
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit])
                try await Self.work(fixture, drain: true)
            }
            let listed = try await BenchBotProcess.succeed(["changes", "--home", fixture.home])
            #expect(listed.contains("regression of +50.0% in size.loop at \(commits[7].prefix(10))") && listed.contains("[refuted]"), "\(listed)")
            #expect(try await Self.suspects(fixture).allSatisfy { $0.state == .refuted })
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let index = try String(contentsOfFile: site.appending(path: "index.html"), encoding: .utf8)
            #expect(index.contains("<tr class=\"regression refuted\">") && index.contains("(suspected, not confirmed)"), "\(index)")
            let page = try String(contentsOfFile: site.appending(path: "benchmark/size.loop.html"), encoding: .utf8)
            #expect(!page.contains("<h2>Changes</h2>"), "a refuted change is not listed among the benchmark's changes")
        }
    }

    @Test("bench aa --tracked measures the history again as ordinary jobs and announces nothing, not even the real change again")
    func trackedAA() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, _) = try await Self.fixture(in: root)
            let commits = try await fixture.commitLoopLengths(2...6) { $0 < 4 ? 1000 : 2000 }
            for commit in commits.dropFirst() { try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commit]) }
            try await Self.work(fixture, drain: true)
            #expect(try Self.outbox(fixture, kind: "regression").count == 1, "the real change, told once")

            let aa = try await BenchBotProcess.run(["bench", "aa", "--home", fixture.home, "--tracked", "--history", "5"], environment: Self.noCredentials)
            #expect(aa.status == 0 && aa.standardOutput.contains("tracked-branch A/A over 5 commit(s)")
                        && aa.standardOutput.contains("announcements (each a false alarm): 0"), "\(aa.standardOutput)\(aa.standardError)")
            #expect(try Self.outbox(fixture, kind: "regression").count == 1)
            let store = try fixture.store()
            let repository = try #require(try await store.jobs(in: nil, limit: 1).first).repository
            for commit in commits.dropFirst() {
                let runs = try await store.runs(repository: repository, commit: try #require(ObjectID(hex: commit))).filter { $0.role == nil }
                #expect(runs.count == 2, "each commit measured again as an ordinary job")
            }
        }
    }

    @Test("benchbot.compare.confirm accepts paired and none, and refuses anything else with the field and the fix")
    func setting() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            for good in ["paired", "none"] {
                try fixture.setBenchBotSection("compare", ["confirm": good])
                try await BenchBotProcess.succeed(["check", "--home", fixture.home])
            }
            try fixture.setBenchBotSection("compare", ["confirm": "twice"])
            let bad = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let text = bad.standardOutput + bad.standardError
            #expect(bad.status != 0 && text.contains("config.json") && text.contains("benchbot.compare.confirm") && text.contains("\"paired\""), "\(text)")
        }
    }
}
