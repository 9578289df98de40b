import Compare
import Foundation

extension Worker {
    /// A paired A/B job: the candidate and the baseline checked out side by side, both built, and
    /// every experiment measured for both alternately in this one job on this machine, so that
    /// drift and the machine's state cancel out. Both halves are stored in one transaction, and the
    /// report carries the comparison.
    func performPaired(_ job: Job, baseline: ObjectID) async -> Measured {
        let startedAt = Date()
        let environment = EnvironmentRecord.capture(machine: settings.machine)
        // Both halves of an untrusted job are untrusted: they share its sandbox and build in its checkouts.
        let sandbox = sandbox(for: job)
        let candidate = makeContext(commit: job.commit, logs: "job-\(job.id)", startedAt: startedAt, untrusted: sandbox)
        let baselineContext = candidate.measuring(
            baseline, checkout: sandbox == nil ? home.path("work", "\(settings.repository.name)~baseline") : untrustedBaselineCheckout)
        let label = "job \(job.id) (\(job.commit.short)\(job.subject.map { " \($0)" } ?? "") against \(baseline.short))"
        // A confirmation job's commit stays "confirming", not "benchmarking", until it decides.
        let held = (try? await store.heldSuspects(confirmationJobID: job.id)) ?? []
        let announced = held.isEmpty ? await announceStart(of: job) : await announceConfirmation(of: job, held: held.filter { $0.runJobID == nil })

        if let sandbox, let problem = emptyUntrustedFolders(sandbox) {
            return await fail(job, label: label, stage: "checkout", message: problem)
        }
        do {
            try builder.checkOut(job.commit, branch: job.branch, remoteURL: job.remoteURL, into: candidate.checkout)
            try builder.checkOut(baseline, branch: nil, remoteURL: nil, into: baselineContext.checkout)
        } catch {
            return await fail(job, label: label, stage: error.stage, message: error.message)
        }
        if let failure = await builder.build(in: candidate.checkout, context: candidate, logName: "build", commit: job.commit) {
            return await fail(job, label: label, stage: failure.stage, message: failure.message)
        }
        if let failure = await builder.build(in: baselineContext.checkout, context: baselineContext, logName: "build", commit: baseline) {
            return await fail(job, label: label, stage: "baseline \(failure.stage)", message: failure.message)
        }

        let journal = AttemptJournal(home: home)
        journal.begin(candidate)
        journal.begin(baselineContext)
        let check = HomeCheck(home: home)
        // A maintainer's `/benchbot run NAME…` measures only those.
        let isChosen = { (name: String) in job.experiments.map { $0.contains(name) } ?? true }
        var outcomes = unparsableExperiments(check).filter { isChosen($0.experiment) }
        var candidateResults: [BenchmarkResult] = [], baselineResults: [BenchmarkResult] = []
        let refused = Set(outcomes.map(\.experiment))
        for experiment in check.experiments.filter({ $0.active && !refused.contains($0.name) && isChosen($0.name) }).sorted(by: { ($0.priority, $1.name) > ($1.priority, $0.name) }) {
            if Task.isCancelled { break }
            guard experiment.branch == nil else {
                outcomes.append(ExperimentOutcome(experiment: experiment.name, succeeded: false, failedStage: "precheck",
                                                  message: "an experiment that builds its own variant (remote/branch) has nothing to pair; it runs in ordinary jobs",
                                                  startedAt: Date(), finishedAt: Date(), notify: experiment.notify))
                continue
            }
            let (outcome, baselineSide) = await ExperimentRunner(context: candidate).runPaired(experiment, baseline: baselineContext)
            outcomes.append(outcome.outcome)
            candidateResults += outcome.results
            baselineResults += baselineSide
            if let problem = outcome.unkept {
                return await giveBack(job, label: label, reason: "results not kept: \(problem)")
            }
        }
        await archiveRawData(of: candidate)
        await archiveRawData(of: baselineContext)
        guard !Task.isCancelled else { return .unrecorded(JobReport(job: job, succeeded: false, lines: ["\(label): stopped"])) }
        // Judged as `benchbot compare` judges the pair; without the mirror, by the configured thresholds alone.
        let comparison: SuiteComparison
        if let repository = try? GitRepository.open(at: home.mirrorPath(repository: settings.repository.name)),
           let judged = try? await Analyzer(store: store, repository: repository, settings: settings)
               .compare(baselineResults, candidateResults, baseline: baseline) {
            comparison = judged
        } else {
            comparison = SuiteComparison(baseline: Analyzer.series(baselineResults), candidate: Analyzer.series(candidateResults),
                                         policy: settings.compare.policy)
        }
        var run = RunRecord(jobID: job.id, worker: identity.description, startedAt: startedAt, finishedAt: Date(), environment: environment,
                            results: candidateResults, experiments: outcomes,
                            pairedBaseline: RunRecord.PairedBaseline(commit: baseline, results: baselineResults))
        var decision = Decision()
        if held.isEmpty {
            run.notifications = judgedNotifications(for: job, results: candidateResults, outcomes: outcomes,
                                                    judged: (baseline, "paired A/B", comparison))
        } else {
            decision = await decide(job, held: held, paired: comparison)
            run.resolutions = decision.resolutions
            run.notifications = decision.notifications
        }
        let alreadyTold = await alreadyTold(run.notifications)
        if let unrecorded = await record(run, job: job, label: label) { return unrecorded }
        journal.end(candidate)
        journal.end(baselineContext)
        let table = ComparisonTable(baseline: baseline, candidate: job.commit, baselineReason: "paired A/B", comparison: comparison,
                                    scoreSpeedup: settings.compare.scoreSpeedup)
        let flagged = comparison.benchmarks.filter { $0.verdict == .regression || $0.verdict == .improvement }.map { benchmark in
            "  \(benchmark.verdict.rawValue): \(benchmark.name) \(benchmark.estimate.map { String(format: "%+.2f%%", ($0.ratio - 1) * 100) } ?? "")"
        }
        return .recorded(JobReport(job: job, succeeded: true, lines: ["\(label): done, paired A/B: \(table.counts)"]
                                       + outcomes.filter { !$0.succeeded }.map { "  \($0.summary)" } + flagged + decision.lines + alreadyTold,
                                   details: announced + outcomes.filter(\.succeeded).map { "  \($0.summary)" }, outcomes: outcomes),
                         tracksChanges: false)
    }
}
