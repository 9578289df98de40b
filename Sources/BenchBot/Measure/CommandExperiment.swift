import Compare
import Foundation

/// Runs a benchmark tool directly, `warmup` launches discarded and `repeat` launches measured,
/// and parses its output; the results land in the Relay layout like a stage script's would.
struct CommandExperiment {
    let context: StageContext
    let experiment: ExperimentConfig
    let command: ExperimentConfig.Command
    let folders: ExperimentRunner.Folders
    let checkout: String
    let commit: ObjectID
    let environment: [String: String?]
    let timeout: Duration

    func run() async -> ExperimentRunner.Outcome {
        let startedAt = Date()
        let runner = ExperimentRunner(context: context)
        func finish(failedAt stage: String?, _ message: String, results: [BenchmarkResult] = [], summary: String? = nil) -> ExperimentRunner.Outcome {
            self.finish(failedAt: stage, message, startedAt: startedAt, results: results, summary: summary)
        }
        runner.writeStatus(StageStatus(success: true, message: ""), to: folders.status, file: "precheck.json")

        var merged = MergedResults()
        for launch in 0..<(command.warmup + command.repeatCount) {
            let measured = launch >= command.warmup
            switch await launchOnce(launch) {
            case .failure(let message):
                return finish(failedAt: "run", "launch \(launch + 1)\(measured ? "" : " (warmup)"): \(message)")
            case .success(let results) where measured:
                merged.merge(results)
            case .success:
                continue
            }
        }
        let results = merged.results
        // Two experiments' benchmarks of the same name stay apart.
        let prefixed = named(results)
        runner.writeStatus(StageStatus(success: true, message: ""), to: folders.status, file: "run.json")
        if let problem = writeData(results, startedAt: startedAt) {
            var outcome = finish(failedAt: "analysis", problem)
            outcome.unkept = problem
            return outcome
        }
        runner.writeStatus(StageStatus(success: true, message: ""), to: folders.status, file: "analysis.json")

        let noisy = results.filter { result in
            SampleSummary(result.samples).map { !NoiseAssessment($0).canResolve() } ?? true
        }
        let samples = results.map(\.samples.count)
        var summary = "\(results.count) benchmark(s), \(samples.min() ?? 0)–\(samples.max() ?? 0) samples each"
        var message = ""
        if !noisy.isEmpty {
            message = "too noisy to judge a 1% change (fix the benchmark, not the code): " + noisy.map(\.displayName).prefix(10).joined(separator: ", ")
            summary += "; \(noisy.count) too noisy to judge a 1% change"
        }
        writeSummary(summary)
        return finish(failedAt: nil, message, results: prefixed, summary: summary)
    }

    /// Records how the experiment ended: the stage's status file (`summary.json` on success) and its outcome.
    func finish(failedAt stage: String?, _ message: String, startedAt: Date, results: [BenchmarkResult] = [], summary: String? = nil) -> ExperimentRunner.Outcome {
        ExperimentRunner(context: context).writeStatus(StageStatus(success: stage == nil, message: message), to: folders.status,
                                                       file: stage.map { "\($0).json" } ?? "summary.json")
        return ExperimentRunner.Outcome(
            outcome: ExperimentOutcome(experiment: experiment.name, succeeded: stage == nil, failedStage: stage, message: message,
                                       startedAt: startedAt, finishedAt: Date(), summaryTitle: stage == nil ? (experiment.title ?? experiment.name) : nil,
                                       summaryValue: summary, notify: experiment.notify),
            results: results)
    }

    /// Leaves the Relay summary the dashboard's reports read.
    func writeSummary(_ summary: String) {
        ExperimentRunner(context: context).resetFolder(folders.summary)
        guard context.holds(folders.summary) else { return }
        let document = JSONValue.object(["title": .string(experiment.title ?? experiment.name), "value": .string(summary)])
        try? document.prettyPrinted().write(to: URL(fileURLWithPath: (folders.summary as NSString).appendingPathComponent("summary.json")))
    }

    enum Launch {
        case success([BenchmarkResult])
        case failure(String)
    }

    func launchOnce(_ index: Int) async -> Launch {
        var arguments = command.arguments
        if arguments[0].contains("/"), !arguments[0].hasPrefix("/") {
            arguments[0] = (checkout as NSString).appendingPathComponent(arguments[0])
        }
        let outputFile = command.output.map { (checkout as NSString).appendingPathComponent($0) }
        if let outputFile, context.holds(outputFile, checkout: checkout) { try? FileManager.default.removeItem(atPath: outputFile) }
        let result: CommandResult
        do {
            let (executable, argv) = context.command(arguments[0], Array(arguments.dropFirst()), checkout: checkout)
            result = try await CommandRunner.run(executable, arguments: argv, environment: environment,
                                                 workingDirectory: checkout, timeout: timeout, outputLimit: context.settings.runner.logLimit)
        } catch {
            return .failure("cannot run \(command.arguments[0]): \(error)")
        }
        let log = (context.logFolder as NSString).appendingPathComponent("\(experiment.name)-launch-\(index + 1).log")
        try? FileManager.default.createDirectory(atPath: context.logFolder, withIntermediateDirectories: true)
        try? (result.standardOutput + result.standardError).write(toFile: log, atomically: true, encoding: .utf8)
        if result.timedOut { return .failure("timed out after \(Int(timeout.seconds)) s; its processes were killed") }
        guard result.status == 0 else {
            let tail = result.standardError.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .failure("exited with status \(result.status)\(tail.isEmpty ? "" : ": \(tail)") (log \(log))")
        }
        let source = outputFile ?? "standard output of \(command.arguments.joined(separator: " "))"
        if let outputFile, !context.holds(outputFile, checkout: checkout) { return .failure(UntrustedSandbox.linkedOut(outputFile)) }
        do {
            if let outputFile {
                return .success(try command.format.parse(contentsOf: outputFile))
            }
            return .success(try command.format.parse(Data(result.standardOutput.utf8), file: source))
        } catch {
            return .failure(error.description)
        }
    }

    /// Keeps the merged results as this run's data.json, in benchbot-json's shape.
    func writeData(_ results: [BenchmarkResult], startedAt: Date) -> String? {
        let end = Date()
        let benchmarks: [JSONValue] = results.map { result in
            .object(["name": .string(result.benchmark), "parameters": .object(result.parameters.mapValues(JSONValue.string)),
                     "unit": .string(result.unit), "direction": .string(result.direction.rawValue),
                     "samples": .array(result.samples.map(JSONValue.number))])
        }
        let document = JSONValue.object([
            "timestamp": .string(context.timestamp), "commit": .string(commit.hex), "tvm_hash": .string(commit.hex),
            "start_time": .string(startedAt.formatted(.iso8601)), "end_time": .string(end.formatted(.iso8601)),
            "time_delta": .number(end.timeIntervalSince(startedAt)), "benchmarks": .array(benchmarks),
        ])
        let file = (folders.data as NSString).appendingPathComponent(context.dataFileName)
        // The results are kept in the store all the same; only this copy, which the job's own link would misplace, is not written.
        guard context.holds(file) else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: folders.data, withIntermediateDirectories: true)
            try AttemptJournal.writeAtomically(document.prettyPrinted(), to: file)
            return nil
        } catch {
            return "cannot write \(file): \(error.localizedDescription)"
        }
    }
}
