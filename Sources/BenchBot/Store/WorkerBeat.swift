public import Foundation

/// A worker's last sign of life, as the store keeps it for `benchbot status`.
///
/// Every worker sharing a store beats: when it starts, while it waits for jobs, while it measures
/// (with its lease renewals) and when it stops. Which job it holds is read from the jobs' leases,
/// so that the beat never has to be written in the same transaction as a lease.
public struct WorkerBeat: Sendable, Hashable {
    /// What the worker was doing at its last beat.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Waiting for jobs, or measuring one (its lease tells which).
        case working
        /// It stopped on its own: the queue was drained, or it was told to stop.
        case stopped
    }

    /// The lease owner's name: `host/pid@start-time`.
    public var identity: String
    /// The machine's name (`benchbot.machine.name`).
    public var name: String
    /// The machine class it measures for.
    public var machine: String
    public var repository: String
    /// The worker's first beat: a later beat's value is not stored.
    public var startedAt: Date
    public var heartbeatAt: Date
    public var state: State

    public init(identity: String, name: String, machine: String, repository: String, startedAt: Date, heartbeatAt: Date, state: State) {
        self.identity = identity
        self.name = name
        self.machine = machine
        self.repository = repository
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.state = state
    }

    /// Rows of workers silent this long are removed when another worker beats: a machine retired
    /// or renamed drops out of `status` after a week.
    public static let forgottenAfter: TimeInterval = 7 * 24 * 3600
}
