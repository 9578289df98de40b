public import Foundation

/// How one experiment went for one commit: done, or which stage failed and why.
public struct ExperimentOutcome: Sendable, Hashable, Codable {
    public var experiment: String
    public var succeeded: Bool
    /// `precheck`, `build`, `setup`, `run`, `analysis`, `visualization` or `summary`.
    public var failedStage: String?
    /// The failing stage's own message, or why BenchBot stopped it.
    public var message: String
    public var startedAt: Date
    public var finishedAt: Date
    /// The summary stage's `title` and `value`, for the run report.
    public var summaryTitle: String?
    public var summaryValue: String?
    /// Slack IDs to ping when it failed.
    public var notify: [String]

    public init(
        experiment: String, succeeded: Bool, failedStage: String? = nil, message: String = "",
        startedAt: Date, finishedAt: Date, summaryTitle: String? = nil, summaryValue: String? = nil, notify: [String] = []
    ) {
        self.experiment = experiment
        self.succeeded = succeeded
        self.failedStage = failedStage
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.summaryTitle = summaryTitle
        self.summaryValue = summaryValue
        self.notify = notify
    }

    /// One line for people: `treelstm: failed at run after 3.2 s: no run.sh`.
    public var summary: String {
        let seconds = String(format: "%.1f", finishedAt.timeIntervalSince(startedAt))
        if succeeded { return "\(experiment): ok in \(seconds) s" + (message.isEmpty ? "" : "; \(message)") }
        return "\(experiment): failed at \(failedStage ?? "?") after \(seconds) s: \(message)"
    }
}
