public import Foundation

/// Where a job is in its life.
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    case queued
    case running
    case done
    case failed
    case cancelled
}

/// How BenchBot learned of the commit.
public enum JobSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The post-receive hook of the server's repository.
    case hook
    /// A `benchbot poll`, usually from cron or a systemd timer.
    case poll
    /// An operator's `benchbot enqueue`.
    case manual
    /// Results measured elsewhere and stored with `benchbot import`.
    case `import`
    /// A GitHub webhook delivery, a maintainer's command, or `benchbot poll --pull-requests`.
    case github
}

/// One benchmark run to do: a commit, measured with a suite on a machine.
public struct Job: Sendable, Hashable, Codable {
    public let id: Int64
    public let repository: String
    public let commit: ObjectID
    public let subject: String?
    public let suite: String
    public let machine: String
    /// The branch the commit was pushed or polled on, when known.
    public let branch: String?
    /// A fork's URL when the commit comes from outside the project's repository.
    public let remoteURL: String?
    public let source: JobSource
    public let state: JobState
    public let priority: Int
    public let attempts: Int
    public let maxAttempts: Int
    public let leaseOwner: String?
    public let leaseExpiresAt: Date?
    public let enqueuedAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    /// Why the job failed or was cancelled.
    public let message: String?
    /// For a paired A/B job: the commit measured alternately with ``commit``, on the same machine.
    public var baseline: ObjectID? = nil
    /// The pull request it measures, whose comment and checks report it.
    public var pullRequest: Int? = nil
    /// Code nobody trusted pushed (a fork's pull request, run on a maintainer's command): it runs
    /// with no secret in its environment, in a checkout of its own, under `untrusted_wrapper`.
    public var untrusted: Bool = false
    /// Only these experiments run, as a maintainer's `/benchbot run NAME…` asked; all when `nil`.
    public var experiments: [String]? = nil
}
