import ArgumentParser
import BenchBot

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store benchmark results measured elsewhere (a CI job, another machine's run) under a commit.",
        discussion: """
            Every file is parsed and checked before anything is stored. A benchbot-json file may name its \
            own commit ("commit": "SHA"), so a folder of them imports many commits at once. The files for \
            one commit form one run; a later import adds to that run, or replaces it with --replace. \
            Importing the same file again stores nothing.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The commit the results belong to (required unless every file names its commit).")
    var commit: String?

    @Option(name: .long, help: "The branch to record with it.")
    var branch: String?

    @Option(name: .long, help: """
        The files' format: auto (each file's, told from its content; relay-data is never guessed), \
        \(BenchmarkFormat.allCases.map(\.rawValue).joined(separator: ", ")).
        """)
    var format = "auto"

    @Flag(name: .long, help: "Replace each commit's imported run with these files, rather than add to it.")
    var replace = false

    @Option(name: .long, help: "PATTERN=higher|lower: which way is better for the benchmarks a name or glob (* and ?) matches; repeatable.")
    var direction: [String] = []

    @Argument(help: "Result files, or folders of them.")
    var files: [String]

    func validate() throws {
        guard format == "auto" || BenchmarkFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; use auto or one of \(BenchmarkFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let directions = try DirectionOverrides(arguments: direction)
        let parsed = try Intake.readResults(files, format: BenchmarkFormat(rawValue: format), directions: directions)
        try directions.checkMatched(parsed.flatMap(\.results))
        for file in parsed {
            // Said before anything is stored, so a wrong guess is seen next to what it did.
            if format == "auto" { print("\(file.path): read as \(file.format.rawValue)") }
            let failed = file.failures.map { "\(file.path): \(PlainText.singleLine($0.benchmark)) failed: \(PlainText.singleLine($0.reason)); stored as its failure" }
            for line in file.warnings + failed { printError("warning: \(line)") }
        }
        try await homeOptions.withIntake { intake in
            for line in try await intake.importResults(parsed, commit: commit, branch: branch, replace: replace) {
                print(line)
            }
            // Once for the whole import, not once per commit of a 10,000-commit history.
            let analyzer = Analyzer(store: intake.store, repository: try intake.mirror.open(), settings: intake.config.benchbot)
            if let tip = try? analyzer.trackedTip() {
                for change in try await analyzer.trackChanges(endingAt: tip) { print("change: \(change.summary)") }
            }
        }
    }
}
