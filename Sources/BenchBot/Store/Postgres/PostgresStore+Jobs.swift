public import Foundation
import Logging
import PostgresNIO

/// The job queue on PostgreSQL: the same rows and rules as ``SQLiteStore``'s, with leasing that
/// many workers on many machines share. A worker takes the next job with `FOR UPDATE SKIP
/// LOCKED`, so two workers never wait for, or take, the same row.
extension PostgresStore: JobQueue {
    public func enqueue(_ request: EnqueueRequest) async throws(StoreError) -> EnqueueOutcome {
        let now = Date().storeValue
        return try await transaction { connection, logger in
            // In turns with the appliers of deliveries, which queue the same jobs: two transactions
            // inserting shared keys in different orders would end one of them as a deadlock.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.applyLock))", logger: logger)
            return try await Self.enqueue(connection, logger, request, now: now)
        }
    }

    /// Queues a request's commits inside the caller's transaction, as ``SQLiteStore``'s does:
    /// applying a delivery queues its jobs in the transaction that marks it applied.
    static func enqueue(_ connection: PostgresConnection, _ logger: Logger, _ request: EnqueueRequest, now: Double) async throws -> EnqueueOutcome {
        let repositoryID = try await Self.upsertRepository(connection, logger, name: request.repository, url: request.repositoryURL, now: now)
        var outcome = EnqueueOutcome()
        let untrusted = request.untrusted ? 1 : 0
        let experiments = SQLiteStore.experimentsColumn(request.experiments)
        for commit in request.commits {
            try await connection.query("""
                INSERT INTO commit_info (repository_id, sha, parents, author_name, author_email, author_time, subject)
                VALUES (\(repositoryID), \(commit.id.hex), \(commit.parents.map(\.hex).joined(separator: " ")), \(commit.authorName),
                        \(commit.authorEmail), \(commit.authorTime.storeValue), \(commit.subject)) ON CONFLICT DO NOTHING
                """, logger: logger)
            var queued = false, requeued = false
            for machine in request.machines {
                let inserted = try await Self.ids(connection.query("""
                    INSERT INTO job (repository_id, sha, suite, machine, branch, remote_url, source, state, priority, max_attempts,
                                     enqueued_at, baseline_sha, pull_request, untrusted, experiments)
                    VALUES (\(repositoryID), \(commit.id.hex), \(request.suite), \(machine), \(request.branch), \(request.remoteURL),
                            \(request.source.rawValue), 'queued', \(request.priority), \(request.maxAttempts), \(now), \(request.baseline?.hex),
                            \(request.pullRequest), \(untrusted), \(experiments))
                    ON CONFLICT (repository_id, sha, suite, machine) DO NOTHING RETURNING id
                    """, logger: logger))
                if !inserted.isEmpty {
                    queued = true
                    continue
                }
                guard request.rerun else { continue }
                let again = try await Self.ids(connection.query("""
                    UPDATE job SET state = 'queued', attempts = 0, lease_owner = NULL, lease_expires_at = NULL, started_at = NULL,
                        finished_at = NULL, message = NULL, enqueued_at = \(now), priority = GREATEST(priority, \(request.priority)),
                        baseline_sha = COALESCE(\(request.baseline?.hex), baseline_sha), pull_request = COALESCE(\(request.pullRequest), pull_request),
                        untrusted = GREATEST(untrusted, \(untrusted)), experiments = \(experiments)
                    WHERE repository_id = \(repositoryID) AND sha = \(commit.id.hex) AND suite = \(request.suite) AND machine = \(machine)
                      AND state IN ('done', 'failed', 'cancelled')
                    RETURNING id
                    """, logger: logger))
                if !again.isEmpty { requeued = true }
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
            try await connection.query("""
                INSERT INTO branch_tip (repository_id, branch, sha, updated_at) VALUES (\(repositoryID), \(branch), \(tip.hex), \(now))
                ON CONFLICT (repository_id, branch) DO UPDATE SET sha = excluded.sha, updated_at = excluded.updated_at
                """, logger: logger)
        }
        return outcome
    }

    public func branchTip(repository: String, branch: String) async throws(StoreError) -> ObjectID? {
        try await transaction { connection, logger in
            let rows = try await connection.query("""
                SELECT branch_tip.sha FROM branch_tip JOIN repository ON repository.id = branch_tip.repository_id
                WHERE repository.name = \(repository) AND branch_tip.branch = \(branch)
                """, logger: logger)
            var tip: ObjectID?
            for try await hex in rows.decode(String.self) { tip = ObjectID(hex: hex) }
            return tip
        }
    }

    public func jobs(in states: Set<JobState>?, limit: Int?) async throws(StoreError) -> [Job] {
        let states = (states ?? Set(JobState.allCases)).map(\.rawValue).sorted()
        return try await transaction { connection, logger in
            try await Self.jobs(connection.query(PostgresQuery(unsafeSQL: Self.jobSelect + """
                 WHERE job.state = ANY($1) ORDER BY job.id DESC LIMIT $2
                """, binds: try Self.binds(states, limit ?? Int.max)), logger: logger)).reversed()
        }
    }

    public func countJobs() async throws(StoreError) -> [JobState: Int] {
        try await transaction { connection, logger in
            var counts: [JobState: Int] = [:]
            for try await (state, count) in try await connection.query("SELECT state, count(*) FROM job GROUP BY state", logger: logger)
                .decode((String, Int).self) {
                if let state = JobState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func leaseNextJob(machine: String, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Job? {
        let now = now.storeValue
        let expiry = now + leaseDuration.seconds
        // One statement, so one round trip and no transaction around it: every worker of every
        // machine leases this way, between every two jobs. The job taken is the first queued one,
        // or one whose lease ran out with attempts left, which would be queued again first; every
        // other lease that ran out goes back to the queue (or fails) in the same statement. A row
        // another worker is taking is skipped, not waited for.
        return try await statement { connection, logger in
            try await Self.jobs(connection.query("""
                WITH queued AS (
                    SELECT id, priority FROM job WHERE machine = \(machine) AND state = 'queued'
                    ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
                ), expired AS (
                    SELECT id, priority FROM job WHERE state = 'running' AND lease_expires_at < \(now) AND machine = \(machine)
                      AND attempts < max_attempts
                    ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED
                ), candidate AS (
                    -- Each look goes down its own partial index, skipping rows other workers hold;
                    -- the better of the two is taken, as a queue that had returned the run-out
                    -- lease first would have ordered them.
                    SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) AS pick ORDER BY priority DESC, id LIMIT 1
                ), reclaimed AS (
                    UPDATE job SET
                        state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                        finished_at = CASE WHEN attempts >= max_attempts THEN \(now) ELSE finished_at END,
                        message = CASE WHEN attempts >= max_attempts
                            THEN 'its worker stopped renewing the lease ' || attempts || ' time(s) (it died, hung, or could not write the store); giving up'
                            ELSE 'requeued: the lease of ' || lease_owner || ' expired' END,
                        lease_owner = NULL, lease_expires_at = NULL
                    WHERE state = 'running' AND lease_expires_at < \(now) AND id NOT IN (SELECT id FROM candidate)
                    RETURNING job.id
                ), leased AS (
                    UPDATE job SET state = 'running', attempts = attempts + 1, lease_owner = \(worker), lease_expires_at = \(expiry),
                        started_at = \(now), message = NULL
                    WHERE id IN (SELECT id FROM candidate)
                    RETURNING job.*
                )
                SELECT job.*, repository.name AS repository_name, commit_info.subject AS subject
                FROM leased AS job
                JOIN repository ON repository.id = job.repository_id
                LEFT JOIN commit_info ON commit_info.repository_id = job.repository_id AND commit_info.sha = job.sha
                """, logger: logger)).first
        }
    }

    public func renewLease(jobID: Int64, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Bool {
        let expiry = now.storeValue + leaseDuration.seconds
        return try await transaction { connection, logger in
            try await !Self.ids(connection.query("""
                UPDATE job SET lease_expires_at = \(expiry) WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(worker) RETURNING id
                """, logger: logger)).isEmpty
        }
    }

    public func expireLease(jobID: Int64, owner: String, now: Date) async throws(StoreError) -> Bool {
        let past = now.storeValue - 1
        return try await transaction { connection, logger in
            try await !Self.ids(connection.query("""
                UPDATE job SET lease_expires_at = \(past) WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(owner) RETURNING id
                """, logger: logger)).isEmpty
        }
    }

    public func returnJob(jobID: Int64, worker: String, reason: String, now: Date) async throws(StoreError) -> Bool {
        let finished = now.storeValue
        return try await transaction { connection, logger in
            try await !Self.ids(connection.query("""
                UPDATE job SET
                    state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(finished) ELSE NULL END,
                    message = CASE WHEN attempts >= max_attempts THEN \(reason) || ' (' || attempts || ' attempt(s); giving up)'
                                   ELSE 'requeued: ' || \(reason) END,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(jobID) AND state = 'running' AND lease_owner = \(worker)
                RETURNING id
                """, logger: logger)).isEmpty
        }
    }

    public func cancelQueuedJobs(repository: String, branch: String, now: Date) async throws(StoreError) -> Int {
        let finished = now.storeValue, message = "branch \(branch) was deleted"
        return try await transaction { connection, logger in
            let cancelled = try await Self.ids(connection.query("""
                UPDATE job SET state = 'cancelled', finished_at = \(finished), message = \(message)
                WHERE state = 'queued' AND branch = \(branch) AND repository_id = (SELECT id FROM repository WHERE name = \(repository))
                RETURNING id
                """, logger: logger))
            try await connection.query("""
                DELETE FROM branch_tip WHERE branch = \(branch) AND repository_id = (SELECT id FROM repository WHERE name = \(repository))
                """, logger: logger)
            return cancelled.count
        }
    }
}
