import ArgumentParser
import BenchBot
import Compare
import Foundation

struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List the change points found in the tracked branch's history, each with its culprit commit.",
        discussion: """
            Change points are found after every run on the tracked branch and after every import; each is \
            stored once, at its first commit, with the levels before and after. --detect looks again now.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The machine class whose results to use (default: this machine's, benchbot.machine).")
    var machine: String?

    @Flag(name: .long, help: "Run detection over the tracked branch now, before listing.")
    var detect = false

    @Option(name: .long, help: "text (default) or json.")
    var format: Format = .text

    func run() async throws {
        try await homeOptions.withIntake(machine: machine) { intake in
            let settings = intake.config.benchbot
            let repository = try intake.mirror.open()
            let analyzer = Analyzer(store: intake.store, repository: repository, settings: settings)
            let tip = try? analyzer.trackedTip()
            if detect {
                guard let tip else {
                    printError("benchbot: the mirror has no branch \(analyzer.trackedBranch) yet; run `benchbot poll` first")
                    throw ExitCode(1)
                }
                let found = try await analyzer.trackChanges(endingAt: tip)
                if format == .text { print("detection over \(analyzer.trackedBranch) at \(tip.short): \(found.count) new change point(s)") }
            }

            let report = try await ChangesReport(analyzer: analyzer, tip: tip)
            switch format {
            case .json: FileHandle.standardOutput.write(report.json().prettyPrinted())
            case .text: for line in report.lines(machine: settings.machine) { print(line) }
            }
        }
    }
}
