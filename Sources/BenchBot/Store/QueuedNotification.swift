public import Foundation
public import Notify

/// A notification in the outbox, with how its delivery stands.
public struct QueuedNotification: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Waiting for its next attempt.
        case pending
        /// Leased by a sender that is sending it now.
        case sending
        /// The server took it.
        case delivered
        /// No credentials: the request body was written to `results/outbox/` instead.
        case written
        /// Given up: refused, or still failing at the deadline.
        case failed
        /// Its sender died while sending it to a destination where a second send would be a second
        /// message, and there is no asking whether the first arrived; `notify --retry` sends it again.
        case uncertain
        /// A newer message on the same topic replaced it before it was sent.
        case superseded
    }

    public let id: Int64
    public let message: OutgoingMessage
    public let state: State
    public let attempts: Int
    public let queuedAt: Date
    public let nextAttemptAt: Date
    /// Why the last attempt did not deliver it, or where it was written.
    public let lastError: String?
    /// A sender died while sending it: before sending it again, ask the destination whether it arrived.
    public let interrupted: Bool
    /// What the destination answered it with: a Slack message's `ts`, a GitHub object's ID.
    public let receipt: String?
    /// The receipt of the message it answers in a thread, once that one is delivered.
    public let parentReceipt: String?
    /// While it is being sent, when its sender's lease ends unless renewed.
    public var leaseExpiresAt: Date? = nil
}

/// How one attempt at a notification ended, for the store.
public enum NotificationSettlement: Sendable, Hashable {
    case delivered(receipt: String?)
    case written(path: String)
    case retry(at: Date, reason: String)
    case failed(reason: String)
    /// Whether it arrived cannot be told: left for a person, as a dead sender's webhook post is.
    case uncertain(reason: String)

    /// The row's new state, next attempt, `last_error` and receipt, as every store writes them.
    var columns: (state: String, nextAttempt: Double?, message: String?, receipt: String?) {
        switch self {
        case .delivered(let receipt): ("delivered", nil, nil, receipt)
        case .written(let path): ("written", nil, path, nil)
        case .retry(let at, let reason): ("pending", at.storeValue, reason, nil)
        case .failed(let reason): ("failed", nil, reason, nil)
        case .uncertain(let reason): ("uncertain", nil, reason, nil)
        }
    }
}
