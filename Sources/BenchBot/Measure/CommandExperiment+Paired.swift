import Foundation

extension CommandExperiment {
    /// Measures this experiment's commit and a baseline's alternately: each round launches both,
    /// in an order drawn at random per round, so that drift and the machine's state fall on both
    /// sides alike. Warmup launches run for both sides first and are discarded. There are `repeat`
    /// rounds, or `benchbot.compare.paired_rounds` if that is more, since the comparison tests the
    /// rounds' differences and few rounds cannot show anything.
    ///
    /// - Parameter baseline: The same experiment against the baseline's checkout.
    /// - Returns: This side's outcome and results, and the baseline's results.
    func runPaired(against baseline: CommandExperiment) async -> (outcome: ExperimentRunner.Outcome, baseline: [BenchmarkResult]) {
        let startedAt = Date()
        let runner = ExperimentRunner(context: context)
        func finish(failedAt stage: String?, _ message: String, results: [BenchmarkResult] = [], summary: String? = nil) -> ExperimentRunner.Outcome {
            self.finish(failedAt: stage, message, startedAt: startedAt, results: results, summary: summary)
        }
        runner.writeStatus(StageStatus(success: true, message: ""), to: folders.status, file: "precheck.json")
        let plan = CounterPlan(asked: command.counters, source: command.counters.isEmpty ? .unavailable("none asked for") : CounterSource.probed())
        var sides = [PairedSide(experiment: self, label: "candidate", plan: plan), PairedSide(experiment: baseline, label: "baseline", plan: plan)]
        for launch in 0..<command.warmup {
            for index in sides.indices {
                if case .failure(let message) = await sides[index].experiment.launchOnce(launch) {
                    return (finish(failedAt: "run", "\(sides[index].label) launch \(launch + 1) (warmup): \(message)"), [])
                }
            }
        }
        var orders: [String] = []
        let rounds = max(command.repeatCount, context.settings.compare.pairedRounds)
        for round in 0..<rounds {
            let order = Bool.random() ? [0, 1] : [1, 0]
            orders.append(order == [0, 1] ? "AB" : "BA")
            for index in order {
                switch await sides[index].experiment.launchOnce(command.warmup + round, counting: plan.mode == .timedLaunches ? plan : nil) {
                case .failure(let message):
                    return (finish(failedAt: "run", "\(sides[index].label) round \(round + 1): \(message)"), [])
                case .success(let parsed, let reading):
                    sides[index].merge(parsed.results)
                    sides[index].counted.add(reading)
                }
            }
        }
        await countSeparately(plan, sides: &sides, first: command.warmup + rounds)
        // A counter is stored for both sides or neither: a comparison needs both halves.
        let counts = sides.map { $0.counted.results(experiment: experiment.name, paired: true) }
        let both = Set(counts[0].map(\.benchmark)).intersection(counts[1].map(\.benchmark))
        let (candidateCounts, baselineCounts) = (counts[0].filter { both.contains($0.benchmark) }, counts[1].filter { both.contains($0.benchmark) })
        // One line: a note both sides share (no source here, a counter perf lacks) is said once.
        let notes = sides.map(\.counted.note)
        let note = notes[0] == notes[1] ? notes[0] ?? ""
            : zip(sides, notes).compactMap { side, note in note.map { "\(side.label): \($0)" } }.joined(separator: "; ")
        runner.writeStatus(StageStatus(success: true, message: "rounds: \(orders.joined(separator: " "))" + (note.isEmpty ? "" : "; \(note)")),
                           to: folders.status, file: "run.json")
        if let problem = writeData(sides[0].results, counters: candidateCounts, startedAt: startedAt)
            ?? baseline.writeData(sides[1].results, counters: baselineCounts, startedAt: startedAt) {
            return (finish(failedAt: "analysis", problem), [])
        }
        runner.writeStatus(StageStatus(success: true, message: ""), to: folders.status, file: "analysis.json")
        var summary = "\(sides[0].results.count) benchmark(s), paired with \(baseline.commit.short) over \(rounds) round(s)"
        if !both.isEmpty, let counted = sides[0].counted.summary { summary += "; \(counted)" }
        writeSummary(summary)
        return (finish(failedAt: nil, note, results: named(sides[0].results) + candidateCounts, summary: summary),
                named(sides[1].results) + baselineCounts)
    }

    /// A paired run's untimed counted launches: the two sides alternate, as their timed rounds did.
    private func countSeparately(_ plan: CounterPlan, sides: inout [PairedSide], first: Int) async {
        guard case .countedPass(let launches) = plan.mode else { return }
        for launch in 0..<launches {
            for index in sides.indices {
                switch await sides[index].experiment.launchOnce(first + launch, counting: plan, counted: true) {
                case .failure(let message):
                    sides[index].counted.fail("counted launch \(launch + 1) under cachegrind: \(message)")
                case .success(_, let reading):
                    sides[index].counted.add(reading)
                }
            }
        }
    }

    /// Series are named after their experiment, as Relay data.json series are.
    func named(_ results: [BenchmarkResult]) -> [BenchmarkResult] {
        results.map { result in
            var named = result
            named.benchmark = "\(experiment.name).\(result.benchmark)"
            return named
        }
    }
}

/// One side of a paired run and the samples it gathered.
private struct PairedSide {
    let experiment: CommandExperiment
    let label: String
    private var gathered = MergedResults()
    var counted: CounterSamples

    init(experiment: CommandExperiment, label: String, plan: CounterPlan) {
        self.experiment = experiment
        self.label = label
        counted = CounterSamples(plan: plan)
    }

    var results: [BenchmarkResult] { gathered.resultsWithRounds }

    mutating func merge(_ results: [BenchmarkResult]) { gathered.merge(results) }
}
