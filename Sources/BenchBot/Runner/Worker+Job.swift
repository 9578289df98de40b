import Foundation

extension Worker {
    /// Runs one leased job: a heartbeat keeps its lease while it is measured, and a lost lease
    /// stops it unrecorded. Once the job is recorded (stored, or failed) the lease has done its
    /// work: what follows (change detection, sending) needs none, and a renewal that finds the job
    /// finished must not stop it.
    func execute(_ job: Job) async -> JobReport {
        let store = self.store, worker = identity.description, lease = settings.runner.leaseDuration
        let (measured, leaseLost) = await withTaskGroup(of: LeasePhase.self) { group in
            group.addTask { .measured(await perform(job)) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    if Task.isCancelled { break }
                    // A store error is transient; only a lease that is gone stops the job.
                    if (try? await store.renewLease(jobID: job.id, worker: worker, leaseDuration: lease, now: Date())) == false {
                        return .leaseLost
                    }
                    await beat(.working)
                }
                return .heartbeatStopped
            }
            var measured: Measured?, leaseLost = false
            // Both are awaited: the job's own answer wins over the heartbeat's, since a renewal
            // that fails because the job was just recorded says nothing about the job.
            for await phase in group {
                switch phase {
                case .measured(let result): measured = result
                case .leaseLost: leaseLost = true
                case .heartbeatStopped: break
                }
                group.cancelAll()
            }
            return (measured, leaseLost)
        }
        switch measured {
        case .recorded(var report, let tracksChanges):
            report.lines += unsandboxedLines(for: job)
            FaultPoint.jobRecorded.reach()
            return await afterRecording(job, report, tracksChanges: tracksChanges)
        // A job given back because the store or disk failed says so even when a renewal tick
        // found it already given back: the worker must stop, not spend the next jobs' attempts.
        case .unrecorded(var report) where !leaseLost || report.storeFailure != nil:
            report.lines += unsandboxedLines(for: job)
            return report
        case .unrecorded, nil:
            return JobReport(job: job, succeeded: false, lines: ["job \(job.id) (\(job.commit.short)): lease lost; stopped unrecorded"])
        }
    }

    /// What follows a stored run, out of the lease: its change points, the site, and the messages.
    func afterRecording(_ job: Job, _ recorded: JobReport, tracksChanges: Bool) async -> JobReport {
        var report = recorded
        if tracksChanges { report.lines += await trackChanges(after: job).map { "  \($0)" } }
        // The site first: the messages sent next link to its pages.
        if report.succeeded { await updateSite(after: job, report: &report) }
        let delivery = await deliveryReport()
        report.lines += delivery.news
        report.details += delivery.details
        return report
    }

    /// What the heartbeat and the measuring task each end with.
    private enum LeasePhase: Sendable {
        case measured(Measured)
        case leaseLost
        case heartbeatStopped
    }

    /// Where a job stands when its leased part ends.
    enum Measured: Sendable {
        /// Nothing was recorded: the job was stopped, or its lease was gone when it was to be recorded.
        case unrecorded(JobReport)
        /// The store holds the job's end (its run, or its failure); what is left needs no lease.
        case recorded(JobReport, tracksChanges: Bool)
    }

    private func perform(_ job: Job) async -> Measured {
        if let baseline = job.baseline { return await performPaired(job, baseline: baseline) }
        let startedAt = Date()
        let environment = EnvironmentRecord.capture(machine: settings.machine)
        let sandbox = sandbox(for: job)
        let context = makeContext(commit: job.commit, logs: "job-\(job.id)", startedAt: startedAt, untrusted: sandbox)
        let label = "job \(job.id) (\(job.commit.short)\(job.subject.map { " \($0)" } ?? ""))"
        let announced = await announceStart(of: job)

        if let sandbox, let problem = emptyUntrustedFolders(sandbox) {
            return await fail(job, label: label, stage: "checkout", message: problem)
        }
        do {
            try builder.checkOut(job.commit, branch: job.branch, remoteURL: job.remoteURL, into: context.checkout)
        } catch {
            return await fail(job, label: label, stage: error.stage, message: error.message)
        }
        if let failure = await builder.build(in: context.checkout, context: context, logName: "build", commit: job.commit) {
            return await fail(job, label: label, stage: failure.stage, message: failure.message)
        }

        let journal = AttemptJournal(home: home)
        journal.begin(context)
        let (outcomes, results, telemetry, unkept) = await runExperiments(context: context, only: job.experiments)
        await archiveRawData(of: context)
        guard !Task.isCancelled else { return .unrecorded(JobReport(job: job, succeeded: false, lines: ["\(label): stopped"])) }
        if let unkept {
            return await giveBack(job, label: label, reason: "results not kept: \(unkept)")
        }
        let run = RunRecord(jobID: job.id, worker: identity.description, startedAt: startedAt, finishedAt: Date(),
                            environment: environment, results: results, experiments: outcomes, telemetry: telemetry)
        // Judging reads the history: a store that cannot be reached now is waited for, with the run spooled.
        if let unrecorded = await untilStoreAnswers(job, keeping: run, label: label) { return unrecorded }
        return await finish(job, measured: run, label: label, announced: announced) { journal.end(context) }
    }

    /// Judges a measured run, works out what to tell, and stores it with its messages: the part
    /// of a job after its experiments, also run for a run a dead predecessor spooled.
    ///
    /// - Parameter stored: Called once the run is stored.
    func finish(_ job: Job, measured: RunRecord, label: String, announced: [String], stored: () -> Void = {}) async -> Measured {
        var run = measured
        let results = run.results, outcomes = run.experiments
        let judgement = await judge(job, results: results)
        let hold = await hold(job, judgement: judgement)
        if let suspicion = hold?.suspicion {
            run.suspicion = suspicion
            run.notifications = heldNotifications(for: job, holdsRegression: hold?.holdsRegression ?? true)
        } else {
            run.notifications = judgedNotifications(for: job, results: results, outcomes: outcomes,
                                                    judged: judgement.map { ($0.baseline.commit, $0.baseline.reason.rawValue, $0.comparison) },
                                                    announcing: hold?.announcing)
        }
        let alreadyTold = await alreadyTold(run.notifications)
        if let unrecorded = await record(run, job: job, label: label) { return unrecorded }
        if run.suspicion != nil { FaultPoint.suspectHeld.reach() }
        stored()
        let failed = outcomes.filter { !$0.succeeded }.count
        let headline = "\(label): done, \(results.count) result(s)" + (failed > 0 ? ", \(failed) of \(outcomes.count) experiment(s) failed" : "")
        let held = run.suspicion.map { suspicion in
            suspicion.suspects.map { "  \($0.summary): held until a paired A/B job against \(suspicion.confirmation.baseline?.short ?? "?") confirms it" }
        } ?? []
        // A failed experiment is news; a successful one, and where messages went, are details.
        return .recorded(JobReport(job: job, succeeded: true, lines: [headline] + outcomes.filter { !$0.succeeded }.map { "  \($0.summary)" } + held + alreadyTold,
                                   details: announced + outcomes.filter(\.succeeded).map { "  \($0.summary)" },
                                   outcomes: outcomes), tracksChanges: true)
    }

    /// Looks for change points in the tracked branch's history now that this commit is measured.
    /// A failure here is logged: the run is stored, and the next run looks again.
    private func trackChanges(after job: Job) async -> [String] {
        do {
            let repository = try GitRepository.open(at: home.mirrorPath(repository: settings.repository.name))
            let analyzer = Analyzer(store: store, repository: repository, settings: settings)
            guard let tip = analyzer.historyTip(for: job.commit) else { return [] }
            let changes = try await analyzer.trackChanges(endingAt: tip)
            if settings.compare.automaticBisection {
                for midpoint in try await analyzer.queueBisectionMidpoints() {
                    logger.info("job \(job.id): queued \(midpoint.short) to bisect a change")
                }
            }
            let held = try await holdChangePoints(analyzer: analyzer)
            return changes.map(\.summary) + held.map { "\($0.summary): held until a paired A/B job confirms it" }
        } catch {
            logger.warning("job \(job.id): change detection did not run: \(error)")
            return []
        }
    }

    /// Records the job's failure; the notifications it queues go out after the lease phase. A stage
    /// that failed on a full disk says nothing about the commit: that job goes back to the queue.
    func fail(_ job: Job, label: String, stage: String, message: String) async -> Measured {
        if let full = fullDisk() {
            return await giveBack(job, label: label, reason: "\(stage) failed (\(message)) while \(full)")
        }
        let store = self.store, worker = identity.description
        let notifications = failureNotifications(for: job, stage: stage, message: message)
        // A store that cannot be reached is waited for, as for a measured run: giving up would
        // stop the worker and leave the job to run again once its lease ran out.
        var backoff = StoreBackoff(), waiting = false
        while true {
            do {
                try await reserve.withRoom { () throws(StoreError) in
                    try await store.failJob(jobID: job.id, worker: worker, message: "\(stage): \(message)", notifications: notifications, now: Date())
                }
                break
            } catch where error.isUnreachable && !Task.isCancelled {
                if !waiting { logger.warning("\(label): \(error); its failure is recorded once the store answers") }
                waiting = true
                await backoff.wait()
            } catch {
                return .unrecorded(JobReport(job: job, succeeded: false, lines: ["\(label): failed at \(stage): \(message); the failure was not recorded: \(error)"],
                                             storeFailure: error.isLeaseLost ? nil : "job \(job.id) (\(job.commit.short)): its failure was not recorded: \(error)"))
            }
        }
        let undecided = await settleSuspects(of: job)
        return .recorded(JobReport(job: job, succeeded: false, lines: ["\(label): failed at \(stage): \(message)"] + undecided), tracksChanges: false)
    }
}
