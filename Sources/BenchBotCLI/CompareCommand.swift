import ArgumentParser
import BenchBot
import Foundation

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two commits' stored results, benchmark by benchmark, regressions first.",
        discussion: """
            With one revision, the baseline is chosen: for a commit on the tracked branch, its nearest \
            first-parent ancestor measured on this machine; for anything else, its merge base with the \
            tracked branch (queued first, at high priority, if it has no results yet). \
            Each change is the ratio of medians with a 95% Hodges–Lehmann interval; verdicts use \
            Mann–Whitney with Benjamini–Hochberg across the suite, and a practical threshold of 1% \
            widened by each benchmark's own noise in the baseline's history.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case markdown
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The machine class whose results to use (default: this machine's, benchbot.machine).")
    var machine: String?

    @Argument(help: "BASELINE CANDIDATE, or CANDIDATE alone (hashes or revisions).")
    var revisions: [String]

    @Option(name: .long, help: "text (default), markdown or json.")
    var format: Format = .text

    @Option(name: .long, help: "The smallest relative change that matters (default: benchbot.compare.minimum_effect, 0.01).")
    var minimumEffect: Double?

    func validate() throws {
        guard (1...2).contains(revisions.count) else { throw ValidationError("give CANDIDATE, or BASELINE CANDIDATE") }
        guard (minimumEffect ?? 0) >= 0 else { throw ValidationError("--minimum-effect must be 0 or more") }
    }

    func run() async throws {
        try await homeOptions.withIntake(machine: machine) { intake in
            if revisions.count == 1 {
                do {
                    try intake.refreshTrackedBranches()
                } catch {
                    printError("benchbot: warning: \(error); choosing the baseline from the branches as last fetched")
                }
            }
            let candidate = try intake.resolveCommit(revisions.last!)
            var analyzer = Analyzer(store: intake.store, repository: try intake.mirror.open(), settings: intake.config.benchbot)
            if let minimumEffect { analyzer.policy.minimumEffect = minimumEffect }
            // Named where it could be another: with --machine, or when several classes measure each commit.
            let shownMachine = machine != nil || intake.config.benchbot.measuringClasses.count > 1 ? intake.config.benchbot.machine : nil
            let baseline: Analyzer.Baseline
            do {
                if revisions.count == 1, let paired = try await intake.store.pairedRuns(repository: intake.config.benchbot.repository.name,
                                                                                       machine: intake.config.benchbot.machine, candidate: candidate) {
                    let comparison = try await analyzer.compare(paired.baseline, paired.candidate)
                    print(render(ComparisonTable(baseline: paired.baseline.commit, candidate: candidate, baselineReason: "paired A/B run, measured alternately",
                                                 comparison: comparison, scoreSpeedup: intake.config.benchbot.compare.scoreSpeedup, machine: shownMachine)),
                          terminator: "")
                    return
                }
                baseline = revisions.count == 2
                    ? Analyzer.Baseline(commit: try intake.resolveCommit(revisions[0]), reason: .named)
                    : try await analyzer.baseline(for: candidate)
                let comparison = try await analyzer.compare(baseline: baseline.commit, candidate: candidate)
                let table = ComparisonTable(baseline: baseline.commit, candidate: candidate, baselineReason: baseline.reason.rawValue, comparison: comparison,
                                            scoreSpeedup: intake.config.benchbot.compare.scoreSpeedup, machine: shownMachine)
                print(render(table), terminator: "")
            } catch let error as AnalysisError {
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
        }
    }

    private func render(_ table: ComparisonTable) -> String {
        switch format {
        case .text: table.text() + "\n"
        case .markdown: table.markdown() + "\n"
        case .json: String(decoding: table.json().prettyPrinted(), as: UTF8.self)
        }
    }
}
