import ArgumentParser
import BenchBot
import Foundation

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Generate the static results site: an index, a page per benchmark with SVG plots, per commit and per comparison.",
        discussion: """
            The default folder is where the Relay Dashboard's website lives, results/subsystem/output/website; serve it \
            with any web server, or open index.html. The site is built beside the folder and swapped in whole; pages \
            whose content did not change are kept, not written again.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The folder to generate into (default: results/subsystem/output/website in the home).")
    var out: String?

    func run() async throws {
        let (home, config, store) = try homeOptions.open()
        let folder = out.map { home.resolvePath($0) } ?? home.path("results", "subsystem", "output", "website")
        let summary: SiteGenerator.Summary
        do {
            summary = try await SiteGenerator(home: home, settings: config.benchbot, store: store).generate(into: folder)
        } catch let error as SiteError {
            printError("benchbot: \(error)")
            throw ExitCode(1)
        }
        print("\(summary.pages) page(s), \(summary.written) written (the rest unchanged); open \(home.display(folder))/index.html")
    }
}
