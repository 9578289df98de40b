import Foundation

/// Runs the home's subsystems after the experiments, as the Relay Dashboard does.
///
/// Each active subsystem's `run.sh` gets its config folder, its output folder (kept between
/// runs) and the home, and must leave a `status.json` in its output folder. They run by priority,
/// highest first, ties by name; a subsystem listed in another's `needs` always runs before it.
///
/// A subsystem with no `run.sh` of its own may be built in (relay-bench's Slack reporters):
/// `builtIn` is asked, with the outcomes of the subsystems before it, and returns its status.
struct SubsystemRunner: Sendable {
    typealias BuiltIn = @Sendable (SubsystemConfig, _ before: [ExperimentOutcome]) async -> StageStatus?

    let context: StageContext
    var builtIn: BuiltIn = { _, _ in nil }
    /// Subsystems that fail their precheck instead of running, with why: their config holds fields
    /// `benchbot check` flags, for which defaults would stand in.
    var refused: [String: String] = [:]

    /// Runs every active subsystem in order; a failure is recorded and the next one runs.
    func runAll(_ subsystems: [SubsystemConfig]) async -> [ExperimentOutcome] {
        var outcomes: [ExperimentOutcome] = []
        for subsystem in Self.order(subsystems.filter(\.active)) {
            outcomes.append(await run(subsystem, before: outcomes))
        }
        return outcomes
    }

    /// Priority order, ties by name, moved only as far as `needs` requires; needs that cannot be
    /// met (a cycle, an inactive subsystem) do not block the rest.
    static func order(_ subsystems: [SubsystemConfig]) -> [SubsystemConfig] {
        var pending = subsystems.sorted { ($0.priority, $1.name) > ($1.priority, $0.name) }
        let names = Set(subsystems.map(\.name))
        var done = Set<String>()
        var ordered: [SubsystemConfig] = []
        while !pending.isEmpty {
            let index = pending.firstIndex { $0.needs.allSatisfy { done.contains($0) || !names.contains($0) } } ?? 0
            let next = pending.remove(at: index)
            ordered.append(next)
            done.insert(next.name)
        }
        return ordered
    }

    private func run(_ subsystem: SubsystemConfig, before: [ExperimentOutcome]) async -> ExperimentOutcome {
        let startedAt = Date()
        let home = context.home
        let statusFolder = home.path("results", "subsystem", "status", subsystem.name)
        let output = home.path("results", "subsystem", "output", subsystem.name)
        let script = ((context.scriptsFolder(context.settings.subsystemsDirectory) as NSString)
            .appendingPathComponent(subsystem.name) as NSString).appendingPathComponent("run.sh")
        try? FileManager.default.removeItem(atPath: statusFolder)
        try? FileManager.default.createDirectory(atPath: statusFolder, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)

        func finish(_ stage: String, _ status: StageStatus) -> ExperimentOutcome {
            write(status, to: statusFolder, file: "\(stage).json")
            return ExperimentOutcome(experiment: subsystem.name, succeeded: status.success, failedStage: status.success ? nil : stage,
                                     message: status.message, startedAt: startedAt, finishedAt: Date(), notify: subsystem.notify)
        }

        if let problems = refused[subsystem.name] {
            return finish("precheck", StageStatus(success: false, message: problems))
        }
        if !FileManager.default.fileExists(atPath: script), let status = await builtIn(subsystem, before) {
            return finish("run", status)
        }
        guard FileManager.default.isExecutableFile(atPath: script) else {
            let problem = FileManager.default.fileExists(atPath: script)
                ? "\(script) is not executable; run chmod +x on it"
                : "\(script) is missing; set benchbot.subsystems_dir to the folder holding the subsystems' scripts"
            return finish("precheck", StageStatus(success: false, message: problem))
        }
        write(StageStatus(success: true, message: ""), to: statusFolder, file: "precheck.json")
        try? FileManager.default.removeItem(atPath: (output as NSString).appendingPathComponent("status.json"))
        let timeout = subsystem.timeout ?? context.settings.runner.stageTimeout
        let configFolder = (home.subsystemConfigsDirectory as NSString).appendingPathComponent(subsystem.name)
        let (result, launchError) = await context.runScript(
            script, arguments: [configFolder, output, home.root], pinning: nil, environment: context.environment(),
            timeout: timeout, logName: "subsystem-\(subsystem.name)")
        if let launchError { return finish("run", StageStatus(success: false, message: "cannot start \(script): \(launchError)")) }
        if let result, result.timedOut {
            let seconds = timeout.seconds.rounded() == timeout.seconds ? String(Int(timeout.seconds)) : String(timeout.seconds)
            return finish("run", StageStatus(success: false, message: "timed out after \(seconds) s; its processes were killed"))
        }
        return finish("run", StageStatus.read(in: output, stage: "subsystem \(subsystem.name)"))
    }

    private func write(_ status: StageStatus, to folder: String, file: String) {
        try? status.json.prettyPrinted().write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
    }
}
