import ArgumentParser
import BenchBot
import Compare
import Foundation

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Show a commit's stored results with each benchmark's noise summary.",
        discussion: """
            One row per benchmark of the commit's newest run: sample count, median, mean, standard deviation, \
            coefficient of variation, min, max, and the smallest change a comparison of two such runs would \
            detect (2.8·CV·√(2/n)). A benchmark that cannot detect a 1% change is marked: fix the benchmark \
            (more repetitions, a quieter machine, a longer workload), not the code.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The machine class whose results to use (default: this machine's, benchbot.machine).")
    var machine: String?

    @Argument(help: "A hash or revision (default: the tip of the first tracked branch).")
    var revision: String?

    @Option(name: .long, help: "text (default) or json.")
    var format: Format = .text

    func run() async throws {
        try await homeOptions.withIntake(machine: machine) { intake in
            let revision = revision ?? intake.config.benchbot.repository.branches.first ?? "main"
            let commit = try intake.resolveCommit(revision)
            let runs = try await intake.store.runs(repository: intake.config.benchbot.repository.name, commit: commit)
            // Halves of paired A/B runs are shown by `benchbot compare`, not as the commit's results.
            guard let run = runs.last(where: { $0.role == nil && $0.machine == intake.config.benchbot.machine }) else {
                let machine = intake.config.benchbot.machine
                let elsewhere = Set(runs.filter { $0.role == nil }.map(\.machine)).sorted()
                printError("benchbot: no runs of \(commit.short) (\(revision)) on machine class \(machine) yet; "
                    + (elsewhere.isEmpty ? "queue it with `benchbot enqueue --commit \(commit.hex)`, then `benchbot work`"
                        : "it was measured on \(elsewhere.joined(separator: ", ")): pass --machine \(elsewhere[0])"))
                throw ExitCode(1)
            }
            let report = ResultsReport(run: run)
            switch format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            case .text:
                print(report.text())
            }
        }
    }
}
