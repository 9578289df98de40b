import ArgumentParser
import BenchBot
import Foundation

/// The `--home` option every command shares, and what it opens.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: "The BenchBot home (default: $BENCHBOT_HOME, then the current directory).")
    var home: String?

    var resolvedHome: Home { Home.resolve(option: home) }

    /// Loads the home's config and opens its store.
    ///
    /// - Throws: ``ConfigError`` listing every problem of the config, or ``StoreError``.
    func open() throws -> (Home, HomeConfig, SQLiteStore) {
        let home = resolvedHome
        let config = try HomeConfig.load(from: home)
        let store = try SQLiteStore.open(
            path: home.resolvePath(config.benchbot.store.path),
            busyTimeout: config.benchbot.store.busyTimeout)
        return (home, config, store)
    }

    func intake() throws -> Intake {
        let (home, config, store) = try open()
        return Intake(home: home, config: config, store: store)
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
