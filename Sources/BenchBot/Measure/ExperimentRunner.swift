import Foundation

/// Runs experiments by the Relay Dashboard's protocol.
///
/// Stages run in order: `setup.sh` (optional, rerun only when the experiment's files change or
/// `rerun_setup` is set), `run.sh`, `analyze.sh`, `visualize.sh`, `summarize.sh`. Each must leave
/// a `status.json`; the first that fails, hangs or leaves none stops that experiment, and the
/// others go on.
struct ExperimentRunner: Sendable {
    let context: StageContext

    /// Where an experiment's results go, as the Relay documentation lays them out.
    struct Folders {
        let status: String
        let data: String
        let summary: String
        let graph: String
        let raw: String
        let analysis: String

        /// - Parameters:
        ///   - context: The job's context, whose ``StageContext/resultsRoot`` holds the Relay folders.
        ///   - experiment: The experiment's name.
        ///   - rawDataRoot: The folder of the job's raw data.
        init(context: StageContext, experiment: String, rawDataRoot: String) {
            let experiments = (context.resultsRoot as NSString).appendingPathComponent("experiments")
            func folder(_ kind: String) -> String { ((experiments as NSString).appendingPathComponent(kind) as NSString).appendingPathComponent(experiment) }
            status = folder("status")
            data = folder("data")
            summary = folder("summary")
            graph = folder("graph")
            raw = (rawDataRoot as NSString).appendingPathComponent(experiment)
            analysis = (raw as NSString).appendingPathComponent("analysis")
        }
    }

    /// What one experiment produced.
    struct Outcome: Sendable {
        var outcome: ExperimentOutcome
        var results: [BenchmarkResult]
        /// Why the results, good as they are, could not be written under `results/`: the machine's
        /// failure, not the experiment's, so the job is not recorded as if they did not exist.
        var unkept: String? = nil
    }

    /// Runs one experiment against the context's checkout, or a variant's.
    ///
    /// - Parameters:
    ///   - experiment: Its parsed config.
    ///   - variant: The commit and checkout of the project variant it asked for, if any.
    func run(_ experiment: ExperimentConfig, variant: (commit: ObjectID, checkout: String)? = nil) async -> Outcome {
        var progress = Progress(experiment: experiment, startedAt: Date())
        let folders = Folders(context: context, experiment: experiment.name, rawDataRoot: context.rawDataFolder)
        let scripts = (context.scriptsFolder(context.settings.experimentsDirectory) as NSString).appendingPathComponent(experiment.name)
        let configFolder = context.configFolder(experiment: experiment.name)
        let environment = context.environment(experiment: experiment.name, commit: variant?.commit, checkout: variant?.checkout)
        let timeout = experiment.timeout ?? context.settings.runner.stageTimeout

        resetFolder(folders.status)
        if let command = experiment.command {
            return await CommandExperiment(context: context, experiment: experiment, command: command, folders: folders,
                                           checkout: variant?.checkout ?? context.checkout, commit: variant?.commit ?? context.commit,
                                           environment: environment, timeout: timeout).run()
        }
        guard precheck(scripts: scripts, folders: folders, progress: &progress) else { return progress.finish() }

        let setupScript = (scripts as NSString).appendingPathComponent("setup.sh")
        if FileManager.default.fileExists(atPath: setupScript) {
            guard await setUp(experiment, script: setupScript, scripts: scripts, configFolder: configFolder,
                              environment: environment, timeout: timeout, folders: folders, progress: &progress)
            else { return progress.finish() }
        }

        let stages: [(stage: String, script: String, arguments: [String], statusIn: String, statusFile: String)] = [
            ("run", "run.sh", [configFolder, folders.raw], folders.raw, "run.json"),
            ("analysis", "analyze.sh", [configFolder, folders.raw, folders.analysis], folders.analysis, "analysis.json"),
        ]
        resetFolder(folders.raw)
        for stage in stages {
            guard await runStage(stage.stage, script: (scripts as NSString).appendingPathComponent(stage.script), arguments: stage.arguments,
                                 statusIn: stage.statusIn, statusFile: stage.statusFile, experiment: experiment,
                                 environment: environment, timeout: timeout, folders: folders, progress: &progress)
            else { return progress.finish() }
        }
        guard let results = storeData(experiment, variantCommit: variant?.commit, folders: folders, progress: &progress) else {
            return progress.finish()
        }
        progress.results = results

        resetFolder(folders.graph)
        guard await runStage("visualization", script: (scripts as NSString).appendingPathComponent("visualize.sh"),
                             arguments: [configFolder, folders.data, folders.graph], statusIn: folders.graph,
                             statusFile: "visualization.json", experiment: experiment, environment: environment,
                             timeout: timeout, folders: folders, progress: &progress)
        else { return progress.finish() }

        resetFolder(folders.summary)
        guard await runStage("summary", script: (scripts as NSString).appendingPathComponent("summarize.sh"),
                             arguments: [configFolder, folders.data, folders.summary], statusIn: folders.summary,
                             statusFile: "summary.json", experiment: experiment, environment: environment,
                             timeout: timeout, folders: folders, progress: &progress)
        else { return progress.finish() }
        return readSummary(folders: folders, progress: &progress)
    }

