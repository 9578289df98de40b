@testable import BenchBot
import Foundation
import TestHTTPServer
import Testing

@Suite("Leases and the end of a job")
struct LeaseTests {
    static func environment(_ server: String) -> [String: String?] {
        ["TEST_SLACK_WEBHOOK": "\(server)/slack/hook", "TEST_GITHUB_TOKEN": "ghp_testtoken1234"]
    }

    static func setLease(_ fixture: RunnerFixture, seconds: Double) throws {
        try fixture.editConfig { config in
            var benchbot = config["benchbot"] as! [String: Any]
            benchbot["runner"] = ["stage_timeout": 60, "lease_duration": seconds]
            config["benchbot"] = benchbot
        }
    }

    @Test("a Slack answer slower than the lease: the stored job is reported done and its message is delivered once, never left in doubt")
    func slowSendAfterStore() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let (fixture, commits) = try await NotificationTests.regressingFixture(in: root, notify: NotificationTests.notifyConfig(server: server))
                try Self.setLease(fixture, seconds: 1.5)
                // The regression's message is the only Slack post; it goes after the run is stored.
                await fake.hold("POST", pathEndingWith: "/slack/hook")
                let work = try KillableBenchBot(["work", "--verbose", "--home", fixture.home], environment: Self.environment(server))
                try await withDeadline(.seconds(120), "the regression's Slack message reaching the server") { await fake.heldRequestArrived() }

                let store = try fixture.store()
                let job = try #require(try await store.jobs(in: nil, limit: nil).first { $0.commit.hex == commits[2] })
                #expect(job.state == .done, "the run is stored before its message goes")
                // The answer waits until the job's lease would have run out twice over: several
                // renewals fall while the message is in flight.
                let finished = try #require(job.finishedAt)
                #expect(await eventually { Date() > finished.addingTimeInterval(3) })
                await fake.release()

                let result = try await work.finish()
                #expect(result.status == 0, "\(result.output)\(result.errors)")
                #expect(!result.output.contains("lease lost"), "\(result.output)")
                let line = result.output.split(separator: "\n").first { $0.contains(String(commits[2].prefix(10))) && $0.contains(": done") }
                #expect(line != nil, "\(result.output)")
                #expect(result.output.contains("notified: 1 delivered") || result.output.contains("delivered"), "\(result.output)")
                #expect(await fake.slackMessages.count == 1)
                let unsettled = try await store.notifications(in: [.pending, .sending, .uncertain, .failed], limit: nil)
                #expect(unsettled.isEmpty, "\(unsettled.map { "\($0.id) \($0.state) \($0.lastError ?? "")" })")
                #expect(try await store.jobs(in: [.running, .queued], limit: nil).isEmpty)
            }
        }
    }

    @Test("a run holding a sample that is not a finite number is refused before the store, naming the benchmark")
    func unstorableRun() async throws {
        let run = RunRecord(jobID: 1, worker: "w", startedAt: Date(), finishedAt: Date(), environment: [:],
                            results: [BenchmarkResult(benchmark: "loop", unit: "s", direction: .lowerIsBetter, samples: [1, .infinity])])
        let problem = try #require(Worker.unstorable(run))
        #expect(problem.contains("loop") && problem.contains("inf"), "\(problem)")
        var finite = run
        finite.results[0].samples = [1, 2]
        #expect(Worker.unstorable(finite) == nil)
    }

    @Test("a job given back for want of a writable store is queued with the reason, and failed with it once its attempts are used")
    func returnedJob() async throws {
        try await withTemporaryDirectory { root in
            let store = try SQLiteStore.open(path: root.appending(path: "store.sqlite"))
            let commit = CommitMetadata(id: ObjectID(hex: String(repeating: "a", count: 40))!, parents: [], authorName: "A", authorEmail: "a@x",
                                        authorTime: Date(), subject: "s")
            _ = try await store.enqueue(EnqueueRequest(repository: "r", repositoryURL: "u", commits: [commit], suite: "default", machine: "m",
                                                       branch: "main", source: .manual, maxAttempts: 2))
            let first = try #require(try await store.leaseNextJob(machine: "m", worker: "w", leaseDuration: .seconds(60), now: Date()))
            #expect(try await store.returnJob(jobID: first.id, worker: "w", reason: "results not stored: disk full", now: Date()))
            let queued = try #require(try await store.jobs(in: nil, limit: nil).first)
            #expect(queued.state == .queued && queued.message == "requeued: results not stored: disk full" && queued.leaseOwner == nil)
            #expect(try await store.returnJob(jobID: first.id, worker: "w", reason: "again", now: Date()) == false, "only the lease holder gives it back")

            _ = try #require(try await store.leaseNextJob(machine: "m", worker: "w", leaseDuration: .seconds(60), now: Date()))
            #expect(try await store.returnJob(jobID: first.id, worker: "w", reason: "results not stored: disk full", now: Date()))
            let failed = try #require(try await store.jobs(in: nil, limit: nil).first)
            #expect(failed.state == .failed && failed.message == "results not stored: disk full (2 attempt(s); giving up)", "\(failed)")
        }
    }
}
