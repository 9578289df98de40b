@testable import BenchBot
import Foundation
import GRDB
import Testing

@Suite("SQLite store")
struct StoreTests {
    static func commit(_ index: Int) -> CommitMetadata {
        let hex = String(repeating: String(index % 10), count: 40)
        return CommitMetadata(id: ObjectID(hex: hex)!, parents: [], authorName: "Ada", authorEmail: "ada@example.invalid",
                              authorTime: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)), subject: "commit \(index)")
    }

    static func request(_ commits: [Int], branch: String? = "main", rerun: Bool = false, maxAttempts: Int = 2) -> EnqueueRequest {
        EnqueueRequest(repository: "project", repositoryURL: "/srv/project.git", commits: commits.map(commit), suite: "default",
                       machine: "bench-1", branch: branch, source: .manual, maxAttempts: maxAttempts, rerun: rerun,
                       newBranchTip: branch == nil ? nil : commit(commits.last ?? 0).id)
    }

    func withStore(_ body: (SQLiteStore, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "store/benchbot.sqlite")
            try await body(try SQLiteStore.open(path: path), path)
        }
    }

    @Test("results stored before noise summaries existed get them when the store is upgraded; new ones get them on insert")
    func noiseSummaryMigration() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            let old = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(old, upTo: "v2: experiment outcomes per run")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO repository (id, name, url, created_at) VALUES (1, 'project', '/srv/project.git', 0);
                    INSERT INTO job (id, repository_id, sha, suite, machine, source, state, max_attempts, enqueued_at)
                        VALUES (1, 1, '\(Self.commit(1).id.hex)', 'default', 'bench-1', 'manual', 'done', 1, 0);
                    INSERT INTO run (id, job_id, repository_id, sha, suite, machine, started_at, finished_at, environment)
                        VALUES (1, 1, 1, '\(Self.commit(1).id.hex)', 'default', 'bench-1', 0, 1, '{}');
                    INSERT INTO result (run_id, benchmark, parameters, unit, direction, samples)
                        VALUES (1, 'parse', '{}', 'ns', 'lower_is_better', '[10, 12, 11, 30]');
                    """)
            }
            try old.close()
            let store = try SQLiteStore.open(path: path)
            let run = try #require(try await store.runs(repository: "project", commit: Self.commit(1).id).first)
            let noise = try #require(run.noise["parse"])
            #expect(noise.summary.count == 4 && noise.summary.median == 11.5 && noise.summary.maximum == 30 && noise.summary.mean == 15.75)
            #expect(!noise.canResolve())

            let job = try await store.enqueue(Self.request([2])).queued
            #expect(job.count == 1)
            let leased = try #require(try await store.leaseNextJob(machine: "bench-1", worker: "w", leaseDuration: .seconds(60), now: Date()))
            _ = try await store.recordRun(RunRecord(jobID: leased.id, worker: "w", startedAt: Date(), finishedAt: Date(), environment: [:],
                                                    results: [BenchmarkResult(benchmark: "steady", unit: "ms", direction: .lowerIsBetter,
                                                                              samples: [10, 10.001, 10, 9.999, 10])],
                                                    experiments: []))
            let fresh = try #require(try await store.runs(repository: "project", commit: Self.commit(2).id).first?.noise["steady"])
            #expect(fresh.summary.count == 5 && fresh.summary.median == 10 && fresh.canResolve())
            let columns = try store.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT too_noisy, coefficient_of_variation FROM result WHERE benchmark = 'steady'")
            }
            #expect(columns?["too_noisy"] == false)
        }
    }

    @Test("enqueueing the same commits twice is a no-op, and order is kept")
    func enqueueIsIdempotent() async throws {
        try await withStore { store, _ in
            let first = try await store.enqueue(Self.request([1, 2, 3]))
            #expect(first.queued == [1, 2, 3].map { Self.commit($0).id })
            let second = try await store.enqueue(Self.request([2, 3, 4]))
            #expect(second.queued == [Self.commit(4).id])
            #expect(second.alreadyKnown == [2, 3].map { Self.commit($0).id })
            let jobs = try await store.jobs(in: nil, limit: nil)
            #expect(jobs.map(\.commit) == [1, 2, 3, 4].map { Self.commit($0).id })
            #expect(jobs.map(\.subject) == ["commit 1", "commit 2", "commit 3", "commit 4"])
            #expect(try await store.branchTip(repository: "project", branch: "main") == Self.commit(4).id)
            #expect(try await store.countJobs() == [.queued: 4])
        }
    }

    @Test("the store is in WAL mode")
    func walMode() async throws {
        try await withStore { store, _ in
            let mode = try await store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test("a leased job whose worker dies returns to the queue when its lease expires, then fails after max attempts")
    func expiredLeasesReturnToQueue() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue(Self.request([1], maxAttempts: 2))
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let leased = try #require(try await store.leaseNextJob(machine: "bench-1", worker: "w1", leaseDuration: .seconds(60), now: start))
            #expect(leased.state == .running && leased.attempts == 1)
            #expect(try await store.leaseNextJob(machine: "bench-1", worker: "w2", leaseDuration: .seconds(60), now: start + 30) == nil)

            let retaken = try #require(try await store.leaseNextJob(machine: "bench-1", worker: "w2", leaseDuration: .seconds(60), now: start + 61))
            #expect(retaken.id == leased.id && retaken.attempts == 2 && retaken.leaseOwner == "w2")
            #expect(try await store.renewLease(jobID: leased.id, worker: "w1", leaseDuration: .seconds(60), now: start + 62) == false)
            #expect(try await store.renewLease(jobID: leased.id, worker: "w2", leaseDuration: .seconds(60), now: start + 62))

            #expect(try await store.leaseNextJob(machine: "bench-1", worker: "w3", leaseDuration: .seconds(60), now: start + 200) == nil)
            let failed = try #require(try await store.jobs(in: [.failed], limit: nil).first)
            #expect(failed.id == leased.id && failed.message?.contains("stopped renewing") == true)
        }
    }

    @Test("jobs are leased by priority, then oldest first, and only for their machine")
    func leaseOrder() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue(Self.request([1, 2]))
            var urgent = Self.request([3])
            urgent.priority = 10
            _ = try await store.enqueue(urgent)
            let now = Date()
            #expect(try await store.leaseNextJob(machine: "other", worker: "w", leaseDuration: .seconds(60), now: now) == nil)
            let order = [
                try await store.leaseNextJob(machine: "bench-1", worker: "w", leaseDuration: .seconds(60), now: now),
                try await store.leaseNextJob(machine: "bench-1", worker: "w", leaseDuration: .seconds(60), now: now),
                try await store.leaseNextJob(machine: "bench-1", worker: "w", leaseDuration: .seconds(60), now: now),
            ].map { $0?.commit }
            #expect(order == [3, 1, 2].map { Self.commit($0).id })
        }
    }

    @Test("a run and its results are stored with the job marked done; a lost lease stores nothing; paired rounds are kept")
    func recordRun() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue(Self.request([1]))
            let job = try #require(try await store.leaseNextJob(machine: "bench-1", worker: "w1", leaseDuration: .seconds(60), now: Date()))
            let result = BenchmarkResult(benchmark: "parse", parameters: ["size": "1024"], unit: "ns", direction: .lowerIsBetter,
                                         samples: [10.5, 11, 10.75])
            let stale = RunRecord(jobID: job.id, worker: "someone-else", startedAt: Date(), finishedAt: Date(), environment: [:], results: [result])
            await #expect(throws: StoreError.self) { try await store.recordRun(stale) }
            #expect(try await store.runs(repository: "project", commit: job.commit).isEmpty)

            var halves = result
            halves.rounds = [2, 1]
            let run = RunRecord(jobID: job.id, worker: "w1", startedAt: Date(timeIntervalSince1970: 10), finishedAt: Date(timeIntervalSince1970: 20),
                                environment: ["swift": "6.3.1"], results: [result],
                                pairedBaseline: RunRecord.PairedBaseline(commit: Self.commit(2).id, results: [halves]))
            _ = try await store.recordRun(run)
            let stored = try await store.runs(repository: "project", commit: job.commit)
            #expect(stored.count == 1)
            #expect(stored.first?.results == [result] && stored.first?.results.first?.rounds == nil)
            #expect(try await store.runs(repository: "project", commit: Self.commit(2).id).first?.results == [halves])
            #expect(stored.first?.environment == ["swift": "6.3.1"])
            #expect(try await store.jobs(in: [.done], limit: nil).map(\.id) == [job.id])
        }
    }

    @Test("--rerun queues a finished job again; a queued one stays as it is")
    func rerun() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue(Self.request([1]))
            #expect(try await store.enqueue(Self.request([1], rerun: true)).alreadyKnown.count == 1)
            let job = try #require(try await store.leaseNextJob(machine: "bench-1", worker: "w", leaseDuration: .seconds(60), now: Date()))
            try await store.failJob(jobID: job.id, worker: "w", message: "build failed", notifications: [], now: Date())
            #expect(try await store.enqueue(Self.request([1])).alreadyKnown.count == 1)
            #expect(try await store.enqueue(Self.request([1], rerun: true)).requeued == [job.commit])
            #expect(try await store.jobs(in: [.queued], limit: nil).map(\.attempts) == [0])
        }
    }

    @Test("deleting a branch can cancel its queued jobs")
    func cancelQueued() async throws {
        try await withStore { store, _ in
            _ = try await store.enqueue(Self.request([1, 2], branch: "feature"))
            _ = try await store.enqueue(Self.request([3], branch: "main"))
            #expect(try await store.cancelQueuedJobs(repository: "project", branch: "feature", now: Date()) == 2)
            #expect(try await store.jobs(in: [.queued], limit: nil).map(\.commit) == [Self.commit(3).id])
            #expect(try await store.branchTip(repository: "project", branch: "feature") == nil)
        }
    }

    @Test("reopening keeps everything; a file that is not a database is reported as corrupt and not modified")
    func reopenAndCorrupt() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            _ = try await SQLiteStore.open(path: path).enqueue(Self.request([1, 2]))
            #expect(try await SQLiteStore.open(path: path).jobs(in: nil, limit: nil).count == 2)

            let other = root.appending(path: "garbage.sqlite")
            let bytes = Data(repeating: 0x5A, count: 4096)
            try bytes.write(to: URL(fileURLWithPath: other))
            #expect { try SQLiteStore.open(path: other) } throws: { ($0 as? StoreError)?.isCorrupt == true }
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == bytes)
        }
    }

    @Test("a zero-byte store is reported as damaged, never opened as a new one; a reader does not create a missing store")
    func emptyFileIsCorrupt() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            #expect { try SQLiteStore.open(path: path) } throws: { error in
                (error as? StoreError)?.isCorrupt == true && "\(error)".contains("empty (0 bytes)") && "\(error)".contains("backup_dir")
            }
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)

            let missing = root.appending(path: "moved.sqlite")
            #expect { try SQLiteStore.open(path: missing, create: false) } throws: { "\($0)".contains("no store here") }
            #expect(!FileManager.default.fileExists(atPath: missing))
            _ = try SQLiteStore.open(path: missing)
            _ = try SQLiteStore.open(path: missing, create: false)
        }
    }
}
