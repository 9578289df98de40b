public import Compare
import Foundation
public import Notify

/// What a job tells people, at each point of its life:
/// - when it starts: a `pending` commit status, and an `in_progress` check run;
/// - when it is judged: the final status and check run, the pull request's comment, and a Slack
///   message when something regressed;
/// - when it fails: an `error` status, the check run and comment saying so, and a Slack message
///   with the people to ping.
///
/// Judged and failed messages are built before the outcome is stored, so that they go into the
/// outbox in the same transaction.
public struct RunNotifications: Sendable {
    public let settings: NotifySettings
    public let repositoryName: String
    /// The machine that measured: every judgement names it, as numbers from two machines differ.
    public let machine: String
    /// A commit's page on its host (GitHub, say), from the commit URL pattern; `nil` when unknown.
    public let hostCommitURL: @Sendable (ObjectID) -> String?

    /// The job being reported: which commit, for whom, and which lease of it.
    public struct Occasion: Sendable, Hashable {
        public var commit: ObjectID
        public var subject: String?
        public var branch: String?
        public var pullRequest: Int?
        /// Unique per lease of the job, so that a rerun of the same commit reports again while a
        /// message of this lease is stored once.
        public var lease: String

        public init(commit: ObjectID, subject: String?, branch: String?, pullRequest: Int?, lease: String) {
            self.commit = commit
            self.subject = subject
            self.branch = branch
            self.pullRequest = pullRequest
            self.lease = lease
        }

        public init(_ job: Job) {
            self.init(commit: job.commit, subject: job.subject, branch: job.branch, pullRequest: job.pullRequest,
                      lease: "job\(job.id)@\(Int(((job.startedAt ?? job.enqueuedAt).timeIntervalSince1970 * 1000).rounded()))")
        }
    }

    public init(settings: NotifySettings, repositoryName: String, machine: String = "",
                hostCommitURL: @escaping @Sendable (ObjectID) -> String? = { _ in nil }) {
        self.settings = settings
        self.repositoryName = repositoryName
        self.machine = machine
        self.hostCommitURL = hostCommitURL
    }

    /// The comparison page's address, when the site's address is configured.
    public func comparisonURL(baseline: ObjectID, candidate: ObjectID) -> String? {
        settings.siteURL.map { "\($0)/compare/\(baseline.hex)...\(candidate.hex).html" }
    }

    /// Where the site shows a judgement: a tracked commit's own page, whose table compares it with
    /// the measured commit before it; a comparison page for anything else (a branch, a pull
    /// request, a paired run), whose baseline is its own.
    func comparisonLink(_ occasion: Occasion, baseline: ObjectID?, reason: String?) -> String? {
        guard let baseline else { return commitURL(occasion.commit) }
        if occasion.pullRequest == nil, reason == Analyzer.Baseline.Reason.nearestMeasuredAncestor.rawValue {
            return commitURL(occasion.commit).map { $0 + "#comparison" }
        }
        return comparisonURL(baseline: baseline, candidate: occasion.commit)
    }

    /// A benchmark's graph page, when the site's address is configured.
    public func graphURL(_ benchmark: String) -> String? {
        settings.siteURL.map { "\($0)/benchmark/\(SiteLayout.slug(benchmark)).html" }
    }

    /// The commit page's address, when the site's address is configured.
    public func commitURL(_ commit: ObjectID) -> String? {
        settings.siteURL.map { "\($0)/commit/\(commit.hex).html" }
    }

    /// Where one benchmark of a judgement is plotted: its graph page, for a benchmark the tracked
    /// branch measures; the judgement's own page for one only the candidate has (a pull request's
    /// new benchmark), which no graph page shows.
    func graphLink(_ benchmark: BenchmarkComparison, judgement link: String?) -> String? {
        benchmark.baseline == nil ? link : graphURL(benchmark.name)
    }

    /// A job was leased and is about to be measured.
    public func started(_ occasion: Occasion) -> [OutgoingMessage] {
        guard let github = settings.github else { return [] }
        var messages: [OutgoingMessage] = []
        if github.pendingStatus {
            messages.append(CommitStatus(state: .pending, context: github.context, description: "benchmarking…", targetURL: nil)
                .message(repository: github.repository, commit: occasion.commit.hex, occasion: occasion.lease))
        }
        if github.checkRuns {
            // No link yet: the commit's page is made once it is measured, and a job that fails has none.
            messages.append(CheckRun(name: github.context, headSHA: occasion.commit.hex, status: .inProgress, conclusion: nil,
                                     title: "Benchmarking", summary: "The benchmarks of \(occasion.commit.short) are running.",
                                     detailsURL: nil)
                .message(repository: github.repository, occasion: occasion.lease))
        }
        return messages
    }

