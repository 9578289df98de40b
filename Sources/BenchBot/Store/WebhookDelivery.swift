public import Foundation
public import Notify

/// One webhook delivery GitHub sent, kept from the moment it was accepted until it is applied.
public struct WebhookDelivery: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Accepted and answered; not applied yet.
        case received
        /// Applied: its jobs and messages are queued, or it asked for nothing.
        case processed
        /// Could not be applied after every attempt; ``outcome`` says why.
        case failed
    }

    /// GitHub's `X-GitHub-Delivery` id: the same for a redelivery.
    public var id: String
    /// `X-GitHub-Event`, such as `push` or `pull_request`.
    public var event: String
    /// The payload's `action`, when it has one.
    public var action: String?
    /// The payload, exactly as it was signed.
    public var body: Data
    public var receivedAt: Date
    public var state: State = .received
    public var attempts: Int = 0
    /// What applying it did, or why it failed, for `status` and the API.
    public var outcome: String?

    public init(id: String, event: String, action: String?, body: Data, receivedAt: Date) {
        self.id = id
        self.event = event
        self.action = action
        self.body = body
        self.receivedAt = receivedAt
    }

    /// `pull_request.opened`, or `push`.
    public var label: String { action.map { "\(event).\($0)" } ?? event }
}

/// Everything applying one delivery changes, stored in one transaction with the delivery's new state.
public struct DeliveryEffects: Sendable, Hashable {
    /// Commits to queue.
    public var enqueues: [EnqueueRequest] = []
    /// A pull request whose queued jobs are cancelled, with the reason.
    public var cancelPullRequest: PullRequestCancellation?
    /// Messages to queue: statuses, comments, reactions, replies.
    public var notifications: [OutgoingMessage] = []
    /// Bisections a maintainer asked for, followed after each measured commit.
    public var bisections: [BisectionRequest] = []
    /// Applied at most once under this key, whatever delivery brings it: a comment's command
    /// arrives again under another delivery id from a second hook, or from a replay.
    public var onceKey: String?
    /// One line for people: what the delivery did.
    public var outcome: String

    public init(outcome: String) {
        self.outcome = outcome
    }

    /// Whether applying these changes nothing but the delivery's own record: an ignored event.
    public var isInert: Bool {
        enqueues.isEmpty && cancelPullRequest == nil && notifications.isEmpty && bisections.isEmpty && onceKey == nil
    }
}

/// A pull request whose queued jobs are cancelled, and why.
public struct PullRequestCancellation: Sendable, Hashable {
    /// The repository the jobs were queued for: pull request numbers are per repository, and a
    /// store may hold several.
    public var repository: String
    public var number: Int
    public var reason: String

    public init(_ number: Int, of repository: String, reason: String) {
        self.repository = repository
        self.number = number
        self.reason = reason
    }
}

/// What storing a delivery's effects did.
public struct AppliedDelivery: Sendable, Hashable {
    /// One per ``DeliveryEffects/enqueues``, in order.
    public var enqueued: [EnqueueOutcome] = []
    public var cancelled = 0
    /// `false` when the delivery was already applied by someone else; nothing was changed.
    public var applied = true
    /// The effects' ``DeliveryEffects/onceKey`` was applied before: nothing of them was applied now.
    public var alreadyApplied = false

    public init() {}
}

/// A response kept for a conditional request (`If-None-Match`), such as a page of open pull requests.
public struct HTTPCacheEntry: Sendable, Hashable {
    public var etag: String
    public var body: Data

    public init(etag: String, body: Data) {
        self.etag = etag
        self.body = body
    }
}

/// A maintainer's `/benchbot bisect BENCHMARK GOOD BAD`, followed until its answer is posted.
public struct BisectionRequest: Sendable, Hashable {
    public var id: Int64 = 0
    public var pullRequest: Int
    /// The command's comment: one bisection per command, whatever redeliveries say.
    public var commentID: Int
    public var benchmark: String
    public var good: ObjectID
    public var bad: ObjectID

    public init(pullRequest: Int, commentID: Int, benchmark: String, good: ObjectID, bad: ObjectID) {
        self.pullRequest = pullRequest
        self.commentID = commentID
        self.benchmark = benchmark
        self.good = good
        self.bad = bad
    }
}
