@testable import BenchBot
import Foundation
import Logging
import Testing

/// The job queue's rules, checked on every store: SQLite, and PostgreSQL where it runs (always
/// under `.ci/run`; elsewhere the PostgreSQL suite says why it is skipped).
@Suite("The job queue, on every store")
struct JobQueueContractTests {
    enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let engines: [Engine] = PostgresCluster.enabled ? Engine.allCases : [.sqlite]

    /// A fresh, empty store on `engine`, for `body`'s length.
    static func withQueue(_ engine: Engine, _ body: @Sendable (any JobQueue & NotificationOutbox) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            try await withTemporaryDirectory { folder in try await body(try SQLiteStore.open(path: folder.appending(path: "store.sqlite"))) }
        case .postgres:
            let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
            try await PostgresStore.with(location, password: nil, logger: Logger(label: "benchbot.test.queue")) { try await body($0) }
        }
    }

    static func commit(_ number: Int) -> CommitMetadata {
        CommitMetadata(id: ObjectID(hex: String(format: "%040x", number))!, parents: [], authorName: "A", authorEmail: "a@example.invalid",
                       authorTime: Date(timeIntervalSince1970: 1_700_000_000), subject: "commit \(number)")
    }

    static func request(_ numbers: Range<Int>, machine: String = "m1", branch: String? = "main", priority: Int = 0, maxAttempts: Int = 3,
                        rerun: Bool = false) -> EnqueueRequest {
        EnqueueRequest(repository: "demo", repositoryURL: "https://user:secret@example.invalid/demo.git", commits: numbers.map(commit),
                       suite: "default", machine: machine, branch: branch, source: .hook, priority: priority, maxAttempts: maxAttempts,
                       rerun: rerun, newBranchTip: branch == nil ? nil : numbers.last.map { commit($0).id })
    }

    @Test("a commit is queued once per suite and machine; again is already known; a finished one runs again only when asked", arguments: engines)
    func enqueueOnce(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let first = try await queue.enqueue(Self.request(0..<3))
            #expect(first.queued == (0..<3).map { Self.commit($0).id } && first.alreadyKnown.isEmpty)
            let again = try await queue.enqueue(Self.request(1..<4))
            #expect(again.queued == [Self.commit(3).id] && again.alreadyKnown == [Self.commit(1).id, Self.commit(2).id])
            #expect(try await queue.branchTip(repository: "demo", branch: "main") == Self.commit(3).id)
            let elsewhere = try await queue.enqueue(Self.request(0..<1, machine: "m2"))
            #expect(elsewhere.queued == [Self.commit(0).id])
            #expect(try await queue.countJobs() == [.queued: 5])
            // Given back before its last attempt, a job is queued again, saying why.
            let job = try #require(try await queue.leaseNextJob(machine: "m2", worker: "w", leaseDuration: .seconds(60), now: Date()))
            #expect(try await queue.returnJob(jobID: job.id, worker: "w", reason: "disk full", now: Date()))
            let requeued = try await queue.jobs(in: [.queued], limit: nil).filter { $0.machine == "m2" }
            #expect(requeued.count == 1 && requeued[0].message == "requeued: disk full")
            // After its last, it fails; a plain enqueue leaves it so, a rerun queues it again.
            _ = try await queue.enqueue(Self.request(30..<31, machine: "m3", maxAttempts: 1))
            let last = try #require(try await queue.leaseNextJob(machine: "m3", worker: "w", leaseDuration: .seconds(60), now: Date()))
            #expect(try await queue.returnJob(jobID: last.id, worker: "w", reason: "disk full", now: Date()))
            let failed = try await queue.jobs(in: [.failed], limit: nil)
            #expect(failed.map(\.id) == [last.id] && failed[0].message == "disk full (1 attempt(s); giving up)")
            #expect(try await queue.enqueue(Self.request(30..<31, machine: "m3")).alreadyKnown == [Self.commit(30).id])
            #expect(try await queue.enqueue(Self.request(30..<31, machine: "m3", rerun: true)).requeued == [Self.commit(30).id])
            let all = try await queue.jobs(in: nil, limit: nil)
            #expect(all.map(\.id) == all.map(\.id).sorted() && all.count == 6)
            #expect(try await queue.jobs(in: nil, limit: 2).map(\.id) == Array(all.suffix(2).map(\.id)))
        }
    }

    @Test("leases go highest priority first, then oldest, to the job's machine only; renewals keep them, expiry returns them", arguments: engines)
    func leasing(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            _ = try await queue.enqueue(Self.request(0..<2))
            _ = try await queue.enqueue(Self.request(10..<11, priority: 5))
            _ = try await queue.enqueue(Self.request(20..<21, machine: "m2"))
            let now = Date()
            let order = try await (0..<3).asyncMap { _ in
                try await queue.leaseNextJob(machine: "m1", worker: "w1", leaseDuration: .seconds(60), now: now)?.commit
            }
            #expect(order == [Self.commit(10).id, Self.commit(0).id, Self.commit(1).id])
            #expect(try await queue.leaseNextJob(machine: "m1", worker: "w1", leaseDuration: .seconds(60), now: now) == nil)
            let running = try await queue.jobs(in: [.running], limit: nil)
            #expect(running.count == 3 && running.allSatisfy { $0.leaseOwner == "w1" && $0.attempts == 1 && $0.subject != nil })
            #expect(try await queue.renewLease(jobID: running[0].id, worker: "w1", leaseDuration: .seconds(60), now: now))
            #expect(try await !queue.renewLease(jobID: running[0].id, worker: "w2", leaseDuration: .seconds(60), now: now))
            #expect(try await queue.expireLease(jobID: running[0].id, owner: "w1", now: now))
            // The expired job goes back first, then to the next worker, with why.
            let retried = try #require(try await queue.leaseNextJob(machine: "m1", worker: "w2", leaseDuration: .seconds(60), now: now))
            #expect(retried.id == running[0].id && retried.attempts == 2 && retried.leaseOwner == "w2")
            #expect(try await !queue.renewLease(jobID: running[0].id, worker: "w1", leaseDuration: .seconds(60), now: now))
        }
    }

    @Test("a job whose worker keeps dying fails after its last attempt, with why", arguments: engines)
    func expiredForGood(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            _ = try await queue.enqueue(Self.request(0..<1, maxAttempts: 2))
            var now = Date()
            for worker in ["w1", "w2"] {
                #expect(try await queue.leaseNextJob(machine: "m1", worker: worker, leaseDuration: .seconds(1), now: now) != nil)
                now += 5
            }
            #expect(try await queue.leaseNextJob(machine: "m1", worker: "w3", leaseDuration: .seconds(1), now: now) == nil)
            let failed = try await queue.jobs(in: [.failed], limit: nil)
            #expect(failed.count == 1 && failed[0].message?.contains("stopped renewing the lease 2 time(s)") == true)
        }
    }

    @Test("workers leasing at once each get a different job, and every job is leased exactly once", arguments: engines)
    func concurrentLeases(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            _ = try await queue.enqueue(Self.request(0..<60))
            let leased = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        while let job = try await queue.leaseNextJob(machine: "m1", worker: "w\(worker)", leaseDuration: .seconds(600), now: Date()) {
                            mine.append(job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(leased.count == 60 && Set(leased).count == 60)
            #expect(try await queue.countJobs() == [.running: 60])
        }
    }

    @Test("a run is stored only under its job's lease, finishing the job; results keep their order past one statement's batch", arguments: engines)
    func recording(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let store = try #require(queue as? any Store)
            _ = try await queue.enqueue(Self.request(0..<2))
            let now = Date()
            func run(_ job: Job, by worker: String, results count: Int) -> RunRecord {
                RunRecord(jobID: job.id, worker: worker, startedAt: now, finishedAt: now, environment: ["cpu": "x"],
                          results: (0..<count).map { BenchmarkResult(benchmark: "b\($0)", unit: "ns", direction: .lowerIsBetter,
                                                                     samples: [Double($0), Double($0) + 0.5]) })
            }
            // Past PostgreSQL's batch of 4,096, a run is more than its one statement.
            let large = try #require(try await queue.leaseNextJob(machine: "m1", worker: "w1", leaseDuration: .seconds(60), now: now))
            let stored = try #require(try await store.run(id: try await store.recordRun(run(large, by: "w1", results: 5000))))
            #expect(stored.results.map(\.benchmark) == (0..<5000).map { "b\($0)" })
            #expect(stored.results[4999].samples == [4999, 4999.5] && stored.environment == ["cpu": "x"])

            let small = try #require(try await queue.leaseNextJob(machine: "m1", worker: "w1", leaseDuration: .seconds(60), now: now))
            #expect(try await queue.expireLease(jobID: small.id, owner: "w1", now: now))
            let retried = try #require(try await queue.leaseNextJob(machine: "m1", worker: "w2", leaseDuration: .seconds(60), now: now))
            let lost = await #expect(throws: StoreError.self) { _ = try await store.recordRun(run(small, by: "w1", results: 1)) }
            #expect(lost?.isLeaseLost == true)
            #expect(try await store.runs(repository: "demo", commit: small.commit).isEmpty)
            let runID = try await store.recordRun(run(retried, by: "w2", results: 1))
            #expect(try await store.runs(repository: "demo", commit: small.commit).map(\.id) == [runID])
            #expect(try await queue.countJobs() == [.done: 2])
        }
    }

    @Test("deleting a branch cancels its queued jobs, not its running ones, and forgets its tip", arguments: engines)
    func cancelBranch(engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            _ = try await queue.enqueue(Self.request(0..<3, branch: "feature"))
            _ = try await queue.enqueue(Self.request(10..<11, branch: "main"))
            _ = try await queue.leaseNextJob(machine: "m1", worker: "w", leaseDuration: .seconds(60), now: Date())
            #expect(try await queue.cancelQueuedJobs(repository: "demo", branch: "feature", now: Date()) == 2)
            #expect(try await queue.countJobs() == [.running: 1, .cancelled: 2, .queued: 1])
            #expect(try await queue.branchTip(repository: "demo", branch: "feature") == nil)
            #expect(try await queue.branchTip(repository: "demo", branch: "main") == Self.commit(10).id)
            let cancelled = try await queue.jobs(in: [.cancelled], limit: nil)
            #expect(cancelled.allSatisfy { $0.message == "branch feature was deleted" && $0.finishedAt != nil })
        }
    }


    @Test("a worker's beat replaces its last one but keeps its start; workers silent for a week are forgotten", arguments: engines)
    func beats(_ engine: Engine) async throws {
        try await Self.withQueue(engine) { queue in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            func beat(_ identity: String, at seconds: Double, _ state: WorkerBeat.State, machine: String = "x86") -> WorkerBeat {
                WorkerBeat(identity: identity, name: "box-" + identity.prefix(1), machine: machine, repository: "demo",
                           startedAt: start.addingTimeInterval(seconds), heartbeatAt: start.addingTimeInterval(seconds), state: state)
            }
            try await queue.beat(beat("a/1@1", at: 0, .working))
            try await queue.beat(beat("b/2@1", at: 5, .working, machine: "arm64"))
            try await queue.beat(beat("a/1@1", at: 60, .stopped))
            var workers = try await queue.workers()
            #expect(workers.map(\.identity) == ["b/2@1", "a/1@1"], "by class, then name")
            let a = workers.first { $0.identity == "a/1@1" }
            #expect(a?.startedAt == start && a?.heartbeatAt == start.addingTimeInterval(60) && a?.state == .stopped && a?.name == "box-a")
            // A beat eight days on forgets both, and keeps itself.
            try await queue.beat(beat("c/3@1", at: 8 * 86_400, .working))
            workers = try await queue.workers()
            #expect(workers.map(\.identity) == ["c/3@1"])
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
