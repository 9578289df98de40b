import Compare
import Foundation
import Notify

extension Worker {
    /// How a confirmation job decided its suspects, and what it tells people, stored with its run.
    struct Decision: Sendable {
        var resolutions: [SuspectResolution] = []
        var notifications: [OutgoingMessage] = []
        var lines: [String] = []
    }

    /// Tells people that a suspected change point is being re-measured: the commit's status is
    /// pending until the verdict. A run's own suspects set that status when the run was stored.
    func announceConfirmation(of job: Job, held: [SuspectRecord]) async -> [String] {
        guard let notify = settings.notify, !held.isEmpty else { return [] }
        let messages = runNotifications(notify)
            .confirming(.init(job), regression: held.contains { $0.kind == .regression })
        return await queueAndSend(messages, of: job, what: "confirmation")
    }

    /// A confirmation job that failed for good (its checkout or build) confirmed nothing: its
    /// suspects are recorded as not confirmed, and the statuses it kept pending end.
    ///
    /// - Returns: Lines for the job's report.
    func settleSuspects(of job: Job) async -> [String] {
        guard job.baseline != nil, let held = try? await store.heldSuspects(confirmationJobID: job.id), !held.isEmpty else { return [] }
        let decision = await decide(job, held: held, paired: SuiteComparison(baseline: [], candidate: [], policy: settings.compare.policy))
        do {
            try await store.resolveSuspects(decision.resolutions, confirmationJobID: job.id, notifications: decision.notifications, now: Date())
        } catch {
            logger.error("job \(job.id): its suspects stay held: \(error)")
            return ["  its suspects stay held: \(error)"]
        }
        return decision.lines.map { $0 + " (the confirmation job failed)" }
    }

    /// Decides each held suspect by the paired verdict: confirmed only when it has the suspect's
    /// direction, is significant and beyond the minimum effect, that is, when the paired job
    /// itself calls it a regression (or improvement). The runs that raised the suspects are then
    /// reported as they would have been without confirmation, telling only what was confirmed.
    func decide(_ job: Job, held: [SuspectRecord], paired: SuiteComparison) async -> Decision {
        var decision = Decision()
        var confirmed: Set<String> = []
        var decidedSuspects: [SuspectRecord] = []
        for suspect in held {
            guard let id = suspect.id else { continue }
            let measured = paired.benchmarks.first { $0.name == suspect.benchmark }
            let agrees = measured?.verdict.rawValue == suspect.kind.rawValue
            if agrees { confirmed.insert(suspect.benchmark) }
            decision.resolutions.append(SuspectResolution(suspectID: id, confirmed: agrees, measuredRatio: measured?.estimate?.ratio))
            var decided = suspect
            decided.state = agrees ? .confirmed : .refuted
            decided.confirmedRatio = measured?.estimate?.ratio
            decidedSuspects.append(decided)
            decision.lines.append("  \(decided.summary)" + (agrees ? "" : ": the paired A/B job measured \(measured?.verdict.rawValue ?? "nothing")"))
        }
        guard let notify = settings.notify else { return decision }
        let notifications = runNotifications(notify)
        let occasion = RunNotifications.Occasion(job)
        let runJobs = Set(held.compactMap(\.runJobID))
        if runJobs.isEmpty {
            // Only change points were suspected: the run's own report went out; the status the
            // confirmation set pending ends with the verdict.
            decision.notifications = notifications.confirmedChanges(occasion, held: decidedSuspects, confirmed: confirmed)
            return decision
        }
        for runJob in runJobs.sorted() {
            guard let suspect = held.first(where: { $0.runJobID == runJob }) else { continue }
            do {
                let repository = try GitRepository.open(at: home.mirrorPath(repository: settings.repository.name))
                let analyzer = Analyzer(store: store, repository: repository, settings: settings)
                // Told as the held run's own report: its check run is completed, not a new one started.
                let original = try await store.jobs(repository: settings.repository.name, commit: suspect.commit).first { $0.id == runJob }
                let run = try await analyzer.latestRun(of: suspect.commit)
                let comparison = try await analyzer.compare(try await analyzer.latestRun(of: suspect.baseline).results, run.results, baseline: suspect.baseline)
                decision.notifications += notifications.judged(
                    original.map(RunNotifications.Occasion.init) ?? occasion, baseline: (suspect.baseline, Analyzer.Baseline.Reason.nearestMeasuredAncestor.rawValue), comparison: comparison,
                    outcomes: run.experiments, announcing: confirmed)
            } catch {
                logger.warning("job \(job.id): the run that raised its suspects cannot be judged again: \(error)")
                decision.notifications += notifications.confirmedChanges(occasion, held: decidedSuspects, confirmed: confirmed)
            }
        }
        return decision
    }
}
