import ArgumentParser
import BenchBot
import Compare
import Foundation
import Logging

struct BisectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bisect",
        abstract: "Find the commit between GOOD and BAD that changed a benchmark, measuring midpoints first.",
        discussion: """
            For a change that fell between two measured commits with unmeasured ones between them (nightly \
            runs, batched pushes). Each midpoint on the first-parent history is queued at high priority and \
            run here (or, when a worker already runs on this home, waited for) until one commit is left. A \
            midpoint is bad when its median is nearer the bad commit's than the good one's; one whose build \
            fails is skipped, and the answer may then be a range.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The benchmark, as `benchbot results` names it.")
    var benchmark: String

    @Argument(help: "A measured commit before the change.")
    var good: String

    @Argument(help: "A measured commit after it.")
    var bad: String

    @Option(name: .long, help: "Seconds to wait for another worker to measure a midpoint (default 3600).")
    var timeout: Double = 3600

    func validate() throws {
        if let problem = BoundedSeconds.standard.problem(timeout) { throw ValidationError("--timeout \(problem)") }
    }

    func run() async throws {
        try await homeOptions.withStore { home, config, store in
            let intake = Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            let goodCommit = try intake.resolveCommit(good), badCommit = try intake.resolveCommit(bad)
            let repository = try intake.mirror.open()
            let analyzer = Analyzer(store: store, repository: repository, settings: config.benchbot)
            do {
                guard try repository.isAncestor(goodCommit, of: badCommit), goodCommit != badCommit else {
                    throw ValidationError("\(goodCommit.short) is not an ancestor of \(badCommit.short); give GOOD first, then BAD")
                }
                let good = try await level(of: goodCommit, analyzer)
                let bad = try await level(of: badCommit, analyzer)
                guard let good, let bad else { throw AnalysisError.unknownBenchmark(benchmark, commit: good == nil ? goodCommit : badCommit) }
                let (goodLevel, badLevel) = (good.median, bad.median)
                // One scale for every level printed, so they read side by side.
                let scale = HumanUnits(unit: bad.unit, values: [goodLevel, badLevel])
                func format(_ value: Double) -> String { scale.format(value) }
                let commits = [goodCommit] + (try repository.commits(from: badCommit, excluding: [goodCommit], firstParent: true))
                var bisection = Bisection(count: commits.count, goodLevel: goodLevel, badLevel: badLevel)
                print("bisecting \(commits.count - 2) commit(s) between \(goodCommit.short) (\(format(goodLevel))) and \(badCommit.short) (\(format(badLevel)))")
                let worker = Worker(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
                while let position = bisection.next {
                    let commit = commits[position]
                    let subject = (try? repository.metadata(of: commit).subject) ?? ""
                    guard let measured = try await measure(commit, analyzer: analyzer, worker: worker, store: store, config: config) else {
                        bisection.skip(position)
                        print("  \(commit.short) \(subject): cannot be measured; skipped")
                        continue
                    }
                    bisection.record(position, level: measured.median)
                    let verdict = position == bisection.bad ? "bad" : "good"
                    print("  \(commit.short) \(subject): \(format(measured.median)) → \(verdict), \(bisection.suspects.count) suspect(s) left")
                }
                if let culprit = bisection.culprit {
                    let commit = commits[culprit]
                    print("culprit: \(commit.hex) \((try? repository.metadata(of: commit).subject) ?? "")")
                } else {
                    let range = bisection.suspects.map { commits[$0].short }.joined(separator: ", ")
                    print("the change is in one of: \(range) (the others between could not be measured)")
                }
            } catch let error as AnalysisError {
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
        }
    }

    /// The benchmark's median at `commit`, and its unit.
    private func level(of commit: ObjectID, _ analyzer: Analyzer) async throws -> (median: Double, unit: String)? {
        let run = try await analyzer.latestRun(of: commit)
        return run.results.first { $0.displayName == benchmark }.flatMap { result in SampleSummary(result.samples).map { ($0.median, result.unit) } }
    }

    /// The benchmark's median at `commit`, measuring it first when it has no run; `nil` when it cannot be measured.
    private func measure(_ commit: ObjectID, analyzer: Analyzer, worker: Worker, store: any Store, config: HomeConfig) async throws -> (median: Double, unit: String)? {
        let machine = config.benchbot.machine, repository = config.benchbot.repository.name
        let deadline = ContinuousClock.now + .seconds(timeout)
        var queued = false
        while true {
            if try await !store.latestRunIDs(repository: repository, machine: machine, suite: config.benchbot.suite, commits: [commit]).isEmpty {
                return try await level(of: commit, analyzer)
            }
            let jobs = try await store.jobs(in: nil, limit: nil).filter { $0.commit == commit && $0.machine == machine }
            if jobs.contains(where: { $0.state == .failed || $0.state == .cancelled }) { return nil }
            if !queued {
                try await analyzer.queue(commit, priority: 200)
                queued = true
                continue
            }
            // Run it here; when another worker holds this home, it will, and this waits for it.
            if try await !worker.run(.once) {
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("\(commit.short) was not measured within \(Int(timeout)) s; is the worker running?")
                }
                try await Task.sleep(for: .seconds(2))
            }
        }
    }
}
