import ArgumentParser
import BenchBot
import Compare
import Foundation

struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List the change points found in the tracked branch's history, each with its culprit commit.",
        discussion: """
            Change points are found after every run on the tracked branch and after every import; each is
            stored once, at its first commit, with the levels before and after. --detect looks again now.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Flag(name: .long, help: "Run detection over the tracked branch now, before listing.")
    var detect = false

    @Option(name: .long, help: "text (default) or json.")
    var format: Format = .text

    func run() async throws {
        let intake = try homeOptions.intake()
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

        var alerts: [(benchmark: String, commit: ObjectID, alert: StatAlert.Alert)] = []
        if let tip { alerts = try await analyzer.statAlerts(endingAt: tip) }
        let changes = try await intake.store.changes(repository: settings.repository.name, machine: settings.machine)
        let subjects = Dictionary(changes.map { ($0.commit, (try? repository.metadata(of: $0.commit).subject) ?? "") }) { first, _ in first }
        switch format {
        case .json:
            let alertDocuments = JSONValue.array(alerts.map { entry in
                .object(["benchmark": .string(entry.benchmark), "commit": .string(entry.commit.hex), "latest": .number(entry.alert.latest),
                         "mean": .number(entry.alert.mean), "standard_deviation": .number(entry.alert.standardDeviation)])
            })
            let document = JSONValue.object(["stat_alerts": alertDocuments, "changes": .array(changes.map { change in
                .object(["benchmark": .string(change.benchmark), "commit": .string(change.commit.hex), "subject": .string(subjects[change.commit] ?? ""),
                         "kind": .string(change.kind.rawValue), "unit": .string(change.unit), "before": .number(change.before),
                         "after": .number(change.after), "ratio": .number(change.ratio), "p_value": .number(change.pValue),
                         "detected_at": .string(change.detectedAt.formatted(.iso8601))])
            })])
            FileHandle.standardOutput.write(document.prettyPrinted())
        case .text:
            if changes.isEmpty { print("no change points found on machine '\(settings.machine)'") }
            for change in changes {
                print(PlainText.singleLine("\(change.summary): \(subjects[change.commit] ?? "")"))
            }
            for entry in alerts {
                print(String(format: "stat_alert: %@ at %@ is %.4g, %.1fσ from the window's mean %.4g", PlainText.singleLine(entry.benchmark), entry.commit.short,
                             entry.alert.latest, entry.alert.deviations, entry.alert.mean))
            }
        }
    }
}
