import ArgumentParser
import BenchBot

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Precheck every config of the home and print each problem as `file: field: problem`.",
        discussion: "Exits 1 when there is any problem, 0 when everything would run.")

    @OptionGroup var homeOptions: HomeOptions

    func run() async throws {
        let check = HomeCheck(home: homeOptions.resolvedHome)
        for problem in check.problems { print(problem) }
        for warning in check.warnings { printError("warning: \(warning)") }
        let active = check.experiments.filter(\.active).count
        let activeSubsystems = check.subsystems.filter(\.active).count
        let summary = "\(check.experiments.count) experiment(s), \(active) active; "
            + "\(check.subsystems.count) subsystem(s), \(activeSubsystems) active"
        if check.problems.isEmpty {
            print("ok: \(summary)")
        } else {
            printError("\(check.problems.count) problem(s); \(summary)")
            throw ExitCode.failure
        }
    }
}
