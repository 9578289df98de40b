public import Foundation
public import Notify

/// The Slack reports of the Relay Dashboard's reporting subsystems, built in:
/// - `exp_results`: the night's run, experiment by experiment;
/// - `subsys_reporter`: failed subsystems, and the `report.json` any subsystem left;
/// - `deadline`: countdowns to the configured deadlines.
///
/// Through the Web API, each failure goes in the report's thread with its pings, so that the
/// channel shows one message a night; through a webhook, which cannot thread, they are inline.
public struct RelayReports: Sendable {
    public let slack: NotifySettings.SlackSettings
    public let repositoryName: String
    public let siteURL: String?

    /// The built-in Slack reporters, by the names relay-bench gave them.
    public static let builtInNames: Set<String> = ["exp_results", "subsys_reporter", "deadline"]
    /// Every built-in subsystem: the reporters, and `website`, which is `benchbot site`.
    public static let builtInSubsystems = builtInNames.union(["website"])

    public init(slack: NotifySettings.SlackSettings, repositoryName: String, siteURL: String?) {
        self.slack = slack
        self.repositoryName = repositoryName
        self.siteURL = siteURL
    }

    /// relay-bench's `exp_results`: successes with their summaries and durations, failures with
    /// their stage, message, time to failure and the people to ping, and the inactive experiments.
    ///
    /// - Parameters:
    ///   - night: When the run started; one report per run.
    ///   - commit: The commit measured last.
    ///   - outcomes: The experiments' outcomes, one per experiment.
    ///   - inactive: Experiments switched off in their configs.
    ///   - description: `slack_description` from the subsystem's config, shown above the report.
    ///   - measuredEarlier: When nothing was measured tonight: when these outcomes were.
    public func runReport(night: Date, commit: ObjectID?, outcomes: [ExperimentOutcome], inactive: [String],
                          description: String?, measuredEarlier: Date? = nil) -> [OutgoingMessage] {
        let failed = outcomes.filter { !$0.succeeded }.sorted { $0.experiment < $1.experiment }
        let succeeded = outcomes.filter(\.succeeded).sorted { $0.experiment < $1.experiment }
        let title = "\(repositoryName): \(succeeded.count) experiment(s) passed, \(failed.count) failed" + (inactive.isEmpty ? "" : ", \(inactive.count) inactive")
        var report = SlackMessage(text: title, moreAt: siteURL)
        report.header(title)
        if let description, !description.isEmpty { report.section(SlackMessage.escape(description)) }
        report.context("Run of \(Self.timestamp(night))" + (commit.map { " at \($0.short)" } ?? "")
                       + (measuredEarlier.map { ": no new commit tonight; these results were measured \(Self.timestamp($0))" } ?? ""))
        for outcome in succeeded {
            let heading = "*\(SlackMessage.escape(outcome.summaryTitle ?? outcome.experiment))* (\(Self.duration(outcome)))"
            report.section(heading + (outcome.summaryValue.map { "\n" + SlackMessage.escape($0) } ?? ""))
        }
        let threaded = slack.channel != nil
        if !failed.isEmpty {
            report.section(":x: *Failed*: " + failed.map { "`\(SlackMessage.escape($0.experiment))` at \($0.failedStage ?? "?")" }.joined(separator: ", ")
                           + (threaded ? " (details in the thread)" : ""))
            if !threaded { failed.forEach { report.section(failureText($0)) } }
        }
        if !inactive.isEmpty { report.context("Inactive: " + inactive.sorted().map(SlackMessage.escape).joined(separator: ", ")) }
        let key = "slack:run-report:\(repositoryName):\(Int(night.timeIntervalSince1970))"
        var messages = [OutgoingMessage(key: key, destination: slack.destination, kind: "run-report", body: report.body())]
        if threaded {
            messages += failed.map { outcome in
                var reply = SlackMessage(text: "\(outcome.experiment) failed at \(outcome.failedStage ?? "?")")
                reply.section(failureText(outcome))
                return OutgoingMessage(key: "\(key):failed:\(outcome.experiment)", destination: slack.destination, kind: "experiment-failed",
                                       body: reply.body(), threadParent: key)
            }
        }
        return messages
    }

