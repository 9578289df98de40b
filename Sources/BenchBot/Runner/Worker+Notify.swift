import Compare
import Foundation
import Notify

extension Worker {
    /// Tells people a job started (a pending status, an in-progress check run), and sends it
    /// before anything is measured, so that the network is quiet while benchmarks run.
    func announceStart(of job: Job) async -> [String] {
        guard let notify = settings.notify else { return [] }
        let messages = RunNotifications(settings: notify, repositoryName: settings.repository.name).started(.init(job))
        guard !messages.isEmpty else { return [] }
        do {
            try await store.enqueueNotifications(messages, now: Date())
        } catch {
            logger.error("job \(job.id): cannot queue its start notifications: \(error)")
            return []
        }
        return await dispatchNotifications()
    }

    /// What to tell people about a run, judged against `baseline` (the nearest measured ancestor,
    /// or the merge base, when `nil`); empty when nobody is to be told, or there is nothing to
    /// judge against yet. Built before the run is stored, so the messages go into its transaction.
    func judgedNotifications(for job: Job, results: [BenchmarkResult], outcomes: [ExperimentOutcome],
                             judged: (baseline: ObjectID, reason: String, comparison: SuiteComparison)?) async -> [OutgoingMessage] {
        guard let notify = settings.notify else { return [] }
        var judgement = judged
        if judgement == nil {
            do {
                let repository = try GitRepository.open(at: home.mirrorPath(repository: settings.repository.name))
                let analyzer = Analyzer(store: store, repository: repository, settings: settings)
                let baseline = try await analyzer.baseline(for: job.commit)
                let comparison = try await analyzer.compare(try await analyzer.latestRun(of: baseline.commit).results, results, baseline: baseline.commit)
                judgement = (baseline.commit, baseline.reason.rawValue, comparison)
            } catch {
                logger.info("job \(job.id): nothing to report against: \(error)")
            }
        }
        // With no measured baseline yet, the pending status still needs an end.
        return RunNotifications(settings: notify, repositoryName: settings.repository.name).judged(
            .init(job), baseline: judgement.map { ($0.baseline, $0.reason) },
            comparison: judgement?.comparison ?? SuiteComparison(baseline: [], candidate: Analyzer.series(results), policy: settings.compare.policy),
            outcomes: outcomes)
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
