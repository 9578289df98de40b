import ArgumentParser
import BenchBot
import Compare
import Foundation
import Logging

struct AABenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aa",
        abstract: "The A/A check: one commit measured again and again, every pair of runs compared; all should be unchanged.",
        discussion: """
            Runs `enqueue --commit REV --rerun` and `work` --runs times on an existing home (the demo's, say), then \
            compares every pair of that commit's runs the way `benchbot compare` does, with thresholds widened by the \
            branch's own noise. Compared in the same run: a fixed 1% threshold on the change of the mean, as \
            threshold-based tools alert.

            With --tracked it reruns the tracked branch's last --history commits instead, oldest first, each as an \
            ordinary tracked-branch job (and whatever confirmation it queues), and counts the announcements made: \
            since nothing changed since those commits were first measured, each one is a false alarm. It also \
            counts the suspects that confirmation held back. It fails when anything was announced.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The commit to measure again and again (default: the tracked branch's tip).")
    var commit: String?

    @Option(name: .long, help: "Runs of the commit (default 10).")
    var runs = 10

    @Flag(name: .long, inversion: .prefixedNo, help: "Measure each run as a paired A/A job, the commit against itself alternately (default), rather than run after run.")
    var paired = true

    @Flag(name: .long, help: "Rerun the tracked branch's history instead: each of the last --history commits measured again as an ordinary job; every announcement is a false alarm.")
    var tracked = false

    @Option(name: .long, help: "With --tracked: how many first-parent commits, ending at the tip (default 30, the demo's).")
    var history = 30

    func validate() throws {
        if runs < 2 { throw ValidationError("--runs must be at least 2") }
        if history < 2 { throw ValidationError("--history must be at least 2") }
    }

    func run() async throws {
        if tracked { return try await runTracked() }
        try await homeOptions.withStore { home, config, store in
            let intake = Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            let settings = config.benchbot
            let target = try intake.resolveCommit(commit ?? settings.repository.branches.first ?? "main")
            let benchbot = currentExecutable()
            for run in 0..<runs {
                let enqueue = ["enqueue", "--home", home.root, "--commit", target.hex, "--rerun"] + (paired ? ["--paired-with", target.hex] : [])
                for arguments in [enqueue, ["work", "--home", home.root]] {
                    let result = try await CommandRunner.run(benchbot, arguments: arguments, timeout: .seconds(3600))
                    guard result.succeeded else { throw ValidationError("benchbot \(arguments[0]) failed on run \(run + 1): \(result.standardError)") }
                }
            }
            let stored = try await store.runs(repository: settings.repository.name, commit: target).filter { $0.machine == settings.machine }
            let analyzer = Analyzer(store: store, repository: try intake.mirror.open(), settings: settings)
            let widened = try await analyzer.policy(widenedByHistoryEndingAt: target)
            var verdicts: [Verdict: Int] = [:]
            var flaggedByBenchmark: [String: Int] = [:]
            var naiveFlags = 0, comparisons = 0
            // Paired: each job's two halves; run after run: every pair of ordinary runs.
            var pairs: [(StoredRun, StoredRun)] = []
            if paired {
                let byJob = Dictionary(grouping: stored.filter { $0.role != nil }, by: \.jobID)
                for halves in byJob.values {
                    // A job rerun keeps its id; take each rerun's pair by run order.
                    let baselines = halves.filter { $0.role == "baseline" }.sorted { $0.id < $1.id }
                    let candidates = halves.filter { $0.role == "candidate" }.sorted { $0.id < $1.id }
                    pairs += zip(baselines, candidates).suffix(runs).map { ($0, $1) }
                }
            } else {
                let ordinary = Array(stored.filter { $0.role == nil }.suffix(runs))
                for first in ordinary.indices { for second in ordinary.indices where second > first { pairs.append((ordinary[first], ordinary[second])) } }
            }
            for (first, second) in pairs {
                do {
                    for benchmark in try await analyzer.compare(first, second).benchmarks {
                        verdicts[benchmark.verdict, default: 0] += 1
                        if benchmark.verdict != .unchanged { flaggedByBenchmark[benchmark.name, default: 0] += 1 }
                        comparisons += 1
                        if let before = benchmark.baseline?.mean, let after = benchmark.candidate?.mean, before != 0, abs(after / before - 1) > 0.01 { naiveFlags += 1 }
                    }
                }
            }
            let unchanged = Double(verdicts[.unchanged] ?? 0) / Double(max(comparisons, 1))
            print("A/A check on \(target.short): \(pairs.count) \(paired ? "paired A/A jobs" : "pairs of runs"), \(comparisons) benchmark comparisons")
            print(Verdict.allCases.sorted { $0.rank < $1.rank }.map { "\(verdicts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
            print(String(format: "BenchBot: %.1f%% unchanged (target ≥ 99%%); a fixed 1%% threshold on the mean: %.1f%% flagged as changed",
                         unchanged * 100, Double(naiveFlags) * 100 / Double(max(comparisons, 1))))
            for (name, count) in flaggedByBenchmark.sorted(by: { $0.key < $1.key }) {
                let noise = widened.historicalNoise[name].map { String(format: "%.1f%%", $0 * 100) } ?? "unknown"
                print("  \(name): \(count) of \(pairs.count) pairs not unchanged (history noise \(noise))")
            }
            if unchanged < 0.99 { throw ExitCode(1) }
        }
    }
}
