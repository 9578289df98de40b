import ArgumentParser
import BenchBot
import Foundation
import Logging
import Notify

/// The `--home` option every command shares, and what it opens.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: "The BenchBot home (default: $BENCHBOT_HOME, then the current directory).")
    var home: String?

    var resolvedHome: Home {
        bootstrapLogging
        return Home.resolve(option: home)
    }

    /// Loads the home's config, opens its store (the SQLite file, or the PostgreSQL database of
    /// `benchbot.store.url`) for `body`'s length, and closes it.
    ///
    /// - Parameter creatingStore: Whether a missing SQLite store is created (see ``SQLiteStore/open(path:busyTimeout:create:)``).
    /// - Throws: ``ConfigError`` listing every problem of the config, or ``StoreError``.
    func withStore<Result: Sendable>(creatingStore: Bool = true, _ body: (Home, HomeConfig, any Store) async throws -> Result) async throws -> Result {
        let home = resolvedHome
        let config = try HomeConfig.load(from: home)
        return try await config.benchbot.store.withStore(home: home, create: creatingStore, logger: Logger(label: "benchbot.store")) { store in
            try await body(home, config, store)
        }
    }

    /// Opens the home as ``withStore(creatingStore:_:)`` does, after refusing a config that
    /// `benchbot check` rejects: a command that acts (measures, sends) must not run on defaults
    /// standing in for fields someone got wrong. Experiments and subsystems are not judged here:
    /// one whose config has problems fails its own precheck in the run, and the others go on.
    ///
    /// - Throws: `ExitCode(1)` after printing each problem of the config file as `check` does.
    ///
    /// - Parameter measuring: Whether active experiments' and subsystems' configs count too, for
    ///   the commands that run them: a field `check` flags there would run on a default.
    func withCheckedStore<Result: Sendable>(measuring: Bool = false, _ body: (Home, HomeConfig, any Store) async throws -> Result) async throws -> Result {
        let home = resolvedHome
        let file = home.display(home.effectiveConfigFile)
        let check = HomeCheck(home: home)
        let problems = check.problems.filter { $0.file == file || (measuring && Self.defaultStandsIn(for: $0, check: check)) }
        guard problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            let files = Set(problems.map(\.file)).sorted().joined(separator: ", ")
            printError("\(problems.count) problem(s) in \(files); `benchbot check` lists them, fix them first")
            throw ExitCode(1)
        }
        return try await withStore(body)
    }

    /// A flagged field of an active experiment or subsystem, which would otherwise run on its
    /// default. Missing scripts fail that experiment's own precheck, as in Relay; a secret written
    /// into a config and a file that belongs to nothing are warnings that change nothing run.
    private static func defaultStandsIn(for problem: ConfigProblem, check: HomeCheck) -> Bool {
        guard !["scripts", "-", "active"].contains(problem.field), !problem.problem.hasPrefix("holds ") else { return false }
        let parts = problem.file.split(separator: "/")
        guard parts.count >= 3, parts.last == "config.json" else { return false }
        let name = String(parts[parts.count - 2]), kind = parts[parts.count - 3]
        if kind == "experiments" { return check.experiments.contains { $0.name == name && $0.active } }
        if kind == "subsystem" { return check.subsystems.contains { $0.name == name && $0.active } }
        return false
    }

    /// The home's intake, for `body`'s length.
    ///
    /// - Parameter machine: The machine class to read and compare results of, instead of this
    ///   machine's (`--machine`).
    func withIntake<Result: Sendable>(machine: String? = nil, _ body: (Intake) async throws -> Result) async throws -> Result {
        try await withStore { home, config, store in
            var config = config
            if let machine { config.benchbot.machine = machine }
            return try await body(Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot")))
        }
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The running `benchbot` binary, for hooks and benchmarks that call it again.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// Logs go to standard error at `$BENCHBOT_LOG_LEVEL` (default `warning`), with every secret of
/// the environment masked.
private let bootstrapLogging: Void = {
    let environment = ProcessInfo.processInfo.environment
    let level = environment["BENCHBOT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    let secretNames = environment.keys.filter(SecretRedactor.namesSecret)
    let redactor = SecretRedactor(environmentVariables: secretNames, in: environment)
    LoggingSystem.bootstrap { label in
        var handler = RedactingLogHandler(wrapping: StreamLogHandler.standardError(label: label), redactor: redactor)
        handler.logLevel = level
        return handler
    }
}()
