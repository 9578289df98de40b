import Foundation

/// Running a job's experiments: their context, the order they run in, and their raw data afterwards.
extension Worker {
    /// Where a job's stage scripts run, and what they are told.
    ///
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
