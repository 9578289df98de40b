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
    /// One line for the terminal and logs: a script wrote the message, so it is made inert and
    /// cut to a screenful (the whole message stays in the stage's status file).
    public var summary: String {
        let seconds = String(format: "%.1f", finishedAt.timeIntervalSince(startedAt))
        var shown = PlainText.singleLine(message)
        if shown.count > 2000 { shown = String(shown.prefix(2000)) + "… (cut; the whole message is in its status file)" }
        if succeeded { return "\(experiment): ok in \(seconds) s" + (shown.isEmpty ? "" : "; \(shown)") }
        return "\(experiment): failed at \(failedStage ?? "?") after \(seconds) s: \(shown)"
    }
}
