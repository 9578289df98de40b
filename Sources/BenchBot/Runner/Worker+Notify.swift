import Compare
import Foundation
import Notify

extension Worker {
    /// Tells people a job started (a pending status, an in-progress check run), and sends it
    /// before anything is measured, so that the network is quiet while benchmarks run.
    func announceStart(of job: Job) async -> [String] {
        guard let notify = settings.notify else { return [] }
        return await queueAndSend(RunNotifications(settings: notify, repositoryName: settings.repository.name).started(.init(job)),
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
        return RunNotifications(settings: notify, repositoryName: settings.repository.name).judged(
            .init(job), baseline: judged.map { ($0.baseline, $0.reason) },
            comparison: judged?.comparison ?? SuiteComparison(baseline: [], candidate: Analyzer.series(results), policy: settings.compare.policy),
            outcomes: outcomes, announcing: announcing)
    }

    /// What to tell people about a run on the tracked branch whose change is held: its status
    /// stays pending until the confirmation job decides.
    func heldNotifications(for job: Job, holdsRegression: Bool) -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        return RunNotifications(settings: notify, repositoryName: settings.repository.name).confirming(.init(job), regression: holdsRegression)
    }

    /// What to tell people when a job fails before it has results.
    func failureNotifications(for job: Job, stage: String, message: String) -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        return RunNotifications(settings: notify, repositoryName: settings.repository.name).failed(.init(job), stage: stage, message: message)
    }

    /// Sends what the outbox holds now. A failure to send never touches the stored results: what
    /// was not sent stays in the outbox for the next pass or `benchbot notify`.
    ///
    /// - Returns: Lines for the job's report.
    func dispatchNotifications() async -> [String] {
        guard let notify = settings.notify else { return [] }
        do {
            let pass = try await Dispatcher(home: home, settings: notify, store: store, logger: logger).deliverDue()
            var lines: [String] = []
            if pass.delivered > 0 { lines.append("  notified: \(pass.delivered) delivered") }
            lines += pass.written.map { "  notified: no credentials, written to \($0)" }
            if pass.retrying > 0 { lines.append("  notified: \(pass.retrying) to retry (benchbot status shows why)") }
            if pass.failed > 0 { lines.append("  notified: \(pass.failed) failed (benchbot status shows why; benchbot notify --retry sends again)") }
            return lines
        } catch {
            logger.error("notifications not sent: \(error)")
            return ["  notifications not sent: \(error)"]
        }
    }
}
