/// What an operator asked to queue, by `benchbot enqueue` or `POST /api/v1/enqueue`: one commit,
/// a branch's tip, or a range, and how.
public struct EnqueueOrder: Sendable, Hashable {
    /// What to queue.
    public enum Target: Sendable, Hashable {
        /// A full or abbreviated hash, or a revision.
        case commit(String)
        /// A branch whose tip to queue.
        case branch(String)
        /// `OLD..NEW`.
        case range(String)
    }

    /// Priorities an operator may give. Bisection and baselines queue at priority + 1 and above:
    /// room is kept for them.
    public static let priorities = -1_000_000...1_000_000

    public var target: Target
    /// With a branch: the fork's URL to fetch it from.
    public var remote: String?
    /// With a range: follow first parents only; the config's `first_parent` when `nil`.
    public var firstParent: Bool?
    public var priority = 0
    public var rerun = false
    /// Paired A/B: with a commit, against its parent; with a branch, against its merge base.
    public var paired = false
    /// With a commit: a paired A/B job against this revision instead of the parent.
    public var pairedWith: String?
    /// With a commit or a branch: the pull request it belongs to. With a branch, it implies ``paired``.
    public var pullRequest: Int?

    public init(_ target: Target) {
        self.target = target
    }

    /// Queues it, as `benchbot enqueue` does.
    ///
    /// - Throws: ``IntakeError`` and the store's and git's errors.
    public func run(on intake: Intake) async throws -> IntakeOutcome {
        switch target {
        case .commit(let commit):
            try await intake.enqueue(commit: commit, priority: priority, rerun: rerun, paired: paired, pairedWith: pairedWith,
                                     pullRequest: pullRequest)
        case .branch(let branch):
            try await intake.enqueue(branch: branch, remoteURL: remote, priority: priority, rerun: rerun,
                                     paired: paired || pullRequest != nil, pullRequest: pullRequest)
        case .range(let range):
            try await intake.enqueue(range: range, firstParent: firstParent, priority: priority, rerun: rerun)
        }
    }
}
