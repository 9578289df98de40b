import Compare
import BenchBot
import Crypto
import Foundation
import Notify
import TestHTTPServer
import Testing

/// Kills `work`, `notify`, `import`, `site` and `run` with SIGKILL at random moments, again and
/// again, against endpoints that answer slowly and often fail; then checks that nothing was lost,
/// doubled or left half-done. The seed is printed; `BENCHBOT_CRASH_SEED=<seed>` replays a run,
/// and `BENCHBOT_CRASH_SECONDS` makes it longer than the bounded run of `swift test`.
@Suite("Crash consistency")
struct CrashConsistencyTests {
    /// How long after its start each command may be killed, in milliseconds: about as long as it runs.
    static let killWindows: [String: Int] = ["work": 700, "notify": 250, "import": 120, "site": 200, "run": 1000]

    /// The named points (`BENCHBOT_FAULT`) each command passes, where a kill does the most harm.
    static let faultPoints: [String: [String]] = [
        "work": ["job-leased", "data-written", "job-recorded", "notification-claimed", "notification-answered"],
        "run": ["job-leased", "data-written", "job-recorded", "notification-claimed", "notification-answered"],
        "notify": ["notification-claimed", "notification-answered"],
    ]

    @Test("killed at random moments, every command leaves a sound store, each job in one state, each message sent once, and the old site or the new")
    func killsAtRandom() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["BENCHBOT_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let budget = environment["BENCHBOT_CRASH_SECONDS"].flatMap(Double.init) ?? 45
        print("crash-consistency seed \(seed) (replay: BENCHBOT_CRASH_SEED=\(seed) swift test --filter CrashConsistencyTests)")
        let endpoints = FlakyEndpoints(seed: seed ^ 0x5EED)
        try await withTemporaryDirectory { root in
            try await LoopbackServer.with(endpoints.router()) { server in
                try await Self.campaign(root: root, server: server, endpoints: endpoints, seed: seed, budget: budget)
            }
        }
    }

