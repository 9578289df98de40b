import Foundation
import Notify

extension Intake {
    /// Queues one commit by hash or by any revision the mirror can resolve.
    ///
    /// - Parameters:
    ///   - revision: A full or abbreviated hash, or a revision such as `origin/main~3`.
    ///   - priority: Higher runs sooner.
    ///   - rerun: Queue it again even if it already ran.
    /// - Throws: ``IntakeError`` when the revision is unknown even after a fetch.
    ///   - paired: Measure it alternately with its first parent in one paired A/B job.
    ///   - pairedWith: Measure it alternately with this revision instead (itself, for an A/A check).
    ///   - pullRequest: The pull request it belongs to, whose comment reports it.
    public func enqueue(commit revision: String, priority: Int = 0, rerun: Bool = false, paired: Bool = false,
                        pairedWith other: String? = nil, pullRequest: Int? = nil) async throws -> IntakeOutcome {
        let (repository, commit) = try resolveFetchingOnce(revision)
        var parent = paired ? try git { () throws(GitError) in try repository.metadata(of: commit).parents.first } : nil
        if paired, parent == nil { throw IntakeError.io(commit.hex, detail: "is a root commit; a paired A/B job needs a parent to measure it against") }
        if let other { parent = try resolveFetchingOnce(other).1 }
        var outcome = try await enqueue([commit], from: repository, branch: nil, source: .manual, priority: priority, rerun: rerun,
                                        pairedWith: parent, pullRequest: pullRequest)
        outcome.label = "commit \(commit.short)" + (parent.map { " paired with \($0.short)" } ?? "") + (pullRequest.map { " for pull request #\($0)" } ?? "")
        return outcome
    }

    /// Fetches a branch, of the project or of a fork, and queues its tip.
    ///
    /// Code from a fork runs only because an operator asked for it here; no automatic path
    /// queues fork commits.
    ///
    /// - Parameters:
    ///   - branch: The branch name.
    ///   - remoteURL: A fork's URL; the project's own remote when `nil`.
    ///   - priority: Higher runs sooner.
    ///   - rerun: Queue it again even if it already ran.
    ///   - paired: Measure its tip alternately with its merge base in one paired A/B job, as pull
    ///     requests are by default.
    ///   - pullRequest: The pull request it is the head of, whose comment reports it.
    public func enqueue(branch: String, remoteURL: String?, priority: Int = 0, rerun: Bool = false, paired: Bool = false,
                        pullRequest: Int? = nil) async throws -> IntakeOutcome {
        let fork = remoteURL.flatMap { $0 == settings.repository.url ? nil : $0 }
        // A fork's URL is stored with its job and shown by `status` and the site; a secret in it
        // would be kept for good. Refused rather than stripped, since the fetch would then fail
        // for want of it, later and less clearly.
        if let fork, SecretRedactor.holdsURLCredentials(fork) {
            throw IntakeError.io("--remote \(SecretRedactor.maskingURLPasswords(in: fork))", detail: "holds a password or token, which "
                + "the store and logs would keep; remove it from the URL, and give the token in BENCHBOT_GIT_TOKEN or use an SSH URL with ssh-agent")
        }
        let tip: ObjectID = try git { () throws(GitError) in
            if let fork { return try mirror.fetch(branch: branch, fromFork: fork) }
            return try mirror.fetch(branches: [branch])[branch]!
        }
        let repository = try git { () throws(GitError) in try mirror.open() }
        // The tip is not recorded as the branch's poll position: commits between the last poll
        // and this tip would otherwise never be queued.
        // Its baseline is its merge base with the tracked branch; queued ahead of it, so the
        // comparison has both sides as soon as the branch's own run is done.
        if paired {
            let base = try mergeBase(of: tip)
            guard let base, base != tip else { throw IntakeError.io(tip.hex, detail: "has no merge base with the tracked branch to be paired with") }
            var outcome = try await enqueue([tip], from: try git { () throws(GitError) in try mirror.open() }, branch: branch, remoteURL: fork,
                                            source: .manual, priority: priority, rerun: rerun, pairedWith: base, pullRequest: pullRequest)
            outcome.label = "branch \(branch)\(fork.map { " of \(redacted($0))" } ?? "") paired with merge base \(base.short)"
                + (pullRequest.map { " for pull request #\($0)" } ?? "")
            return outcome
        }
        let queuedBaseline = fork != nil || !settings.repository.branches.contains(branch)
            ? try await enqueueMergeBase(of: tip, priority: priority + 1) : nil
        var outcome = try await enqueue([tip], from: repository, branch: branch, remoteURL: fork, source: .manual,
                                        priority: priority, rerun: rerun, pullRequest: pullRequest)
        if let fork { outcome.label = "branch \(branch) of \(redacted(fork))" }
        if let queuedBaseline { outcome.note = "its baseline, merge base \(queuedBaseline.short), queued first" }
        return outcome
    }

