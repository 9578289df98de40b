import Compare
import Foundation
import Notify

extension Worker {
    /// The messages of this worker's jobs: its repository, its machine, and its commits' host pages.
    ///
    /// Where several machine classes measure each commit, GitHub's context names the class
    /// (``BenchBotSettings/gitHubContext(_:machine:)``), and links go to the class's own pages.
    func runNotifications(_ notify: NotifySettings) -> RunNotifications {
        var notify = notify
        if var github = notify.github {
            github.context = settings.gitHubContext(github.context, machine: settings.machine)
            notify.github = github
        }
        // The site keeps each other class's pages in a folder of their own: links go to this class's.
        let folder = SiteLayout.machineFolder(settings.machine, primary: settings.machine == settings.measuringClasses.first)
        if let site = notify.siteURL, !folder.isEmpty {
            notify.siteURL = (site.hasSuffix("/") ? site : site + "/") + folder.dropLast()
        }
        return RunNotifications(settings: notify, repositoryName: settings.repository.name, machine: settings.machine,
                         hostCommitURL: Self.hostCommitURL(pattern: settings.site.commitURLPattern(
                             repositoryURL: settings.repository.url, gitHubRepository: notify.github?.repository)))
    }

    /// A commit's page on its host, by the pattern the site links commits with.
    static func hostCommitURL(pattern: String?) -> @Sendable (ObjectID) -> String? {
        guard let pattern else { return { _ in nil } }
        return { pattern.replacingOccurrences(of: "{sha}", with: $0.hex) }
    }

    /// Tells people a job started (a pending status, an in-progress check run), and sends it
    /// before anything is measured, so that the network is quiet while benchmarks run.
    func announceStart(of job: Job) async -> [String] {
        guard let notify = settings.notify else { return [] }
        return await queueAndSend(runNotifications(notify).started(.init(job)),
                                  of: job, what: "start")
    }

    /// Keeps `messages` in the outbox, then sends what it holds.
    ///
    /// - Returns: Lines for the job's report.
    func queueAndSend(_ messages: [OutgoingMessage], of job: Job, what: String) async -> [String] {
        guard !messages.isEmpty else { return [] }
        do {
            try await store.enqueueNotifications(messages, now: Date())
        } catch {
            logger.error("job \(job.id): cannot queue its \(what) notifications: \(error)")
            return []
        }
        return await dispatchNotifications()
    }

    /// What to tell people about a run, judged against its baseline (the nearest measured
    /// ancestor, the merge base, or a paired job's own); empty when nobody is to be told. Built
    /// before the run is stored, so the messages go into its transaction.
    ///
    /// - Parameter announcing: The changes that may be told; all when `nil`.
    func judgedNotifications(for job: Job, results: [BenchmarkResult], outcomes: [ExperimentOutcome],
                             judged: (baseline: ObjectID, reason: String, comparison: SuiteComparison)?,
                             announcing: Set<String>? = nil) -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        // With no measured baseline yet, the pending status still needs an end.
        return runNotifications(notify).judged(
            .init(job), baseline: judged.map { ($0.baseline, $0.reason) },
            comparison: judged?.comparison ?? SuiteComparison(baseline: [], candidate: Analyzer.series(results), policy: settings.compare.policy),
            outcomes: outcomes, announcing: announcing)
    }

    /// What to tell people about a run on the tracked branch whose change is held: its status
    /// stays pending until the confirmation job decides.
    func heldNotifications(for job: Job, holdsRegression: Bool) -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        return runNotifications(notify).confirming(.init(job), regression: holdsRegression)
    }

    /// What to tell people when a job fails before it has results.
    func failureNotifications(for job: Job, stage: String, message: String) -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        return runNotifications(notify).failed(.init(job), stage: stage, message: message)
    }

    /// Which of a run's regression alerts were told already: a rerun of a commit builds the same
    /// alert, stored once by its key, so it is not sent again, and the job says so rather than
    /// staying silent.
    ///
    /// - Returns: A line for each, for the job's report.
    func alreadyTold(_ messages: [OutgoingMessage]) async -> [String] {
        let alerts = messages.filter { $0.kind == "regression" }
        guard !alerts.isEmpty, let stored = try? await store.storedNotifications(keys: alerts.map(\.key)) else { return [] }
        return alerts.compactMap { alert in
            stored[alert.key].map { mark in
                "  Slack alert not sent again: this regression was told at \(mark.queuedAt.formatted(.iso8601)) (\(mark.state.rawValue))"
            }
        }
    }

    /// Sends what the outbox holds now. A failure to send never touches the stored results: what
    /// was not sent stays in the outbox for the next pass or `benchbot notify`.
    ///
    /// - Returns: Lines for the job's report: all of them.
    func dispatchNotifications() async -> [String] {
        let report = await deliveryReport()
        return report.news + report.details
    }

    /// Sends what the outbox holds now, and says how it went: what was delivered or written is a
    /// detail (`work --verbose`; `benchbot status` counts it), what failed or waits is news.
    func deliveryReport() async -> (news: [String], details: [String]) {
        guard let notify = settings.notify else { return ([], []) }
        do {
            let pass = try await Dispatcher(home: home, settings: notify, store: store, logger: logger).deliverDue()
            var details: [String] = [], news: [String] = []
            if pass.delivered > 0 { details.append("  notified: \(pass.delivered) delivered") }
            details += pass.written.map { "  notified: no credentials, written to \($0)" }
            if pass.retrying > 0 { news.append("  notified: \(pass.retrying) to retry (benchbot status shows why)") }
            if pass.failed > 0 { news.append("  notified: \(pass.failed) failed (benchbot status shows why; benchbot notify --retry sends again)") }
            return (news, details)
        } catch {
            // Stopping (SIGTERM) cancels the pass: what it did not send stays queued for the next start.
            if Task.isCancelled { return ([], []) }
            logger.error("notifications not sent: \(error)")
            return (["  notifications not sent: \(error)"], [])
        }
    }
}
