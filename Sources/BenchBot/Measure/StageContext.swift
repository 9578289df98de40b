import Foundation
import Notify

/// Everything the stages of one job share: which commit, where its checkout is, where the
/// results go, and how processes are launched and tracked.
struct StageContext: Sendable {
    let home: Home
    let config: HomeConfig
    let commit: ObjectID
    let checkout: String
    /// When the job started.
    let startedAt: Date
    /// Raw data of this job's experiments, archived and removed at the end of the job.
    let rawDataFolder: String
    /// Logs of this job's build and stages.
    let logFolder: String
    /// Set as `BENCHBOT_WORKER` for every process, so a successor can find them if we die.
    let workerIdentity: String
    /// Set for an untrusted job: its private folder, allow-listed environment and wrapper.
    var untrusted: UntrustedSandbox? = nil

    var settings: BenchBotSettings { config.benchbot }

    /// When the job started, in the Relay Dashboard's `%m-%d-%Y-%H%M` form, which its subsystems parse.
    var timestamp: String { startedAt.relayTimestamp }

    /// The name of this run's data.json under `results/experiments/data/<experiment>/`. The Relay
    /// timestamp has minute resolution; the commit and the start in milliseconds keep every run's
    /// file apart, reruns included.
    var dataFileName: String { "data_\(runStem).json" }

    /// What names this run's files apart from every other run's: `<timestamp>_<commit>_<start in ms>`.
    var runStem: String { "\(timestamp)_\(commit.short)_\(Int64(startedAt.timeIntervalSince1970 * 1000))" }

    /// The same job's context for another commit in another checkout: the baseline of a paired
    /// A/B job, whose runs and files must not be taken for the candidate's.
    func measuring(_ commit: ObjectID, checkout: String) -> StageContext {
        StageContext(home: home, config: config, commit: commit, checkout: checkout, startedAt: startedAt,
                     rawDataFolder: rawDataFolder + "_baseline", logFolder: (logFolder as NSString).appendingPathComponent("baseline"),
                     workerIdentity: workerIdentity, untrusted: untrusted)
    }

    /// Where the Relay status, data, summary and graph folders go: the home's `results/`, or an
    /// untrusted job's private stand-in, so a fork cannot rewrite what the dashboard shows.
    var resultsRoot: String { untrusted?.resultsRoot ?? home.path("results") }

    /// The config folder an experiment's stages get as their first argument.
    func configFolder(experiment: String) -> String {
        let original = (home.experimentConfigsDirectory as NSString).appendingPathComponent(experiment)
        return untrusted?.configFolder(copying: original, experiment: experiment) ?? original
    }

    /// Whether BenchBot may read, write or remove `path` for this job; always for a trusted job,
    /// see ``UntrustedSandbox/holds(_:checkout:)`` for an untrusted one.
    func holds(_ path: String, checkout: String? = nil) -> Bool {
        untrusted?.holds(path, checkout: checkout ?? self.checkout) ?? true
    }

    /// The command to start for `executable arguments` run against `checkout`: under the
    /// untrusted wrapper for an untrusted job that has one, as it is otherwise.
    func command(_ executable: String, _ arguments: [String], checkout: String? = nil) -> (executable: String, arguments: [String]) {
        guard let untrusted else { return (executable, arguments) }
        let paths = UntrustedSandbox.Paths(checkout: checkout ?? self.checkout, scripts: scriptsFolder(settings.experimentsDirectory),
                                           deps: scriptsFolder(settings.runner.depsDirectory))
        // A wrapper binding a folder that does not exist fails to start; those in the home are made.
        if settings.scriptsLocation == .home {
            for folder in [paths.scripts, paths.deps] { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        }
        return untrusted.wrapping(executable, arguments, paths: paths)
    }

    /// Where the scripts of experiments or subsystems live for this commit.
    func scriptsFolder(_ configured: String) -> String {
        switch settings.scriptsLocation {
        case .home: home.resolvePath(configured)
        case .checkout: ((checkout as NSString).appendingPathComponent(configured) as NSString).standardizingPath
        }
    }

    /// The environment every script sees. Secrets are removed, by name and by a URL password in
    /// the value, except those `benchbot.runner.pass_environment` lets through: the code measured
    /// may come from a fork, and it has no business with BenchBot's tokens. An untrusted job's
    /// scripts see only an allow-list (``UntrustedSandbox/environment(job:)``).
    func environment(experiment: String? = nil, commit: ObjectID? = nil, checkout: String? = nil) -> [String: String?] {
        var environment: [String: String?] = [
            "BENCHBOT_COMMIT": (commit ?? self.commit).hex,
            "BENCHBOT_CHECKOUT": checkout ?? self.checkout,
            // An untrusted job's home is its private folder: the real one is not its business.
            "BENCHBOT_HOME": untrusted?.folder ?? home.root,
            "BENCHMARK_DEPS": scriptsFolder(settings.runner.depsDirectory),
            "BENCHBOT_EXPERIMENT": experiment,
            Worker.workerVariable: workerIdentity,
        ]
        if let untrusted { return untrusted.environment(job: environment) }
        let passed = Set(settings.runner.passEnvironment)
        for (name, value) in ProcessInfo.processInfo.environment where !passed.contains(name) {
            // A URL with a password in it (`DATABASE_URL=postgres://u:p@db`) is a secret whatever its name.
            if SecretRedactor.namesSecret(name) || SecretRedactor.holdsURLCredentials(value) {
                environment[name] = .some(nil)
            }
        }
        return environment
    }

    /// Runs a script with a deadline, its output in the job's logs.
    func runScript(
        _ script: String, arguments: [String], pinning: ExperimentConfig.ProcessPinning?, environment: [String: String?],
        timeout: Duration, logName: String
    ) async -> (CommandResult?, String?) {
        let folder = (script as NSString).deletingLastPathComponent
        var (executable, argv) = (script, arguments)
        if let pinning, pinning.enabled {
            executable = "taskset"
            argv = ["--cpu-list", pinning.cores, script] + arguments
        }
        (executable, argv) = command(executable, argv)
        do {
            try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
            let result = try await CommandRunner.run(
                executable, arguments: argv, environment: environment, workingDirectory: folder,
                logFile: (logFolder as NSString).appendingPathComponent("\(logName).log"),
                logLimit: settings.runner.logLimit, timeout: timeout)
            return (result, nil)
        } catch {
            return (nil, "\(error)")
        }
    }
}

extension Date {
    /// The Relay Dashboard's timestamp form, which its subsystems parse.
    var relayTimestamp: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: self)
        return String(format: "%02d-%02d-%04d-%02d%02d", parts.month!, parts.day!, parts.year!, parts.hour!, parts.minute!)
    }
}
