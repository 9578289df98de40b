public import Compare
import Foundation
public import Notify

/// What a finished run tells people: a GitHub commit status on every judged run, and a Slack
/// message when something regressed. Built before the run is stored, so that both go into the
/// outbox in the run's own transaction.
public struct RunNotifications {
    public let settings: NotifySettings
    public let repositoryName: String

    public init(settings: NotifySettings, repositoryName: String) {
        self.settings = settings
        self.repositoryName = repositoryName
    }

    /// The comparison page's address, when the site's address is configured.
    public func comparisonURL(baseline: ObjectID, candidate: ObjectID) -> String? {
        settings.siteURL.map { "\($0)/compare/\(baseline.hex)...\(candidate.hex).html" }
    }

    /// - Parameters:
    ///   - candidate: The commit measured, with its subject and branch.
    ///   - baseline: What it was judged against, and why.
    ///   - comparison: The judgement.
    ///   - failedExperiments: Experiments that failed in this run.
    public func messages(candidate: ObjectID, subject: String?, branch: String?, baseline: ObjectID, reason: String,
                         comparison: SuiteComparison, failedExperiments: [String]) -> [OutgoingMessage] {
        let regressions = comparison.benchmarks.filter { $0.verdict == .regression }
        let improvements = comparison.benchmarks.filter { $0.verdict == .improvement }
        let link = comparisonURL(baseline: baseline, candidate: candidate)
        var messages: [OutgoingMessage] = []
        if let github = settings.github {
            let state: CommitStatus.State = !regressions.isEmpty ? .failure : failedExperiments.isEmpty ? .success : .error
            messages.append(CommitStatus(state: state, context: github.context,
                                         description: statusDescription(regressions: regressions, improvements: improvements,
                                                                        total: comparison.benchmarks.count, failed: failedExperiments),
                                         targetURL: link).message(repository: github.repository, commit: candidate.hex))
        }
        if let slack = settings.slack, !regressions.isEmpty {
            messages.append(slackRegression(slack, regressions: regressions, candidate: candidate, subject: subject, branch: branch,
                                            baseline: baseline, reason: reason, link: link))
        }
        return messages
    }

    func statusDescription(regressions: [BenchmarkComparison], improvements: [BenchmarkComparison], total: Int, failed: [String]) -> String {
        var parts: [String] = []
        if let worst = regressions.max(by: { ($0.improvementFactor ?? 1) > ($1.improvementFactor ?? 1) }) {
            parts.append("\(regressions.count) regression(s), worst \(Self.change(worst)) \(worst.name)")
        }
        if !improvements.isEmpty { parts.append("\(improvements.count) improvement(s)") }
        if regressions.isEmpty && improvements.isEmpty { parts.append("\(total) benchmark(s), no change") }
        if !failed.isEmpty { parts.append("\(failed.count) experiment(s) failed") }
        return parts.joined(separator: "; ")
    }

    func slackRegression(_ slack: NotifySettings.SlackSettings, regressions: [BenchmarkComparison], candidate: ObjectID, subject: String?,
                         branch: String?, baseline: ObjectID, reason: String, link: String?) -> OutgoingMessage {
        let title = "\(regressions.count) regression(s) at \(candidate.short) in \(repositoryName)"
        var message = SlackMessage(text: title, moreAt: link)
        message.header(title)
        let commitLine = "*\(candidate.short)* \(SlackMessage.escape(subject ?? ""))" + (branch.map { " on `\(SlackMessage.escape($0))`" } ?? "")
            + ", against \(baseline.short) (\(reason))"
        message.section(commitLine + (slack.mentions.isEmpty ? "" : "\n" + slack.mentions.joined(separator: " ")))
        for benchmark in regressions {
            let interval = benchmark.estimate.map { " [\(Self.percent($0.lower - 1)), \(Self.percent($0.upper - 1))]" } ?? ""
            let values = [benchmark.baseline, benchmark.candidate].compactMap { $0.map { NumberText.compact($0.median) } }.joined(separator: " → ")
            message.section("*\(SlackMessage.escape(benchmark.name))*: \(Self.change(benchmark))\(interval) \(values) \(SlackMessage.escape(benchmark.unit))"
                            + (benchmark.qValue.map { String(format: " (q=%.2g)", $0) } ?? ""))
        }
        if let link { message.context("<\(link)|The comparison>") }
        return OutgoingMessage(key: "slack:regression:\(repositoryName):\(baseline.hex):\(candidate.hex)", destination: .slackWebhook,
                               kind: "regression", body: message.body())
    }

    static func change(_ benchmark: BenchmarkComparison) -> String {
        benchmark.estimate.map { percent($0.ratio - 1) } ?? "?"
    }

    static func percent(_ value: Double) -> String { String(format: "%+.2f%%", value * 100) }
}
