public import Foundation
import GRDB
public import Notify

extension SQLiteStore {
    public func enqueue(_ request: EnqueueRequest) async throws(StoreError) -> EnqueueOutcome {
        let now = Date().storeValue
        return try await write { db in try Self.enqueue(db, request, now: now) }
    }

    /// Queues a request's commits inside the caller's transaction.
    static func enqueue(_ db: Database, _ request: EnqueueRequest, now: Double) throws -> EnqueueOutcome {
        let repositoryID = try Self.upsertRepository(db, name: request.repository, url: request.repositoryURL, now: now)
        var outcome = EnqueueOutcome()
        for commit in request.commits {
            try Self.insertCommit(db, repositoryID: repositoryID, commit)
            var queued = false, requeued = false
            for machine in request.machines {
                try db.execute(
                    sql: """
                        INSERT INTO job (repository_id, sha, suite, machine, branch, remote_url, source, state,
                                         priority, max_attempts, enqueued_at, baseline_sha, pull_request, untrusted, experiments)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (repository_id, sha, suite, machine) DO NOTHING
                        """,
                    arguments: [repositoryID, commit.id.hex, request.suite, machine, request.branch,
                                request.remoteURL, request.source.rawValue, request.priority, request.maxAttempts, now,
                                request.baseline?.hex, request.pullRequest, request.untrusted, Self.experimentsColumn(request.experiments)])
                if db.changesCount == 1 {
                    queued = true
                    continue
                }
                guard request.rerun else { continue }
                try db.execute(
                    sql: """
                        UPDATE job SET state = 'queued', attempts = 0, lease_owner = NULL, lease_expires_at = NULL,
                            started_at = NULL, finished_at = NULL, message = NULL, enqueued_at = ?,
                            priority = max(priority, ?), baseline_sha = COALESCE(?, baseline_sha),
                            pull_request = COALESCE(?, pull_request), untrusted = max(untrusted, ?), experiments = ?
                        WHERE repository_id = ? AND sha = ? AND suite = ? AND machine = ?
                          AND state IN ('done', 'failed', 'cancelled')
                        """,
                    arguments: [now, request.priority, request.baseline?.hex, request.pullRequest, request.untrusted,
                                Self.experimentsColumn(request.experiments), repositoryID, commit.id.hex, request.suite, machine])
                if db.changesCount == 1 { requeued = true }
            }
            if queued {
                outcome.queued.append(commit.id)
            } else if requeued {
                outcome.requeued.append(commit.id)
            } else {
                outcome.alreadyKnown.append(commit.id)
            }
        }
        if let branch = request.branch, let tip = request.newBranchTip {
            try db.execute(
                sql: """
                    INSERT INTO branch_tip (repository_id, branch, sha, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (repository_id, branch) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at
                    """,
                arguments: [repositoryID, branch, tip.hex, now])
        }
        return outcome
    }

    public func branchTip(repository: String, branch: String) async throws(StoreError) -> ObjectID? {
        try await read { db in
            let hex = try String.fetchOne(db, sql: """
                SELECT branch_tip.sha FROM branch_tip JOIN repository ON repository.id = branch_tip.repository_id
                WHERE repository.name = ? AND branch_tip.branch = ?
                """, arguments: [repository, branch])
            return hex.flatMap(ObjectID.init(hex:))
        }
    }