    /// Queues every commit in `OLD..NEW`, oldest first.
    ///
    /// - Parameters:
    ///   - range: `OLD..NEW`: the commits reachable from NEW and not from OLD.
    ///   - firstParent: Follow first parents only; the config's `first_parent` when `nil`.
    ///   - priority: Higher runs sooner.
    ///   - rerun: Queue them again even if they already ran.
    public func enqueue(range: String, firstParent: Bool? = nil, priority: Int = 0, rerun: Bool = false) async throws -> IntakeOutcome {
        let ends = range.components(separatedBy: "..")
        guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty, !ends[1].hasPrefix(".") else {
            throw IntakeError.malformedRange(range)
        }
        let (_, old) = try resolveFetchingOnce(ends[0])
        let (repository, new) = try resolveFetchingOnce(ends[1])
        let commits = try repository.commits(from: new, excluding: [old], firstParent: firstParent ?? settings.intake.firstParent)
        guard !commits.isEmpty else { throw IntakeError.emptyRange(range) }
        var outcome = try await enqueue(commits, from: repository, branch: nil, source: .manual, priority: priority, rerun: rerun)
        outcome.label = "range \(range)"
        return outcome
    }

    /// Queues the merge base of `commit` with the first tracked branch, unless it has a job already.
    ///
    /// - Returns: The merge base, when it was queued now.
    private func enqueueMergeBase(of commit: ObjectID, priority: Int) async throws -> ObjectID? {
        guard let base = try mergeBase(of: commit), base != commit else { return nil }
        let outcome = try await enqueue([base], from: try git { () throws(GitError) in try mirror.open() },
                                        branch: settings.repository.branches.first ?? "main", source: .manual, priority: priority)
        return outcome.enqueue.queued.isEmpty ? nil : base
    }

    /// The merge base of `commit` with the first tracked branch, fetching that branch if the mirror lacks it.
    private func mergeBase(of commit: ObjectID) throws -> ObjectID? {
        let tracked = settings.repository.branches.first ?? "main"
        var repository = try git { () throws(GitError) in try mirror.open() }
        if (try? repository.resolve("refs/remotes/origin/\(tracked)")) == nil {
            try refreshTrackedBranches()
            repository = try git { () throws(GitError) in try mirror.open() }
        }
        return try git { () throws(GitError) in try repository.mergeBase(commit, try repository.resolve("refs/remotes/origin/\(tracked)")) }
    }

    /// Fetches the tracked branches into the mirror, so that baselines are chosen against their
    /// current tips.
    ///
    /// - Throws: ``IntakeError`` when the remote cannot be reached.
    public func refreshTrackedBranches() throws {
        _ = try git { () throws(GitError) in try mirror.fetch(branches: settings.repository.branches) }
    }

    /// Resolves a hash or revision to a commit, as `enqueue --commit` does.
    ///
    /// - Parameter revision: A full or abbreviated hash, a branch, or a revision such as `main~3`.
    /// - Throws: ``IntakeError`` when the revision is unknown even after a fetch.
    public func resolveCommit(_ revision: String) throws -> ObjectID {
        try resolveFetchingOnce(revision).1
    }

    /// Resolves a revision in the mirror, fetching the tracked branches once if it is not there yet.
    func resolveFetchingOnce(_ revision: String) throws -> (GitRepository, ObjectID) {
        let repository = try git { () throws(GitError) in try mirror.open() }
        if let found = resolveWithoutFetching(revision, in: repository) { return (repository, found) }
        try git { () throws(GitError) in try mirror.fetch(branches: settings.repository.branches) }
        // Reopened so libgit2 sees the packs the fetch just wrote.
        let refreshed = try git { () throws(GitError) in try mirror.open() }
        if let found = resolveWithoutFetching(revision, in: refreshed) { return (refreshed, found) }
        throw IntakeError.unknownRevision(revision, repository: displayURL)
    }

    /// Resolves a revision in the mirror as last fetched, also as a tracking branch (`main` for
    /// `refs/remotes/origin/main`); for readers, such as the API, that must not reach the network.
    func resolveWithoutFetching(_ revision: String, in repository: GitRepository) -> ObjectID? {
        for candidate in [revision, "refs/remotes/origin/\(revision)"] {
            if let id = try? repository.resolve(candidate) { return id }
        }
        return nil
    }

    private func redacted(_ url: String) -> String {
        SecretRedactor.redactURLCredentials(in: url)
    }
}
