import Foundation
import Synchronization

/// Named moments where a crash does the most harm, for the crash-consistency test:
/// `BENCHBOT_FAULT=<name>:<n>` kills the process with SIGKILL the `n`th time it reaches `<name>`.
/// Without the variable, reaching a point costs one comparison.
enum FaultPoint: String, CaseIterable, Sendable {
    /// A job is leased; nothing of it is measured yet.
    case jobLeased = "job-leased"
    /// A data file is written under its temporary name, not yet renamed into place.
    case dataWritten = "data-written"
    /// A job's end (its run or its failure) is stored; change detection and sending have not begun.
    case jobRecorded = "job-recorded"
    /// A run with a suspected change is stored and its confirmation job queued; the confirmation has not run.
    case suspectHeld = "suspect-held"
    /// A notification is claimed (`sending`); its request has not left.
    case notificationClaimed = "notification-claimed"
    /// A notification's request was answered; the answer is not recorded yet.
    case notificationAnswered = "notification-answered"

    private static let plan: (point: String, at: Int)? = {
        guard let text = ProcessInfo.processInfo.environment["BENCHBOT_FAULT"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let at = Int(parts[1]), at > 0 else { return nil }
        return (String(parts[0]), at)
    }()

    private static let crossings = Mutex(0)

    /// Marks that the process is at this point; dies here when the plan says so.
    func reach() {
        guard let plan = Self.plan, plan.point == rawValue else { return }
        if Self.crossings.withLock({ count in count += 1; return count }) == plan.at {
            kill(getpid(), SIGKILL)
        }
    }
}