    public func jobs(in states: Set<JobState>?, limit: Int?) async throws(StoreError) -> [Job] {
        try await read { db in
            var sql = Self.jobSelect
            var arguments: StatementArguments = []
            if let states {
                sql += " WHERE job.state IN (\(databaseQuestionMarks(count: states.count)))"
                arguments += StatementArguments(states.map(\.rawValue).sorted())
            }
            sql += " ORDER BY job.id DESC"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.job(from:)).reversed()
        }
    }

    public func offBranchJobs(repository: String, machine: String, trackedBranch: String, limit: Int) async throws(StoreError) -> [Job] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.jobSelect + """
                 WHERE job.state = 'done' AND repository.name = ? AND job.machine = ?
                   AND (job.baseline_sha IS NOT NULL OR job.pull_request IS NOT NULL OR job.remote_url IS NOT NULL OR job.branch != ?)
                   AND job.id NOT IN (SELECT confirmation_job_id FROM suspect WHERE confirmation_job_id IS NOT NULL)
                 ORDER BY job.id DESC LIMIT ?
                """, arguments: [repository, machine, trackedBranch, limit]).map(Self.job(from:)).reversed()
        }
    }

    public func countJobs() async throws(StoreError) -> [JobState: Int] {
        try await read { db in
            var counts: [JobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM job GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func leaseNextJob(machine: String, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Job? {
        let now = now.storeValue
        let expiry = now + leaseDuration.seconds
        return try await write { db in
            try Self.reclaimExpiredLeases(db, now: now)
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM job WHERE machine = ? AND state = 'queued' ORDER BY priority DESC, id LIMIT 1
                """, arguments: [machine])
            else { return nil }
            try db.execute(sql: """
                UPDATE job SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                    started_at = ?, message = NULL
                WHERE id = ?
                """, arguments: [worker, expiry, now, id])
            return try Self.job(db, id: id)
        }
    }

    public func renewLease(jobID: Int64, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Bool {
        let expiry = now.storeValue + leaseDuration.seconds
        return try await write { db in
            try db.execute(sql: """
                UPDATE job SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [expiry, jobID, worker])
            return db.changesCount == 1
        }
    }

    public func expireLease(jobID: Int64, owner: String, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE job SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [now.storeValue - 1, jobID, owner])
            return db.changesCount == 1
        }
    }

    public func failJob(jobID: Int64, worker: String, message: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError) {
        let path = self.path
        try await write { db in
            try db.execute(sql: """
                UPDATE job SET state = 'failed', message = ?, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [message, now.storeValue, jobID, worker])
            if db.changesCount != 1 { throw StoreError.leaseLost(path, jobID: jobID) }
            try Self.insertNotifications(db, notifications, runID: nil, now: now)
        }
    }

    public func returnJob(jobID: Int64, worker: String, reason: String, now: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE job SET
                    state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN ? ELSE NULL END,
                    message = CASE WHEN attempts >= max_attempts THEN ? || ' (' || attempts || ' attempt(s); giving up)'
                                   ELSE 'requeued: ' || ? END,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ? AND state = 'running' AND lease_owner = ?
                """, arguments: [now.storeValue, reason, reason, jobID, worker])
            return db.changesCount == 1
        }
    }

    public func cancelQueuedJobs(repository: String, branch: String, now: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE job SET state = 'cancelled', finished_at = ?, message = ?
                WHERE state = 'queued' AND branch = ?
                  AND repository_id = (SELECT id FROM repository WHERE name = ?)
                """, arguments: [now.storeValue, "branch \(branch) was deleted", branch, repository])
            let cancelled = db.changesCount
            try db.execute(sql: """
                DELETE FROM branch_tip WHERE branch = ? AND repository_id = (SELECT id FROM repository WHERE name = ?)
                """, arguments: [branch, repository])
            return cancelled
        }
    }

    // MARK: - Rows

    static func upsertRepository(_ db: Database, name: String, url: String, now: Double) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO repository (name, url, created_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET url = excluded.url WHERE url != excluded.url
            """, arguments: [name, SecretRedactor.maskingURLPasswords(in: url), now])
        return try Int64.fetchOne(db, sql: "SELECT id FROM repository WHERE name = ?", arguments: [name])!
    }

    static func insertCommit(_ db: Database, repositoryID: Int64, _ commit: CommitMetadata) throws {
        try db.execute(sql: """
            INSERT INTO commit_info (repository_id, sha, parents, author_name, author_email, author_time, subject)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """, arguments: [repositoryID, commit.id.hex, commit.parents.map(\.hex).joined(separator: " "),
                             commit.authorName, commit.authorEmail, commit.authorTime.storeValue, commit.subject])
    }

    /// Returns jobs whose worker stopped renewing its lease to the queue, or fails them for good
    /// once every attempt is used, so a job that crashes its worker cannot loop forever.
    private static func reclaimExpiredLeases(_ db: Database, now: Double) throws {
        try db.execute(sql: """
            UPDATE job SET state = 'failed', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                message = 'its worker stopped renewing the lease ' || attempts || ' time(s) (it died, hung, or could not write the store); giving up'
            WHERE state = 'running' AND lease_expires_at < ? AND attempts >= max_attempts
            """, arguments: [now, now])
        try db.execute(sql: """
            UPDATE job SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
                message = 'requeued: the lease of ' || lease_owner || ' expired'
            WHERE state = 'running' AND lease_expires_at < ?
            """, arguments: [now])
    }

    static let jobSelect = """
        SELECT job.*, repository.name AS repository_name, commit_info.subject AS subject
        FROM job
        JOIN repository ON repository.id = job.repository_id
        LEFT JOIN commit_info ON commit_info.repository_id = job.repository_id AND commit_info.sha = job.sha
        """

    static func job(_ db: Database, id: Int64) throws -> Job? {
        try Row.fetchOne(db, sql: jobSelect + " WHERE job.id = ?", arguments: [id]).map(job(from:))
    }

    static func job(from row: Row) -> Job {
        Job(
            id: row["id"],
            repository: row["repository_name"],
            commit: ObjectID(hex: row["sha"]) ?? .zero,
            // Stores written before subjects were made inert at intake may still hold escapes.
            subject: (row["subject"] as String?).map(PlainText.singleLine),
            suite: row["suite"],
            machine: row["machine"],
            branch: row["branch"],
            remoteURL: row["remote_url"],
            source: JobSource(rawValue: row["source"]) ?? .manual,
            state: JobState(rawValue: row["state"]) ?? .failed,
            priority: row["priority"],
            attempts: row["attempts"],
            maxAttempts: row["max_attempts"],
            leaseOwner: row["lease_owner"],
            leaseExpiresAt: (row["lease_expires_at"] as Double?).map(Date.init(storeValue:)),
            enqueuedAt: Date(storeValue: row["enqueued_at"]),
            startedAt: (row["started_at"] as Double?).map(Date.init(storeValue:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(storeValue:)),
            message: row["message"],
            baseline: (row["baseline_sha"] as String?).flatMap(ObjectID.init(hex:)),
            pullRequest: row["pull_request"],
            untrusted: row["untrusted"],
            experiments: (row["experiments"] as String?).map { $0.split(separator: "\n").map(String.init) }
        )
    }

    /// A job's chosen experiments, one per line: their names come from the config, which has no line breaks in names.
    static func experimentsColumn(_ experiments: [String]?) -> String? {
        experiments.map { $0.joined(separator: "\n") }
    }
}
