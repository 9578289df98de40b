import Compare
import Crypto
import Foundation
import Notify

/// The Slack messages of regressions: what a phone's notification shows (the worst change and its
/// size), then each regression, worst first, in human units, with its interval, the commit linked
/// to its host and its site page, and the machine that measured it.
extension RunNotifications {
    /// A run's regressions, judged against its baseline.
    ///
    /// - Parameter regressions: Worst first.
    func slackRegression(_ slack: NotifySettings.SlackSettings, regressions: [BenchmarkComparison], occasion: Occasion,
                         baseline: ObjectID, reason: String, link: String?) -> OutgoingMessage {
        let worst = regressions[0]
        let title = headline(worst: "\(worst.name) \(Self.worse(worst))", count: regressions.count, at: occasion.commit)
        var message = SlackMessage(text: notificationText(title), moreAt: link)
        message.header(title)
        message.section(commitLine(occasion) + "\nagainst \(baseline.short) (\(SlackMessage.escape(reason)))" + machineClause
                        + (slack.mentions.isEmpty ? "" : "\n" + slack.mentions.joined(separator: " ")))
        for benchmark in regressions {
            message.section(regressionLine(benchmark) + (graphLink(benchmark, judgement: link).map { " · <\($0)|graph>" } ?? ""))
        }
        if let link { message.context("<\(link)|The comparison>") }
        // Keyed by the pair, not the lease: the same change is told once however often it is measured.
        return OutgoingMessage(key: Self.regressionKey(repositoryName, baseline: baseline, candidate: occasion.commit),
                               destination: slack.destination, kind: "regression", body: message.body())
    }

    /// Regressions that a paired A/B job confirmed when only change points were suspected: their
    /// sizes are the paired job's, as no run of the commit's was judged again.
    func slackConfirmedRegression(_ slack: NotifySettings.SlackSettings, _ occasion: Occasion, regressions: [SuspectRecord]) -> OutgoingMessage? {
        guard let baseline = regressions.first?.baseline else { return nil }
        func size(_ suspect: SuspectRecord) -> Double { abs(log(suspect.confirmedRatio ?? suspect.ratio ?? 1)) }
        let sorted = regressions.sorted { (size($1), $0.benchmark) < (size($0), $1.benchmark) }
        func change(_ suspect: SuspectRecord) -> String { (suspect.confirmedRatio ?? suspect.ratio).map { Self.percent($0 - 1) } ?? "?" }
        let title = headline(worst: "\(sorted[0].benchmark) \(change(sorted[0])) worse", count: sorted.count, at: occasion.commit)
        var message = SlackMessage(text: notificationText(title), moreAt: commitURL(occasion.commit))
        message.header(title)
        message.section(commitLine(occasion) + "\nagainst \(baseline.short), confirmed by a paired A/B run" + machineClause
                        + (slack.mentions.isEmpty ? "" : "\n" + slack.mentions.joined(separator: " ")))
        for suspect in sorted {
            message.section("*\(SlackMessage.escape(suspect.benchmark))*: \(change(suspect))" + (graphURL(suspect.benchmark).map { " · <\($0)|graph>" } ?? ""))
        }
        // Keyed by the benchmarks too: a change point confirmed after the run's own alert went out
        // (a benchmark that was no run-to-run suspect) is news, and must not be taken for that alert.
        return OutgoingMessage(key: Self.regressionKey(repositoryName, baseline: baseline, candidate: occasion.commit)
                                   + ":confirmed:" + Self.digest(sorted.map(\.benchmark).sorted()),
                               destination: slack.destination, kind: "regression", body: message.body())
    }

    /// A short, stable digest of names, for a key that must tell sets of benchmarks apart.
    static func digest(_ names: [String]) -> String {
        SHA256.hash(data: Data(names.joined(separator: "\n").utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The key a regression's Slack message is stored under: one per pair of commits, so that a
    /// change is told once however often it is measured.
    static func regressionKey(_ repository: String, baseline: ObjectID, candidate: ObjectID) -> String {
        "slack:regression:\(repository):\(baseline.hex):\(candidate.hex)"
    }

    /// `loop_timing.loop +112.4% slower at 65ecc01e2a (and 2 more regressions)`: plain text, for
    /// the header and the notification.
    private func headline(worst: String, count: Int, at commit: ObjectID) -> String {
        "\(PlainText.singleLine(worst)) at \(commit.short)" + (count > 1 ? " (and \(count - 1) more regression\(count > 2 ? "s" : ""))" : "")
    }

    /// What a phone shows: the headline, the repository and the machine.
    private func notificationText(_ headline: String) -> String {
        "\(headline) in \(repositoryName)" + (machine.isEmpty ? "" : " on \(machine)")
    }

    private var machineClause: String {
        machine.isEmpty ? "" : ", measured on `\(SlackMessage.escape(machine))`"
    }

    /// `+112.4% slower` for a time, `+12.0% worse` for anything else.
    static func worse(_ benchmark: BenchmarkComparison) -> String {
        benchmark.medianChangeText + (HumanUnits.measuresTime(benchmark.unit) && benchmark.direction == .lowerIsBetter ? " slower" : " worse")
    }

    /// `*loop_timing.loop*: +112.4% slower, 65.1 ms → 138 ms; estimate +110.2% [+108.0%, +115.1%] (q=0.0012)`:
    /// the change of the medians, as the site shows it, then the estimate the verdict rests on;
    /// one sample has no interval, and says so.
    func regressionLine(_ benchmark: BenchmarkComparison) -> String {
        let single = [benchmark.baseline, benchmark.candidate].contains { ($0?.count ?? 0) == 1 }
        let medians = [benchmark.baseline, benchmark.candidate].compactMap { $0?.median }
        let scale = HumanUnits(unit: benchmark.unit, values: medians)
        let values = medians.count == 2 ? ", " + medians.map { SlackMessage.escape(scale.format($0)) }.joined(separator: " → ") : ""
        let estimate = single ? " (1 sample)" : benchmark.estimate.map {
            "; estimate \(Self.percent($0.ratio - 1)) [\(Self.percent($0.lower - 1)), \(Self.percent($0.upper - 1))]"
                + (benchmark.qValue.map { " (\(ComparisonTable.qText($0)))" } ?? "")
        } ?? ""
        return "*\(SlackMessage.escape(benchmark.name))*: \(Self.worse(benchmark))\(values)\(estimate)"
    }

    /// The commit, linked to its host, its subject and branch, and a link to its site page.
    ///
    /// - Parameter sitePage: Whether the commit has a page on the site: not when it has no results.
    func commitLine(_ occasion: Occasion, sitePage: Bool = true) -> String {
        let short = "*\(occasion.commit.short)*"
        return (hostCommitURL(occasion.commit).map { "<\($0)|\(short)>" } ?? short)
            + " \(SlackMessage.escape(occasion.subject ?? ""))"
            + (occasion.branch.map { " on `\(SlackMessage.escape($0))`" } ?? "")
            + (occasion.pullRequest.map { " (pull request #\($0))" } ?? "")
            + ((sitePage ? commitURL(occasion.commit) : nil).map { " · <\($0)|its page>" } ?? "")
    }
}
