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

    /// Loads the home's config and opens its store.
    ///
    /// - Parameter creatingStore: Whether a missing store is created (see ``SQLiteStore/open(path:busyTimeout:create:)``).
    /// - Throws: ``ConfigError`` listing every problem of the config, or ``StoreError``.
    func open(creatingStore: Bool = true) throws -> (Home, HomeConfig, SQLiteStore) {
        let home = resolvedHome
        let config = try HomeConfig.load(from: home)
        let store = try SQLiteStore.open(
            path: home.resolvePath(config.benchbot.store.path),
            busyTimeout: config.benchbot.store.busyTimeout, create: creatingStore)
        return (home, config, store)
    }

    /// Opens the home as ``open()`` does, after refusing a config that `benchbot check` rejects:
    /// a command that acts (measures, sends) must not run on defaults standing in for fields
    /// someone got wrong. Experiments and subsystems are not judged here: one whose config has
    /// problems fails its own precheck in the run, and the others go on.
    ///
    /// - Throws: `ExitCode(1)` after printing each problem of the config file as `check` does.
    func openChecked() throws -> (Home, HomeConfig, SQLiteStore) {
        let home = resolvedHome
        let file = home.display(home.effectiveConfigFile)
        let problems = HomeCheck(home: home).problems.filter { $0.file == file }
        guard problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            printError("\(problems.count) problem(s) in \(file); `benchbot check` lists them, fix them first")
            throw ExitCode(1)
        }
        return try open()
    }

    func intake() throws -> Intake {
        let (home, config, store) = try open()
        return Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
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
