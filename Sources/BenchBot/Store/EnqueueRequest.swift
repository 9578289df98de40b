/// Commits to queue, and the context they came in with.
public struct EnqueueRequest: Sendable, Hashable {
    public var repository: String
    public var repositoryURL: String
    /// Oldest first; jobs are queued in this order.
    public var commits: [CommitMetadata]
    public var suite: String
    public var machine: String
    public var branch: String?
    public var remoteURL: String?
    public var source: JobSource
    public var priority: Int
    /// How many times a job may be leased before a dying worker fails it for good.
    public var maxAttempts: Int
    /// Queue finished (done, failed, cancelled) jobs for these commits again.
    public var rerun: Bool
    /// The branch tip to remember, so the next poll starts after it.
    public var newBranchTip: ObjectID?
    /// Queue paired A/B jobs: each commit measured alternately with this baseline.
    public var baseline: ObjectID? = nil
    /// The pull request the commits belong to.
    public var pullRequest: Int? = nil
    /// The commits are code nobody trusted pushed; see ``Job/untrusted``.
    public var untrusted: Bool = false
    /// Run only these experiments; all when `nil`. A rerun replaces the choice.
    public var experiments: [String]? = nil
    /// More machine classes that measure the same commits: each gets a job per commit too, in
    /// the same transaction, so that no class misses a commit another has.
    public var alsoMachines: [String] = []

    /// ``machine`` and then ``alsoMachines``, each once.
    public var machines: [String] {
        var seen: Set<String> = []
        return ([machine] + alsoMachines).filter { seen.insert($0).inserted }
    }

    public init(
        repository: String,
        repositoryURL: String,
        commits: [CommitMetadata],
        suite: String,
        machine: String,
        branch: String? = nil,
        remoteURL: String? = nil,
        source: JobSource,
        priority: Int = 0,
        maxAttempts: Int = 3,
        rerun: Bool = false,
        newBranchTip: ObjectID? = nil
    ) {
        self.repository = repository
        self.repositoryURL = repositoryURL
        self.commits = commits
        self.suite = suite
        self.machine = machine
        self.branch = branch
        self.remoteURL = remoteURL
        self.source = source
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.rerun = rerun
        self.newBranchTip = newBranchTip
    }
}

/// What an enqueue did with each commit. A commit queued on several machine classes counts as
/// queued when any class got a new job for it, requeued when none did but one was queued again,
/// and already known when every class had its job.
public struct EnqueueOutcome: Sendable, Hashable {
    /// Commits that got a new job.
    public var queued: [ObjectID] = []
    /// Commits whose finished job was queued again (``EnqueueRequest/rerun``).
    public var requeued: [ObjectID] = []
    /// Commits that already had a job; nothing changed for them.
    public var alreadyKnown: [ObjectID] = []

    public init() {}
}
