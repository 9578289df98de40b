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

    /// - Parameters:
    ///   - commit: The commit the scripts see.
    ///   - logs: The name of the folder under `logs/` for this work's logs.
    ///   - startedAt: When the work started.
    ///   - untrusted: An untrusted job's sandbox: its own checkout, and its raw data in its private folder.
    func makeContext(commit: ObjectID, logs: String, startedAt: Date, untrusted: UntrustedSandbox? = nil) -> StageContext {
        let rawRoot = untrusted?.rawDataRoot ?? home.resolvePath(config.dashboard.temporaryDataDirectory)
        let logFolder = home.path("logs", logs)
        try? FileManager.default.removeItem(atPath: logFolder)
        return StageContext(
            home: home, config: config, commit: commit,
            checkout: untrusted == nil ? home.worktreePath(repository: settings.repository.name) : untrustedCheckout,
            startedAt: startedAt,
            rawDataFolder: (rawRoot as NSString).appendingPathComponent("benchmarks_\(startedAt.relayTimestamp)_\(commit.short)"),
            logFolder: logFolder,
            workerIdentity: identity.description, untrusted: untrusted)
    }

    /// Runs the active experiments, in random order or by priority then name, as configured.
    ///
    /// - Parameter only: The experiments a maintainer's `/benchbot run NAME…` chose; all when `nil`.
    /// - Returns: Also why results could not be kept under `results/` (a full disk, say), which
    ///   stops the job before anything is stored.
    func runExperiments(context: StageContext, only chosen: [String]? = nil) async -> ([ExperimentOutcome], [BenchmarkResult], [TelemetryRecord], unkept: String?) {
        let check = HomeCheck(home: home)
        let isChosen = { (name: String) in chosen.map { $0.contains(name) } ?? true }
        var outcomes = unparsableExperiments(check).filter { isChosen($0.experiment) }
        var results: [BenchmarkResult] = []
        var telemetry: [TelemetryRecord] = []
        var unkept: String?
        let refused = Set(outcomes.map(\.experiment))
        var experiments = check.experiments.filter { $0.active && !refused.contains($0.name) && isChosen($0.name) }
        if config.dashboard.randomize {
            experiments.shuffle()
        } else {
            experiments.sort { ($0.priority, $1.name) > ($1.priority, $0.name) }
        }
        var variants: [String: Result<(ObjectID, String), Builder.Failure>] = [:]
        for experiment in experiments {
            if Task.isCancelled { break }
            var variant: (commit: ObjectID, checkout: String)?
            if experiment.branch != nil, context.untrusted != nil {
                outcomes.append(refusedForUntrusted(experiment))
                continue
            }
            if let branch = experiment.branch {
                let key = "\(experiment.remote ?? "")#\(branch)"
                if variants[key] == nil {
                    do {
                        variants[key] = .success(try await builder.prepareVariant(remote: experiment.remote, branch: branch, context: context))
                    } catch {
                        variants[key] = .failure(error)
                    }
                }
                switch variants[key]! {
                case .success(let prepared): variant = prepared
                case .failure(let failure):
                    outcomes.append(ExperimentOutcome(experiment: experiment.name, succeeded: false, failedStage: failure.stage,
                                                      message: failure.message, startedAt: Date(), finishedAt: Date(), notify: experiment.notify))
                    continue
                }
            }
            let settings = TelemetrySettings.resolve(dashboard: config.dashboard, experiment: experiment)
            let (outcome, records) = await TelemetryRecorder.record(settings, experiment: experiment.name, timestamp: context.timestamp) {
                await ExperimentRunner(context: context).run(experiment, variant: variant)
            }
            TelemetryRecorder.write(records, home: home, fileStem: context.runStem, logger: logger)
            outcomes.append(outcome.outcome)
            results += outcome.results
            telemetry += records
            if let problem = outcome.unkept {
                unkept = problem
                break
            }
        }
        return (outcomes, results, telemetry, unkept)
    }

    /// Experiments that do not run, each failing its precheck with its config's problems: those
    /// whose config does not load, and active ones whose config loads only with defaults standing
    /// in for fields `benchbot check` flags. Missing scripts are left to the run's own precheck.
    func unparsableExperiments(_ check: HomeCheck) -> [ExperimentOutcome] {
        let loaded = Set(check.experiments.map(\.name))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: home.experimentConfigsDirectory)) ?? []
        func problems(of name: String) -> [ConfigProblem] {
            check.problems.filter { $0.file.contains("/experiments/\(name)/") || $0.file.hasSuffix("/experiments/\(name)") }
        }
        let unloaded = names.sorted().filter { !loaded.contains($0) && !$0.hasPrefix(".") }.compactMap { name -> ExperimentOutcome? in
            let folder = (home.experimentConfigsDirectory as NSString).appendingPathComponent(name)
            let problems = problems(of: name)
            guard !problems.isEmpty || FileManager.default.fileExists(atPath: folder) else { return nil }
            let message = problems.map { "\($0.field): \($0.problem)" }.joined(separator: "; ")
            return ExperimentOutcome(experiment: name, succeeded: false, failedStage: "precheck",
                                     message: message.isEmpty ? "its config does not load" : message, startedAt: Date(), finishedAt: Date())
        }
        let defaulted = check.experiments.filter(\.active).compactMap { experiment -> ExperimentOutcome? in
            let problems = problems(of: experiment.name).filter { $0.field != "scripts" }
            guard !problems.isEmpty else { return nil }
            return ExperimentOutcome(experiment: experiment.name, succeeded: false, failedStage: "precheck",
                                     message: problems.map { "\($0.field): \($0.problem)" }.joined(separator: "; "),
                                     startedAt: Date(), finishedAt: Date(), notify: experiment.notify)
        }
        return unloaded + defaulted
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

    /// Archives the job's raw experiment data next to it and removes the folder, as relay-bench does.
    func archiveRawData(of context: StageContext) async {
        let folder = context.rawDataFolder
        guard FileManager.default.fileExists(atPath: folder), context.holds(folder) else { return }
        let parent = (folder as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        let archive = (parent as NSString).appendingPathComponent("\(name)_data.tar.gz")
        let result = try? await CommandRunner.run("tar", arguments: ["-czf", archive, "-C", parent, name], timeout: .seconds(600))
        if result?.succeeded == true {
            try? FileManager.default.removeItem(atPath: folder)
        } else {
            logger.warning("cannot archive \(folder) to \(archive): \(result?.standardError ?? "tar did not start"); the folder is kept")
        }
    }
}