    // MARK: - Stages

    private func precheck(scripts: String, folders: Folders, progress: inout Progress) -> Bool {
        let manager = FileManager.default
        var problem: String?
        if !manager.fileExists(atPath: scripts) {
            problem = "its scripts folder \(scripts) does not exist; set benchbot.experiments_dir to the folder holding them"
        } else {
            for script in HomeCheck.experimentStages {
                let path = (scripts as NSString).appendingPathComponent(script)
                if !manager.fileExists(atPath: path) { problem = "\(path) is missing"; break }
                if !manager.isExecutableFile(atPath: path) { problem = "\(path) is not executable; run chmod +x on it"; break }
            }
        }
        writeStatus(StageStatus(success: problem == nil, message: problem ?? ""), to: folders.status, file: "precheck.json")
        if let problem { progress.fail("precheck", problem) }
        return problem == nil
    }

    private func setUp(
        _ experiment: ExperimentConfig, script: String, scripts: String, configFolder: String,
        environment: [String: String?], timeout: Duration, folders: Folders, progress: inout Progress
    ) async -> Bool {
        // An untrusted job's setup output is its own: a fork's must never stand in for the trusted jobs' setup.
        let setupOutput = ((context.untrusted?.setupRoot ?? context.home.resolvePath(context.config.dashboard.setupDirectory)) as NSString)
            .appendingPathComponent(experiment.name)
        let digestFile = (setupOutput as NSString).appendingPathComponent(".benchbot-setup-digest")
        let digest = DirectoryDigest.of(scripts, excluding: ["setup"])
        let previous = try? String(contentsOfFile: digestFile, encoding: .utf8)
        if experiment.rerunSetup || previous != digest {
            resetFolder(setupOutput)
            guard await runStage("setup", script: script, arguments: [configFolder, setupOutput], statusIn: setupOutput,
                                 statusFile: "setup.json", experiment: experiment, environment: environment,
                                 timeout: timeout, folders: folders, progress: &progress)
            else { return false }
            try? digest.write(toFile: digestFile, atomically: true, encoding: .utf8)
        } else {
            writeStatus(StageStatus(success: true, message: "reused the setup output: the experiment has not changed since setup last ran"),
                        to: folders.status, file: "setup.json")
        }
        // The Relay protocol hands setup's files to the other stages in <experiment>/setup.
        let copy = (scripts as NSString).appendingPathComponent("setup")
        do {
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: setupOutput, toPath: copy)
        } catch {
            progress.fail("setup", "cannot copy \(setupOutput) to \(copy): \(error.localizedDescription)")
            return false
        }
        return true
    }

    private func runStage(
        _ stage: String, script: String, arguments: [String], statusIn: String, statusFile: String,
        experiment: ExperimentConfig, environment: [String: String?], timeout: Duration, folders: Folders,
        progress: inout Progress
    ) async -> Bool {
        if context.holds(statusIn) {
            try? FileManager.default.createDirectory(atPath: statusIn, withIntermediateDirectories: true)
            // A status.json left by an earlier run must not pass for this one's.
            try? FileManager.default.removeItem(atPath: (statusIn as NSString).appendingPathComponent("status.json"))
        }
        let (result, launchError) = await context.runScript(
            script, arguments: arguments, pinning: experiment.processPinning, environment: environment,
            timeout: timeout, logName: "\(experiment.name)-\(stage)")
        var status: StageStatus
        if let launchError {
            status = StageStatus(success: false, message: "cannot start \(script): \(launchError)")
        } else if let result, result.timedOut {
            status = StageStatus(success: false, message: "timed out after \(Int(timeout.seconds)) s; its processes were killed")
        } else if !context.holds((statusIn as NSString).appendingPathComponent("status.json")) {
            status = StageStatus(success: false, message: UntrustedSandbox.linkedOut((statusIn as NSString).appendingPathComponent("status.json")))
        } else {
            status = StageStatus.read(in: statusIn, stage: stage)
            if !status.success, let result, !status.message.contains("exit") {
                let tail = result.standardOutput.split(separator: "\n").suffix(3).joined(separator: " | ")
                if status.message.contains("left no status.json") {
                    status.message += " (exit \(result.status)\(tail.isEmpty ? "" : "; last output: \(tail)"))"
                }
            }
        }
        writeStatus(status, to: folders.status, file: statusFile)
        if !status.success { progress.fail(stage, status.message.isEmpty ? "\(stage) reported failure" : status.message) }
        return status.success
    }

    /// Adds BenchBot's fields to `data.json`, keeps it under results, and flattens it into series.
    private func storeData(_ experiment: ExperimentConfig, variantCommit: ObjectID?, folders: Folders, progress: inout Progress) -> [BenchmarkResult]? {
        let source = (folders.analysis as NSString).appendingPathComponent("data.json")
        guard context.holds(source) else {
            progress.fail("analysis", UntrustedSandbox.linkedOut(source))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            progress.fail("analysis", "analyze.sh reported success but wrote no data.json in \(folders.analysis)")
            return nil
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            progress.fail("analysis", "\(source): \(error); fix what analyze.sh writes")
            return nil
        }
        guard case .object(var fields) = document else {
            progress.fail("analysis", "the data.json analyze.sh wrote in \(folders.analysis) is not a JSON object")
            return nil
        }
        do {
            try ResultValidation.validateSamples(DataFlattening.results(experiment: nil, data: document),
                                                 FormatContext(file: source, format: .relayData))
        } catch {
            progress.fail("analysis", "\(error)")
            return nil
        }
        let end = Date()
        let commit = (variantCommit ?? context.commit).hex
        fields["timestamp"] = .string(context.timestamp)
        fields["commit"] = .string(commit)
        fields["tvm_hash"] = .string(commit)
        fields["start_time"] = .string(progress.startedAt.formatted(.iso8601))
        fields["end_time"] = .string(end.formatted(.iso8601))
        fields["time_delta"] = .number(end.timeIntervalSince(progress.startedAt))
        let destination = (folders.data as NSString).appendingPathComponent(context.dataFileName)
        guard context.holds(destination) else {
            progress.fail("analysis", UntrustedSandbox.linkedOut(destination))
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: folders.data, withIntermediateDirectories: true)
            try AttemptJournal.writeAtomically(JSONValue.object(fields).prettyPrinted(), to: destination)
        } catch {
            progress.fail("analysis", "cannot write \(destination): \(error.localizedDescription)")
            progress.unkept = "cannot write \(destination): \(error.localizedDescription)"
            return nil
        }
        return DataFlattening.results(experiment: experiment.name, data: .object(fields))
    }

    private func readSummary(folders: Folders, progress: inout Progress) -> Outcome {
        let file = (folders.summary as NSString).appendingPathComponent("summary.json")
        let summary = !context.holds(file) ? nil : FileManager.default.contents(atPath: file).flatMap { try? JSONValue.parse($0) }
        guard case .string(let title)? = summary?["title"], case .string(let value)? = summary?["value"] else {
            let status = StageStatus(success: false, message: "summary.json in \(folders.summary) needs string fields 'title' and 'value'")
            writeStatus(status, to: folders.status, file: "summary.json")
            progress.fail("summary", status.message)
            return progress.finish()
        }
        progress.summary = (title, value)
        return progress.finish()
    }

    // MARK: - Files

    func resetFolder(_ path: String) {
        guard context.holds(path) else { return }
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func writeStatus(_ status: StageStatus, to folder: String, file: String) {
        guard context.holds(folder) else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? status.json.prettyPrinted().write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
    }
}

/// An experiment's outcome as its stages complete.
private struct Progress {
    let experiment: ExperimentConfig
    let startedAt: Date
    var failure: (stage: String, message: String)?
    var summary: (title: String, value: String)?
    var results: [BenchmarkResult] = []
    var unkept: String?

    init(experiment: ExperimentConfig, startedAt: Date) {
        self.experiment = experiment
        self.startedAt = startedAt
    }

    mutating func fail(_ stage: String, _ message: String) {
        if failure == nil { failure = (stage, message) }
    }

    func finish() -> ExperimentRunner.Outcome {
        ExperimentRunner.Outcome(
            outcome: ExperimentOutcome(
                experiment: experiment.name, succeeded: failure == nil, failedStage: failure?.stage,
                message: failure?.message ?? "", startedAt: startedAt, finishedAt: Date(),
                summaryTitle: summary?.title, summaryValue: summary?.value, notify: experiment.notify),
            results: results, unkept: unkept)
    }
}
