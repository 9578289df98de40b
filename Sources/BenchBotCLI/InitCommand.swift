import ArgumentParser
import BenchBot

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a home, or add BenchBot's settings to an existing Relay Dashboard home.",
        discussion: """
            Writes config/config.json with the Relay fields and a "benchbot" section, and working sample \
            experiments and subsystems when the home has none. Existing fields, experiments and subsystems \
            are kept; only the options given here change.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The project's git remote: a URL, user@host:path, or a local path.")
    var repo: String?

    @Option(name: .long, help: "A branch to benchmark every commit of (repeatable; default: main).")
    var branch: [String] = []

    @Option(name: .long, help: "The build command, run with sh -c in the checkout before the experiments.")
    var build: String?

    func run() async throws {
        let home = homeOptions.resolvedHome
        let report = try HomeInitializer(home: home).initialize(repositoryURL: repo, branches: branch, buildCommand: build)
        for line in report.lines { print(line) }
        print("next: `benchbot check --home \(home.display(home.root))`, then `benchbot poll` from cron or `benchbot hook install`")
    }
}
