import Foundation

extension ExperimentRunner {
    /// Runs an experiment for a paired A/B job: for this context's commit (the candidate) and for
    /// the baseline's, on the same machine in the same job.
    ///
    /// Command experiments alternate launch by launch, `repeat` or `benchbot.compare.paired_rounds`
    /// rounds, whichever is more, in an order drawn per round.
    /// Relay stage experiments alternate whole runs, `benchbot.compare.paired_rounds` rounds in an
    /// order drawn per round; the Relay folders are left with the candidate's status and summary.
    ///
    /// - Parameters:
    ///   - experiment: Its parsed config.
    ///   - baseline: The same job's context for the baseline commit and checkout.
    /// - Returns: The candidate's outcome and results, and the baseline's results.
    func runPaired(_ experiment: ExperimentConfig, baseline: StageContext) async -> (outcome: Outcome, baseline: [BenchmarkResult]) {
        let timeout = experiment.timeout ?? context.settings.runner.stageTimeout
        if let command = experiment.command {
            let folders = Folders(context: context, experiment: experiment.name, rawDataRoot: context.rawDataFolder)
            resetFolder(folders.status)
            let candidateSide = CommandExperiment(context: context, experiment: experiment, command: command, folders: folders,
                                                  checkout: context.checkout, commit: context.commit,
                                                  environment: context.environment(experiment: experiment.name), timeout: timeout)
            let baselineSide = CommandExperiment(context: baseline, experiment: experiment, command: command,
                                                 folders: Folders(context: baseline, experiment: experiment.name, rawDataRoot: baseline.rawDataFolder),
                                                 checkout: baseline.checkout, commit: baseline.commit,
                                                 environment: baseline.environment(experiment: experiment.name), timeout: timeout)
            return await candidateSide.runPaired(against: baselineSide)
        }
        let baselineRunner = ExperimentRunner(context: baseline)
        var candidate: Outcome?
        var candidateResults = MergedResults(), baselineResults = MergedResults()
        for _ in 0..<max(1, context.settings.compare.pairedRounds) {
            let baselineFirst = Bool.random()
            if baselineFirst { baselineResults.merge(await baselineRunner.run(experiment).results) }
            let outcome = await run(experiment)
            candidate = outcome
            candidateResults.merge(outcome.results)
            // A failed round fails the experiment, as an unpaired run would; the rest is not worth the time.
            guard outcome.outcome.succeeded else { return (outcome, baselineResults.resultsWithRounds) }
            if !baselineFirst {
                let kept = preserveRelayFolders(of: experiment.name)
                baselineResults.merge(await baselineRunner.run(experiment).results)
                kept.restore()
            }
        }
        var outcome = candidate!
        outcome.results = candidateResults.resultsWithRounds
        return (outcome, baselineResults.resultsWithRounds)
    }

    /// A copy of an experiment's status, summary and graph folders, to put back after the baseline's run.
    private func preserveRelayFolders(of experiment: String) -> PreservedFolders {
        let folders = Folders(context: context, experiment: experiment, rawDataRoot: context.rawDataFolder)
        let copy = (context.rawDataFolder as NSString).appendingPathComponent(".candidate-\(experiment)")
        try? FileManager.default.removeItem(atPath: copy)
        try? FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        var saved: [(original: String, copy: String)] = []
        for (index, folder) in [folders.status, folders.summary, folders.graph].enumerated()
        where FileManager.default.fileExists(atPath: folder) && context.holds(folder) {
            let destination = (copy as NSString).appendingPathComponent("\(index)")
            if (try? FileManager.default.copyItem(atPath: folder, toPath: destination)) != nil { saved.append((folder, destination)) }
        }
        return PreservedFolders(saved: saved, root: copy)
    }
}

/// Results of several rounds (launches, or whole runs), each benchmark's samples gathered in the
/// order measured, with how many each round gave.
struct MergedResults {
    private var order: [String] = []
    private var merged: [String: BenchmarkResult] = [:]

    /// Every round's samples together, as an ordinary run stores them.
    var results: [BenchmarkResult] {
        order.map { name in
            var result = merged[name]!
            result.rounds = nil
            return result
        }
    }

    /// The same, each with its rounds, as a half of a paired run stores them.
    var resultsWithRounds: [BenchmarkResult] { order.map { merged[$0]! } }

    /// Adds one round's results.
    mutating func merge(_ results: [BenchmarkResult]) {
        for result in results where !result.samples.isEmpty {
            if merged[result.displayName] == nil {
                order.append(result.displayName)
                merged[result.displayName] = result
                merged[result.displayName]!.rounds = [result.samples.count]
            } else {
                merged[result.displayName]!.samples += result.samples
                merged[result.displayName]!.rounds!.append(result.samples.count)
            }
        }
    }
}

/// Folders copied aside, put back by ``restore()``.
struct PreservedFolders {
    let saved: [(original: String, copy: String)]
    let root: String

    func restore() {
        for entry in saved {
            try? FileManager.default.removeItem(atPath: entry.original)
            try? FileManager.default.moveItem(atPath: entry.copy, toPath: entry.original)
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}
