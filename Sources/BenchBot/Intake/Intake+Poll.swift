import Foundation

/// What a poll did.
public enum PollResult: Sendable, Hashable {
    /// Another poll holds the lock; this one did nothing.
    case alreadyRunning
    /// One outcome per tracked branch.
    case polled([IntakeOutcome])
}

extension Intake {
    /// Fetches the tracked branches and queues the commits that are new since the last poll.
    ///
    /// The first poll of a branch queues only its tip, or its last `backfill` first-parent
    /// commits. A poll overlapping another (a slow fetch under cron) returns
    /// ``PollResult/alreadyRunning`` at once.
    ///
    /// - Parameter backfill: Also queue the branch's last `backfill` first-parent commits.
    /// - Throws: ``IntakeError`` (an unreachable remote, a missing branch), ``GitError`` or ``StoreError``.
    public func poll(backfill: Int? = nil) async throws -> PollResult {
        let lock: FileLock?
        do {
            lock = try FileLock.acquireIfFree(at: home.lockPath("poll-\(settings.repository.name)"))
        } catch {
            throw IntakeError.io(error.path, detail: error.reason)
        }
        guard let lock else {
            logger.info("another poll of \(settings.repository.name) holds its lock; this one stops here")
            return .alreadyRunning
        }
        defer { withExtendedLifetime(lock) {} }

        let branches = settings.repository.branches
        let tips = try git { () throws(GitError) in try mirror.fetch(branches: branches) }
        let repository = try git { () throws(GitError) in try mirror.open() }
        var outcomes: [IntakeOutcome] = []
        for branch in branches {
            guard let tip = tips[branch] else { continue }
            let previous = try await store.branchTip(repository: settings.repository.name, branch: branch)
            let (commits, note) = try newCommits(on: repository, tip: tip, previous: previous, backfill: backfill)
            var outcome = try await enqueue(commits, from: repository, branch: branch, source: .poll, newBranchTip: tip)
            outcome.note = note
            outcomes.append(outcome)
        }
        return .polled(outcomes)
    }

    private func newCommits(
        on repository: GitRepository, tip: ObjectID, previous: ObjectID?, backfill: Int?
    ) throws(GitError) -> ([ObjectID], String?) {
        let window = try repository.commits(from: tip, firstParent: true, limit: max(backfill ?? 1, 1))
        guard let previous else {
            return (window, backfill == nil ? "first poll, queued the tip only (use --backfill N for more)" : nil)
        }
        if previous == tip { return (backfill == nil ? [] : window, nil) }
        guard repository.contains(previous) else {
            logger.warning("previous tip \(previous.hex) left the remote's history; queuing the tip \(tip.hex) only")
            return ([tip], "previous tip \(previous.short) is gone from the remote's history, queued the tip only")
        }
        let new = try repository.commits(from: tip, excluding: [previous], firstParent: settings.intake.firstParent)
        guard backfill != nil else { return (new, nil) }
        // New commits outside the backfill window are older than it, so they go first.
        let inWindow = Set(window)
        return (new.filter { !inWindow.contains($0) } + window, nil)
    }
}