    /// A job's results, judged against its baseline.
    ///
    /// - Parameters:
    ///   - occasion: The job.
    ///   - baseline: What it was judged against, and why; `nil` when no baseline is measured yet
    ///     (the first commit, or a merge base still queued).
    ///   - comparison: The judgement.
    ///   - outcomes: Its experiments, some perhaps failed.
    ///   - announcing: The changed benchmarks a paired A/B job confirmed; a change it did not
    ///     confirm is told as no change. All of them when `nil`.
    public func judged(_ occasion: Occasion, baseline: (commit: ObjectID, reason: String)?, comparison: SuiteComparison,
                       outcomes: [ExperimentOutcome], announcing: Set<String>? = nil) -> [OutgoingMessage] {
        let told = { (benchmark: BenchmarkComparison) in announcing.map { $0.contains(benchmark.name) } ?? true }
        // Worst first, by the change people read: a message cut to fit keeps the worst.
        let regressions = comparison.benchmarks.filter { $0.verdict == .regression && told($0) }
            .sorted { ($0.shownImprovementFactor, $0.name) < ($1.shownImprovementFactor, $1.name) }
        let improvements = comparison.benchmarks.filter { $0.verdict == .improvement && told($0) }
        let failed = outcomes.filter { !$0.succeeded }
        let link = comparisonLink(occasion, baseline: baseline?.commit, reason: baseline?.reason)
        var messages: [OutgoingMessage] = []
        if let github = settings.github {
            var description = statusDescription(regressions: regressions, improvements: improvements, total: comparison.benchmarks.count,
                                                failed: failed.map(\.experiment))
            if baseline == nil { description = "no measured baseline to compare with yet: \(comparison.benchmarks.count) benchmark(s) measured" }
            let state: CommitStatus.State = !regressions.isEmpty ? .failure : failed.isEmpty ? .success : .error
            messages.append(CommitStatus(state: state, context: github.context, description: description, targetURL: link)
                .message(repository: github.repository, commit: occasion.commit.hex, occasion: occasion.lease))
            let table = (baseline.map {
                ComparisonTable(baseline: $0.commit, candidate: occasion.commit, baselineReason: $0.reason, comparison: comparison,
                                machine: machine.isEmpty ? nil : machine, graphURL: { graphLink($0, judgement: link) }).markdown()
            } ?? description) + failed.map { "\n\n:x: experiment \(PlainText.markdownCode($0.experiment)) failed at \($0.failedStage ?? "?"): \(Self.quoted($0.message))" }.joined()
            if github.checkRuns {
                messages.append(CheckRun(name: github.context, headSHA: occasion.commit.hex, status: .completed,
                                         conclusion: state == .success ? .success : .failure, title: description, summary: table, detailsURL: link)
                    .message(repository: github.repository, occasion: occasion.lease))
            }
            if let pullRequest = occasion.pullRequest, github.pullRequestComments {
                // The heading is markdown, so the worst benchmark's name goes in a code span, as in the table.
                let summary = baseline == nil ? description : statusDescription(
                    regressions: regressions, improvements: improvements, total: comparison.benchmarks.count,
                    failed: failed.map(\.experiment), name: PlainText.markdownCode)
                let heading = "### Benchmarks: \(regressions.isEmpty ? (failed.isEmpty ? ":white_check_mark:" : ":warning:") : ":red_circle:") \(summary)\n\n"
                messages.append(PullRequestComment(pullRequest: pullRequest, markdown: heading + table + (link.map { "\n\n[The comparison](\($0))" } ?? ""),
                                                   context: github.context, moreAt: link)
                    .message(repository: github.repository, occasion: occasion.lease))
            }
        }
        if let slack = settings.slack, let baseline, !regressions.isEmpty {
            messages.append(slackRegression(slack, regressions: regressions, occasion: occasion, baseline: baseline.commit,
                                            reason: baseline.reason, link: link))
        }
        return messages
    }

    /// A run whose suspected change is held until a paired A/B job confirms it: the commit's status
    /// stays pending, and nobody else is told yet.
    public func confirming(_ occasion: Occasion, regression: Bool) -> [OutgoingMessage] {
        guard let github = settings.github else { return [] }
        return [CommitStatus(state: .pending, context: github.context,
                             description: "confirming a suspected \(regression ? "regression" : "improvement")", targetURL: commitURL(occasion.commit))
            .message(repository: github.repository, commit: occasion.commit.hex, occasion: occasion.lease + ":confirming")]
    }

