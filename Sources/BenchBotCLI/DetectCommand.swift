import ArgumentParser
import BenchBot
import Compare
import Foundation

struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find change points in benchmark histories read from standard input.",
        discussion: """
            Reads {"series": [{"name": …, "direction": "lower_is_better"|"higher_is_better", \
            "points": [{"commit": …, "samples": […]}, …]}]} and writes
            {"series": [{"name": …, "changepoints": [index of the first point of each new level, …], "details": […]}]}, \
            with the algorithm the bot applies to stored history. Points are oldest first. A detail marked \
            "tentative" has too few commits yet on one side to tell it from a slow stretch of the machine.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "The smallest relative shift reported (default: the home's benchbot.compare.minimum_effect, else 0.01).")
    var minimumEffect: Double?

    @Option(name: .long, help: "The largest p-value a change point may have (default 0.001).")
    var significance: Double = 0.001

    func validate() throws {
        guard (minimumEffect ?? 0) >= 0 else { throw ValidationError("--minimum-effect must be 0 or more") }
        guard significance > 0, significance < 1 else { throw ValidationError("--significance must be between 0 and 1") }
    }

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let series: [DetectionInput.Series]
        do {
            series = try DetectionInput.parse(input, source: "standard input")
        } catch {
            printError("benchbot: \(error)")
            throw ExitCode(1)
        }
        let settings = try homeCompareSettings()
        let output = JSONValue.object(["series": .array(series.map { entry in
            let effect = minimumEffect ?? settings?.minimumEffects[entry.name] ?? settings?.minimumEffect ?? 0.01
            let found = ChangePointDetector(significance: significance, minimumEffect: effect).detect(entry.points)
            return .object([
                "name": .string(entry.name),
                "changepoints": .array(found.map { .number(Double($0.index)) }),
                "details": .array(found.map { change in
                    .object(["index": .number(Double(change.index)), "commit": entry.commits[change.index].map(JSONValue.string) ?? .null,
                             "before": .number(change.before), "after": .number(change.after), "ratio": .number(change.ratio),
                             "p_value": .number(change.pValue), "tentative": .bool(change.isTentative),
                             "kind": .string(ChangeKind(ratio: change.ratio, direction: entry.direction).rawValue)])
                }),
            ])
        })])
        FileHandle.standardOutput.write(output.prettyPrinted())
    }

    /// Histories can come from anywhere, so a home is optional: its thresholds (per benchmark too)
    /// are used when one is named, or when the default home has a config.
    private func homeCompareSettings() throws -> CompareSettings? {
        let home = homeOptions.resolvedHome
        guard homeOptions.home != nil || FileManager.default.fileExists(atPath: home.effectiveConfigFile) else { return nil }
        return try HomeConfig.load(from: home).benchbot.compare
    }
}
