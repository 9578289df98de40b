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
        let plan = CounterPlan(asked: command.counters, source: command.counters.isEmpty ? .unavailable("none asked for") : CounterSource.probed())
        var counted = CounterSamples(plan: plan)
        var reported = ReportedByTool()
        for launch in 0..<(command.warmup + command.repeatCount) {
            let measured = launch >= command.warmup
            switch await launchOnce(launch, counting: plan.mode == .timedLaunches ? plan : nil) {
            case .failure(let message):
                return finish(failedAt: "run", "launch \(launch + 1)\(measured ? "" : " (warmup)"): \(message)")
            case .success(let parsed, let reading) where measured:
                merged.merge(parsed.results)
                counted.add(reading)
                reported.add(parsed)
            case .success:
                continue
            }
        }
        await countSeparately(plan, first: command.warmup + command.repeatCount, into: &counted)
        let results = merged.results
        // Two experiments' benchmarks of the same name stay apart.
        let prefixed = named(results)
        let counterResults = counted.results(experiment: experiment.name)
        runner.writeStatus(StageStatus(success: true, message: ([counted.note].compactMap { $0 } + reported.warnings).joined(separator: "; ")),
                           to: folders.status, file: "run.json")
        if let problem = writeData(results, counters: counterResults, startedAt: startedAt) {
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
        var messages: [String] = []
        if !noisy.isEmpty {
            messages.append("too noisy to judge a 1% change (fix the benchmark, not the code): " + noisy.map(\.displayName).prefix(10).joined(separator: ", "))
            summary += "; \(noisy.count) too noisy to judge a 1% change"
        }
        if let counts = counted.summary { summary += "; \(counts)" }
        if let note = counted.note { messages.append(note) }
        messages += reported.shownWarnings
        writeSummary(summary)
        if let failed = reported.failureMessage(kept: results.count) {
            // The tool's own verdict on some benchmarks fails the experiment; its other results are kept.
            return finish(failedAt: "run", ([failed] + messages).joined(separator: "; "), results: prefixed + counterResults, summary: summary)
        }
        return finish(failedAt: nil, messages.joined(separator: "; "), results: prefixed + counterResults, summary: summary)
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
        /// What the tool reported (results, failures, warnings), and what counted the launch read, if anything did.
        case success(ParsedOutput, Result<CounterReading, CounterProblem>?)
        case failure(String)
    }

    /// Launches the command once.
    ///
    /// - Parameters:
    ///   - index: The launch's number in this experiment, for its log's name.
    ///   - counting: The counters to measure around it; a timed launch only when `nil`.
    ///   - counted: For a launch run only to be counted: it has a log of its own and the plan's
    ///     longer deadline, and its output is not parsed.
    func launchOnce(_ index: Int, counting: CounterPlan? = nil, counted: Bool = false) async -> Launch {
        var arguments = command.arguments
        if arguments[0].contains("/"), !arguments[0].hasPrefix("/") {
            arguments[0] = (checkout as NSString).appendingPathComponent(arguments[0])
        }
        let outputFile = command.output.map { (checkout as NSString).appendingPathComponent($0) }
        if let outputFile, context.holds(outputFile, checkout: checkout) { try? FileManager.default.removeItem(atPath: outputFile) }
        let result: CommandResult
        let counterFolder = counting.map { _ in makeCounterFolder() }
        defer { if let counterFolder { try? FileManager.default.removeItem(atPath: counterFolder) } }
        if let counting, let counterFolder { arguments = counting.wrap(arguments, folder: counterFolder) }
        let deadline = counted ? (counting?.countedTimeout(timeout) ?? timeout) : timeout
        do {
            let (executable, argv) = context.command(arguments[0], Array(arguments.dropFirst()), checkout: checkout)
            result = try await CommandRunner.run(executable, arguments: argv, environment: environment,
                                                 workingDirectory: checkout, timeout: deadline, outputLimit: context.settings.runner.logLimit)
        } catch {
            return .failure("cannot run \(arguments[0]): \(error)")
        }
        let log = (context.logFolder as NSString).appendingPathComponent("\(experiment.name)-\(counted ? "counted" : "launch")-\(index + 1).log")
        try? FileManager.default.createDirectory(atPath: context.logFolder, withIntermediateDirectories: true)
        try? (result.standardOutput + result.standardError).write(toFile: log, atomically: true, encoding: .utf8)
        if result.timedOut { return .failure("timed out after \(Int(deadline.seconds)) s; its processes were killed") }
        guard result.status == 0 else {
            let tail = result.standardError.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .failure("exited with status \(result.status)\(tail.isEmpty ? "" : ": \(tail)") (log \(log))")
        }
        var reading: Result<CounterReading, CounterProblem>?
        if let counting, let counterFolder { reading = counting.read(folder: counterFolder) }
        if counted { return .success(ParsedOutput(results: []), reading) }
        let source = outputFile ?? "standard output of \(command.arguments.joined(separator: " "))"
        if let outputFile, !context.holds(outputFile, checkout: checkout) { return .failure(UntrustedSandbox.linkedOut(outputFile)) }
        do {
            let parsed = if let outputFile {
                try command.format.parse(contentsOf: outputFile)
            } else {
                try command.format.parse(Data(result.standardOutput.utf8), file: source)
            }
            return .success(command.directions.apply(to: parsed), reading)
        } catch {
            return .failure(error.description)
        }
    }

    /// Keeps the merged results as this run's data.json, in benchbot-json's shape.
    /// Counter series go under `counters`, apart from the tool's benchmarks, with their full series names.
    func writeData(_ results: [BenchmarkResult], counters: [BenchmarkResult] = [], startedAt: Date) -> String? {
        let end = Date()
        func entries(_ results: [BenchmarkResult]) -> JSONValue {
            .array(results.map { result in
                .object(["name": .string(result.benchmark), "parameters": .object(result.parameters.mapValues(JSONValue.string)),
                         "unit": .string(result.unit), "direction": .string(result.direction.rawValue),
                         "samples": .array(result.samples.map(JSONValue.number))])
            })
        }
        var fields: [String: JSONValue] = [
            "timestamp": .string(context.timestamp), "commit": .string(commit.hex), "tvm_hash": .string(commit.hex),
            "start_time": .string(startedAt.formatted(.iso8601)), "end_time": .string(end.formatted(.iso8601)),
            "time_delta": .number(end.timeIntervalSince(startedAt)), "benchmarks": entries(results),
        ]
        if !counters.isEmpty { fields["counters"] = entries(counters) }
        let document = JSONValue.object(fields)
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
