public import Compare
public import Foundation

/// A suspected change on the tracked branch, held back until a paired A/B job of its commit
/// against the measured commit before it says whether it is real.
///
/// One suspect per commit, benchmark and kind: a run-to-run alert and a change point that agree
/// are the same suspect, confirmed and announced once.
public struct SuspectRecord: Sendable, Hashable {
    /// Where a suspect stands.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Waiting for its confirmation job: nobody is told yet.
        case held
        /// The paired verdict agreed: announced.
        case confirmed
        /// The paired verdict did not agree: recorded, shown greyed, never announced.
        case refuted
    }

    /// What raised the suspicion.
    public enum Origin: String, Sendable, Hashable {
        /// A run judged against its nearest measured ancestor.
        case run
        /// A change point found in the branch's history.
        case change
    }

    public var id: Int64?
    public var commit: ObjectID
    public var benchmark: String
    public var kind: ChangeKind
    public var origin: Origin
    /// The measured commit the suspect is confirmed against: the nearest measured first-parent ancestor.
    public var baseline: ObjectID
    /// The ordinary job whose run raised a run-to-run suspicion, whose report waits for the verdict.
    public var runJobID: Int64?
    public var state: State
    /// The paired A/B job that decides it.
    public var confirmationJobID: Int64?
    /// The change suspected, after ÷ before.
    public var ratio: Double?
    /// The change the paired job measured, when it ran.
    public var confirmedRatio: Double?
    public var createdAt: Date

    public init(id: Int64? = nil, commit: ObjectID, benchmark: String, kind: ChangeKind, origin: Origin, baseline: ObjectID,
                runJobID: Int64? = nil, state: State = .held, confirmationJobID: Int64? = nil, ratio: Double? = nil,
                confirmedRatio: Double? = nil, createdAt: Date) {
        self.id = id
        self.commit = commit
        self.benchmark = benchmark
        self.kind = kind
        self.origin = origin
        self.baseline = baseline
        self.runJobID = runJobID
        self.state = state
        self.confirmationJobID = confirmationJobID
        self.ratio = ratio
        self.confirmedRatio = confirmedRatio
        self.createdAt = createdAt
    }

    /// What identifies a suspect: its commit, benchmark and kind.
    public static func key(_ commit: ObjectID, _ benchmark: String, _ kind: ChangeKind) -> String {
        "\(commit.hex)|\(kind.rawValue)|\(benchmark)"
    }

    /// Each suspect's state by ``key(_:_:_:)``.
    public static func states(_ suspects: [SuspectRecord]) -> [String: State] {
        Dictionary(suspects.map { (key($0.commit, $0.benchmark, $0.kind), $0.state) }) { _, newer in newer }
    }

    /// `refuted regression of +69.5% in loop at 1a2b3c4d5e (run-to-run; paired A/B +0.3%)`.
    public var summary: String {
        let percent = { (ratio: Double) in String(format: "%+.1f%%", (ratio - 1) * 100) }
        let paired = confirmedRatio.map { "; paired A/B \(percent($0))" } ?? ""
        return "\(state.rawValue) \(kind.rawValue)\(ratio.map { " of \(percent($0))" } ?? "") in \(benchmark) at \(commit.short)"
            + " (\(origin == .run ? "run-to-run" : "change point")\(paired))"
    }
}

/// Suspects to hold, and the paired A/B job that will decide them, stored in one transaction.
public struct Suspicion: Sendable, Hashable {
    public var suspects: [SuspectRecord]
    /// The confirmation job: the suspects' commit paired with their baseline, at high priority.
    public var confirmation: EnqueueRequest

    public init(suspects: [SuspectRecord], confirmation: EnqueueRequest) {
        self.suspects = suspects
        self.confirmation = confirmation
    }
}

/// How a confirmation job decided one suspect.
public struct SuspectResolution: Sendable, Hashable {
    public var suspectID: Int64
    public var confirmed: Bool
    public var measuredRatio: Double?

    public init(suspectID: Int64, confirmed: Bool, measuredRatio: Double?) {
        self.suspectID = suspectID
        self.confirmed = confirmed
        self.measuredRatio = measuredRatio
    }
}
