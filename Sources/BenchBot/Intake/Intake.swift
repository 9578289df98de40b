public import Foundation
public import Logging
import Notify

/// Where commits enter BenchBot: the post-receive hook, the poller and manual requests.
///
/// Every path ends in the same transactional ``Store/enqueue(_:)``, so a commit reported twice,
/// by a hook and a poll, or by two pushes at once, still gets exactly one job.
public struct Intake: Sendable {
    public let home: Home
    public let config: HomeConfig
    public let store: any Store
    public let mirror: Mirror
    public let logger: Logger

    /// - Parameters:
    ///   - home: The home directory.
    ///   - config: Its loaded config.
    ///   - store: The store jobs go to.
    ///   - environment: Where `BENCHBOT_GIT_TOKEN` is read from.
    ///   - logger: Where notable events go; messages are for operators, results are returned.
    public init(
        home: Home,
        config: HomeConfig,
        store: any Store,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "benchbot.intake")
    ) {
        self.home = home
        self.config = config
        self.store = store
        self.logger = logger
        let repository = config.benchbot.repository
        self.mirror = Mirror(
            path: home.mirrorPath(repository: repository.name),
            url: repository.url,
            fetchOptions: .fromEnvironment(environment, timeout: config.benchbot.intake.fetchTimeout))
    }

    var settings: BenchBotSettings { config.benchbot }
    var displayURL: String { SecretRedactor.redactURLCredentials(in: settings.repository.url) }

    /// Queues commits whose metadata is read from `repository`.
    func enqueue(
        _ commits: [ObjectID],
        from repository: GitRepository,
        branch: String?,
        remoteURL: String? = nil,
        source: JobSource,
        priority: Int = 0,
        rerun: Bool = false,
        newBranchTip: ObjectID? = nil,
        pairedWith baseline: ObjectID? = nil,
        pullRequest: Int? = nil
    ) async throws -> IntakeOutcome {
        let request = try request(commits, from: repository, branch: branch, remoteURL: remoteURL, source: source, priority: priority,
                                  rerun: rerun, newBranchTip: newBranchTip, pairedWith: baseline, pullRequest: pullRequest)
        let outcome = try await store.enqueue(request)
        return IntakeOutcome(label: branch.map { "branch \($0)" } ?? "commits", commits: commits, enqueue: outcome)
    }

    /// The request that queues `commits`, with their metadata read from `repository`.
    func request(
        _ commits: [ObjectID],
        from repository: GitRepository,
        branch: String?,
        remoteURL: String? = nil,
        source: JobSource,
        priority: Int = 0,
        rerun: Bool = false,
        newBranchTip: ObjectID? = nil,
        pairedWith baseline: ObjectID? = nil,
        pullRequest: Int? = nil
    ) throws(GitError) -> EnqueueRequest {
        let metadata = try commits.map { id throws(GitError) in try repository.metadata(of: id) }
        var request = EnqueueRequest(
            repository: settings.repository.name,
            repositoryURL: settings.repository.url,
            commits: metadata,
            suite: baseline == nil ? settings.suite : Self.pairedSuite(settings.suite),
            machine: settings.measuringClasses[0],
            branch: branch,
            remoteURL: remoteURL,
            source: source,
            priority: priority,
            maxAttempts: settings.intake.maxAttempts,
            rerun: rerun,
            newBranchTip: newBranchTip)
        request.baseline = baseline
        request.pullRequest = pullRequest
        request.alsoMachines = Array(settings.measuringClasses.dropFirst())
        return request
    }

    /// Paired A/B jobs are a suite of their own: their runs are not a commit's ordinary history.
    public static func pairedSuite(_ suite: String) -> String { suite + "/ab" }

    /// Runs a git operation and rewords fetch failures with the fix.
    @discardableResult
    func git<Result>(_ body: () throws(GitError) -> Result) throws(IntakeError) -> Result {
        do {
            return try body()
        } catch {
            if let url = error.operation.dropPrefix("fetch ") {
                if error.isNotFound { throw IntakeError.missingBranch(url, detail: error.message) }
                throw IntakeError.fetchFailed(url, detail: error.message)
            }
            throw IntakeError.io(error.operation, detail: error.message)
        }
    }
}

/// What intake did for one branch, push or request.
public struct IntakeOutcome: Sendable, Hashable {
    /// What was taken in, such as "branch main" or "tag v1.2".
    public var label: String
    /// The commits considered, oldest first.
    public var commits: [ObjectID]
    public var enqueue: EnqueueOutcome
    /// Why something was skipped or narrowed, for the operator.
    public var note: String?

    public init(label: String, commits: [ObjectID] = [], enqueue: EnqueueOutcome = EnqueueOutcome(), note: String? = nil) {
        self.label = label
        self.commits = commits
        self.enqueue = enqueue
        self.note = note
    }

    /// One line for people: `branch main: queued 3 (1a2b3c4d5e..9f8e7d6c5b), 0 already known`.
    public var summary: String {
        var parts: [String] = []
        if commits.isEmpty {
            parts.append(note == nil ? "nothing new" : "nothing queued")
        } else if !enqueue.queued.isEmpty || (enqueue.requeued.isEmpty && enqueue.alreadyKnown.isEmpty) {
            let span = enqueue.queued.first.map { first in
                enqueue.queued.count == 1 ? " (\(first.short))" : " (\(first.short)..\(enqueue.queued.last!.short))"
            } ?? ""
            parts.append("queued \(enqueue.queued.count)\(span)")
        }
        if !enqueue.requeued.isEmpty { parts.append("requeued \(enqueue.requeued.count)") }
        if !enqueue.alreadyKnown.isEmpty { parts.append("\(enqueue.alreadyKnown.count) already known") }
        if let note { parts.append(note) }
        return "\(label): " + parts.joined(separator: ", ")
    }
}