    /// The end of a confirmation of change points alone: the commit's status, failing only for a
    /// confirmed regression, and the regression's Slack message, keyed by the pair of commits as a
    /// run's is, so a change a run told already is not told again.
    public func confirmedChanges(_ occasion: Occasion, held: [SuspectRecord], confirmed: Set<String>) -> [OutgoingMessage] {
        let regressions = held.filter { $0.kind == .regression && confirmed.contains($0.benchmark) }
        var messages: [OutgoingMessage] = []
        if let slack = settings.slack, let message = slackConfirmedRegression(slack, occasion, regressions: regressions) {
            messages.append(message)
        }
        guard let github = settings.github else { return messages }
        let improvements = held.filter { $0.kind == .improvement && confirmed.contains($0.benchmark) }
        let change = { (suspect: SuspectRecord) in (suspect.confirmedRatio ?? suspect.ratio).map { Self.percent($0 - 1) } ?? "?" }
        var parts: [String] = []
        if let worst = regressions.first { parts.append("\(regressions.count) regression(s) confirmed, \(change(worst)) \(PlainText.singleLine(worst.benchmark))") }
        if !improvements.isEmpty { parts.append("\(improvements.count) improvement(s) confirmed") }
        if parts.isEmpty { parts.append("suspected change(s) not confirmed by a paired A/B run") }
        return messages + [CommitStatus(state: regressions.isEmpty ? .success : .failure, context: github.context, description: parts.joined(separator: "; "),
                                        targetURL: commitURL(occasion.commit))
            .message(repository: github.repository, commit: occasion.commit.hex, occasion: occasion.lease)]
    }

    /// A job that could not be measured: its checkout, build or store failed. Nothing links to the
    /// site: a commit with no results has no page there.
    public func failed(_ occasion: Occasion, stage: String, message: String) -> [OutgoingMessage] {
        var messages: [OutgoingMessage] = []
        let description = "failed at \(stage): \(message)"
        if let github = settings.github {
            messages.append(CommitStatus(state: .error, context: github.context, description: description, targetURL: nil)
                .message(repository: github.repository, commit: occasion.commit.hex, occasion: occasion.lease))
            let detail = "The benchmarks of `\(occasion.commit.short)` could not run: they failed at **\(stage)**.\n\n\(Self.quoted(message))"
            if github.checkRuns {
                messages.append(CheckRun(name: github.context, headSHA: occasion.commit.hex, status: .completed, conclusion: .failure,
                                         title: description, summary: detail, detailsURL: nil)
                    .message(repository: github.repository, occasion: occasion.lease))
            }
            if let pullRequest = occasion.pullRequest, github.pullRequestComments {
                messages.append(PullRequestComment(pullRequest: pullRequest, markdown: "### Benchmarks: :x: \(description)\n\n" + detail,
                                                   context: github.context, moreAt: nil)
                    .message(repository: github.repository, occasion: occasion.lease))
            }
        }
        if let slack = settings.slack {
            let title = "Benchmarks of \(occasion.commit.short) in \(repositoryName) failed at \(stage)"
            var slackMessage = SlackMessage(text: title, moreAt: nil)
            slackMessage.header(title)
            slackMessage.section(commitLine(occasion, sitePage: false) + "\n```\(SlackMessage.escape(message))```"
                                 + (slack.mentions.isEmpty ? "" : "\n" + slack.mentions.joined(separator: " ")))
            messages.append(OutgoingMessage(key: "slack:job-failed:\(repositoryName):\(occasion.commit.hex):\(occasion.lease)",
                                            destination: slack.destination, kind: "job-failed", body: slackMessage.body()))
        }
        return messages
    }

    /// - Parameter name: How the worst benchmark's name is written: plain for a status, a code
    ///   span for markdown.
    func statusDescription(regressions: [BenchmarkComparison], improvements: [BenchmarkComparison], total: Int, failed: [String],
                           name: (String) -> String = PlainText.singleLine) -> String {
        var parts: [String] = []
        if let worst = regressions.min(by: { $0.shownImprovementFactor < $1.shownImprovementFactor }) {
            parts.append("\(regressions.count) regression(s), worst \(worst.medianChangeText) \(name(worst.name))")
        }
        if !improvements.isEmpty { parts.append("\(improvements.count) improvement(s)") }
        if regressions.isEmpty && improvements.isEmpty { parts.append("\(total) benchmark(s), no change") }
        if !failed.isEmpty { parts.append("\(failed.count) experiment(s) failed") }
        return parts.joined(separator: "; ")
    }

    /// A message from a script, as a markdown block quote that its own markup cannot break out of.
    static func quoted(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).prefix(40).map { "> " + $0.replacingOccurrences(of: "<", with: "&lt;") }
            .joined(separator: "\n")
    }

    static func percent(_ value: Double) -> String { NumberText.signedPercent(value) }
}