    /// relay-bench's `subsys_reporter`: the subsystems that failed, with their pings, and each
    /// `report.json` (`{"title", "value"}`) a subsystem left. Empty when there is nothing to say.
    public func subsystemReport(night: Date, outcomes: [ExperimentOutcome], reports: [(subsystem: String, title: String, value: String)]) -> [OutgoingMessage] {
        let failed = outcomes.filter { !$0.succeeded }
        guard !failed.isEmpty || !reports.isEmpty else { return [] }
        let title = failed.isEmpty ? "\(repositoryName): subsystem reports" : "\(repositoryName): \(failed.count) subsystem(s) failed"
        var message = SlackMessage(text: title, moreAt: siteURL)
        message.header(title)
        failed.forEach { message.section(failureText($0)) }
        for report in reports {
            message.section("*\(SlackMessage.escape(report.title))* (\(SlackMessage.escape(report.subsystem)))\n\(SlackMessage.escape(report.value))")
        }
        return [OutgoingMessage(key: "slack:subsystems:\(repositoryName):\(Int(night.timeIntervalSince1970))", destination: slack.destination,
                                kind: "subsystem-report", body: message.body())]
    }

    /// One deadline of relay-bench's `deadline` subsystem.
    public struct Deadline: Sendable, Hashable {
        public var name: String
        public var date: Date
        public var ping: [String]
    }

    /// relay-bench's `deadline`: a countdown to every deadline still ahead, in red with pings
    /// within 7 days. One message a day; empty when every deadline has passed.
    public func deadlines(_ deadlines: [Deadline], now: Date) -> [OutgoingMessage] {
        let ahead = deadlines.filter { $0.date > now }.sorted { $0.date < $1.date }
        guard !ahead.isEmpty else { return [] }
        var message = SlackMessage(text: "Deadlines: " + ahead.map { "\($0.name) in \(Self.daysLeft($0.date, now: now)) day(s)" }.joined(separator: ", "))
        message.header("Deadlines")
        for deadline in ahead {
            let days = Self.daysLeft(deadline.date, now: now)
            let urgent = deadline.date.timeIntervalSince(now) <= 7 * 86_400
            message.section((urgent ? ":red_circle: " : ":calendar: ") + "*\(SlackMessage.escape(deadline.name))*: \(days) day(s) left (\(Self.timestamp(deadline.date)))"
                            + (urgent && !deadline.ping.isEmpty ? "\n" + deadline.ping.map(Self.mention).joined(separator: " ") : ""))
        }
        let day = Int(now.timeIntervalSince1970 / 86_400)
        return [OutgoingMessage(key: "slack:deadlines:\(repositoryName):\(day)", destination: slack.destination, kind: "deadlines", body: message.body())]
    }

    /// Reads relay-bench's `deadlines` object: `{"<name>": {"date": "YYYY-MM-DD HH:MM:SS", "ping": [ids]}}`, local time.
    ///
    /// - Throws: ``RelayReportError`` naming the field and the expected form.
    public static func parseDeadlines(_ config: JSONValue, file: String) throws(RelayReportError) -> [Deadline] {
        guard case .object(let entries)? = config["deadlines"] else {
            throw RelayReportError(message: "\(file): deadlines: missing; add {\"<name>\": {\"date\": \"2027-01-31 23:59:00\", \"ping\": [\"U024BE7LH\"]}}")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return try entries.sorted { $0.key < $1.key }.map { name, entry throws(RelayReportError) in
            guard case .string(let text)? = entry["date"], let date = formatter.date(from: text) else {
                throw RelayReportError(message: "\(file): deadlines.\(name).date: must be a string like \"2027-01-31 23:59:00\" (local time)")
            }
            var ping: [String] = []
            if case .array(let ids)? = entry["ping"] {
                ping = ids.compactMap { if case .string(let id) = $0 { id } else { nil } }
            }
            return Deadline(name: name, date: date, ping: ping)
        }
    }

    func failureText(_ outcome: ExperimentOutcome) -> String {
        "*\(SlackMessage.escape(outcome.experiment))* failed at \(outcome.failedStage ?? "?") after \(Self.duration(outcome))"
            + (outcome.notify.isEmpty ? "" : " " + outcome.notify.map(Self.mention).joined(separator: " "))
            + "\n```\(SlackMessage.escape(String(outcome.message.prefix(2_000))))```"
    }

    /// relay-bench configs list bare IDs (`U024BE7LH`); Slack pings `<@U024BE7LH>`.
    static func mention(_ id: String) -> String { id.hasPrefix("<") ? id : "<@\(id)>" }

    static func duration(_ outcome: ExperimentOutcome) -> String {
        let seconds = outcome.finishedAt.timeIntervalSince(outcome.startedAt)
        return seconds < 120 ? String(format: "%.1f s", seconds) : String(format: "%.1f min", seconds / 60)
    }

    static func daysLeft(_ date: Date, now: Date) -> Int { Int((date.timeIntervalSince(now) / 86_400).rounded(.up)) }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}

public struct RelayReportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