    static func campaign(root: String, server: String, endpoints: FlakyEndpoints, seed: UInt64, budget: Double) async throws {
        var random = SplitMix64(state: seed)
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.addLoopLengthExperiment("size", options: ["repeat": 3])
        try fixture.setNotify(["initial_backoff": 0.2,
                               "slack": ["webhook_url_env": "TEST_SLACK_WEBHOOK"],
                               "github": ["repository": "octo-org/project", "token_env": "TEST_GITHUB_TOKEN", "api_url": server]])
        let environment: [String: String?] = ["TEST_SLACK_WEBHOOK": "\(server)/slack/hook", "TEST_GITHUB_TOKEN": "ghp_testtoken1234"]
        try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
        let exports = root.appending(path: "exports.json")
        let site = fixture.home.appending(path: "results/subsystem/output/website")

        var step = 0, kills = 0, killed: [String: Int] = [:], faulted: [String: Int] = [:]
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(budget) {
            step += 1
            // New commits keep arriving, some twice as slow: regressions to tell people about.
            if random.unit() < 0.35 {
                let length = (random.unit() < 0.5 ? 1000 : 3000) + step
                let commits = try await fixture.commitLoopLengths(step...step) { _ in length }
                try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits.last!])
            }
            // And messages of the home's own, as the nightly reporters queue them.
            if random.unit() < 0.3 {
                try await fixture.store().enqueueNotifications([OutgoingMessageFixture.slack("step \(step) a"),
                                                                OutgoingMessageFixture.slack("step \(step) b")], now: Date())
            }
            let command = ["work", "notify", "import", "site", "run"][Int(random.next() % 5)]
            var arguments = [command, "--home", fixture.home]
            switch command {
            case "notify": arguments += ["--wait", "1"]
            case "import":
                let sha = try await fixture.git.head()
                try #"{"benchmarks": [{"name": "imported", "unit": "ms", "samples": [\#(step), \#(step + 1)]}]}"#
                    .write(toFile: exports, atomically: true, encoding: .utf8)
                // --replace: the same series again replaces the commit's imported run, in one transaction.
                arguments += ["--commit", sha, "--format", "benchbot-json", "--replace", exports]
            default: break
            }
            let siteBefore = Self.manifest(of: site)
            // The fault: SIGKILL at the nth passing of a named point, or at a random moment of the
            // command's life, if it still lives.
            var faulty = environment
            var window = killWindows[command]!
            if let points = faultPoints[command], random.unit() < 0.5 {
                let point = points[Int(random.next() % UInt64(points.count))]
                faulty["BENCHBOT_FAULT"] = "\(point):\(1 + random.next() % 3)"
                faulted[point, default: 0] += 1
                window = 30_000
            }
            let process = try KillableBenchBot(arguments, environment: faulty)
            let killAt = ContinuousClock.now + .milliseconds(Int(random.next() % UInt64(window + 1)))
            while process.process.isRunning, ContinuousClock.now < killAt { try await Task.sleep(for: .milliseconds(5)) }
            if process.process.isRunning {
                process.kill()
                kills += 1
                killed[command, default: 0] += 1
            }
            let ended = try await process.finish()
            if ended.status == 128 + SIGKILL || ended.status == SIGKILL, faulty["BENCHBOT_FAULT"] != nil { kills += 1 }
            if command == "site" || command == "run" {
                let afterKill = Self.manifest(of: site)
                try await BenchBotProcess.succeed(["site", "--home", fixture.home])
                let rebuilt = Self.manifest(of: site)
                // `run` and `work` update the site after each job, so a kill between two jobs leaves
                // a whole build of the store as it was then: neither the old site nor the final one,
                // but never a mix, which its own manifest's digests would give away.
                let mixed = "step \(step) (seed \(seed)): \(command) killed left a site that is neither the old one nor the new one "
                    + "nor whole (\(Self.wholeness(afterKill) ?? "it is whole")): "
                    + "\(Self.difference(afterKill, siteBefore)) against the old, \(Self.difference(afterKill, rebuilt)) against the new"
                #expect(afterKill == siteBefore || afterKill == rebuilt || (command == "run" && Self.wholeness(afterKill) == nil), "\(mixed)")
            }
        }
        print("crash-consistency: \(step) steps, \(kills) kills (\(killed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), fault points tried \(faulted.sorted { $0.key < $1.key }), seed \(seed)")

        // Everything settles once nobody is killed.
        let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
        #expect(work.status == 0, "seed \(seed): \(work.standardOutput)\(work.standardError)")
        let notify = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "20"], environment: environment)

        let integrity = try await CommandRunner.run("sqlite3", arguments: [fixture.home.appending(path: "benchbot.sqlite"), "PRAGMA integrity_check"],
                                                    timeout: .seconds(30))
        #expect(integrity.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "seed \(seed): \(integrity.standardOutput)")

        let store = try fixture.store()
        for job in try await store.jobs(in: nil, limit: nil) {
            #expect(job.state == .done || job.state == .failed, "seed \(seed): job \(job.id) is \(job.state)")
            if job.state == .failed { #expect(job.message?.isEmpty == false, "seed \(seed): job \(job.id) failed without a reason") }
        }

        // No killed attempt's data file outlives the next worker: each one left is a stored run's.
        var stored: Set<Int64> = []
        for job in try await store.jobs(in: [.done], limit: nil) {
            for run in try await store.runs(repository: "origin", commit: job.commit) { stored.insert(Int64(run.startedAt.timeIntervalSince1970 * 1000)) }
        }
        let data = fixture.home.appending(path: "results/experiments/data")
        print("crash-consistency: \((try? FileManager.default.contentsOfDirectory(atPath: data.appending(path: "size")))?.count ?? 0) data file(s), \(stored.count) stored run(s)")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: data.appending(path: "size"))) ?? [] {
            #expect(!file.hasPrefix("."), "seed \(seed): a temporary file, \(file), is left")
            let stamp = file.split(separator: "_").last.flatMap { Int64($0.dropLast(".json".count)) }
            #expect(stamp.map(stored.contains) == true, "seed \(seed): \(file) belongs to no stored run")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "cache/attempts"))) ?? []).isEmpty,
                "seed \(seed): markers of attempts are left")

        var inDoubt: [Int64] = []
        for notification in try await store.notifications(in: nil, limit: nil) {
            let label = "seed \(seed): notification \(notification.id) (\(notification.message.kind) to \(notification.message.destination.summary))"
            switch notification.state {
            case .pending, .sending:
                Issue.record("\(label) is still \(notification.state) after a clean notify")
            case .delivered where notification.message.destination == .slackWebhook:
                let times = await endpoints.slackDeliveries(of: notification.message.body)
                #expect(times == 1, "\(label) was delivered \(times) times")
            case .failed, .uncertain:
                #expect(notification.lastError?.isEmpty == false, "\(label) is \(notification.state) without a reason")
                if notification.message.destination == .slackWebhook {
                    #expect(await endpoints.slackDeliveries(of: notification.message.body) <= 1, "\(label) arrived more than once")
                }
                inDoubt.append(notification.id)
            case .delivered, .written, .superseded:
                break
            }
        }
        let states = try await store.notifications(in: nil, limit: nil).reduce(into: [:]) { $0[$1.state.rawValue, default: 0] += 1 }
        let jobStates = try await store.jobs(in: nil, limit: nil).reduce(into: [:]) { $0[$1.state.rawValue, default: 0] += 1 }
        print("crash-consistency: notifications \(states), jobs \(jobStates), Slack answered \(await endpoints.slack.count) request(s)")
        // What is failed or in doubt is said, and cron sees it.
        #expect((notify.status != 0) == !inDoubt.isEmpty, "seed \(seed): notify exited \(notify.status) with \(inDoubt.count) in doubt: \(notify.standardError)")
        for id in inDoubt { #expect(notify.standardError.contains("notification \(id) "), "seed \(seed): \(notify.standardError)") }
    }

    /// Every file of the site folder (hidden ones too) and its content; empty when there is none.
    static func manifest(of folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return files }
        while let relative = walker.nextObject() as? String {
            let path = folder.appending(path: relative)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            files[relative] = data
        }
        return files
    }

    /// What makes `site` other than one whole build: a file missing, unlisted, or not the content its
    /// manifest (`path TAB inputs TAB sha256-or-dash`) says; `nil` for a whole build.
    static func wholeness(_ site: [String: Data]) -> String? {
        guard let manifest = site[".benchbot-site"] else { return "no manifest" }
        var listed = Set([".benchbot-site"])
        for line in String(decoding: manifest, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else { return "a manifest line that does not read: \(line)" }
            let path = String(fields[0])
            listed.insert(path)
            guard let content = site[path] else { return "\(path) is listed but missing" }
            if fields[2] != "-", SHA256.hash(data: content).map({ String(format: "%02x", $0) }).joined() != fields[2] {
                return "\(path) is not the content the manifest lists"
            }
        }
        let unlisted = Set(site.keys).subtracting(listed)
        return unlisted.isEmpty ? nil : "files the manifest does not list: \(unlisted.sorted().prefix(3))"
    }

    static func difference(_ a: [String: Data], _ b: [String: Data]) -> String {
        let differing = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        return "\(differing.count) file(s) differ, such as \(differing.prefix(3))"
    }
}
