public import Foundation

/// A BenchBot home: the Relay Dashboard's home directory, plus BenchBot's own state.
///
/// ```
/// config/config.json                  dashboard and BenchBot settings
/// config/experiments/<name>/config.json
/// config/subsystem/<name>/config.json
/// results/experiments/{status,data,summary,graph}/<name>/
/// results/subsystem/{status,output}/<name>/
/// cache/<repository>.git               BenchBot's bare mirror of the project
/// work/<repository>/                   the reusable checkout builds run in
/// benchbot.sqlite                      the store (benchbot.store.path)
/// ```
public struct Home: Sendable, Hashable {
    /// The home directory, absolute and standardised.
    public let root: String

    /// - Parameter root: The home directory; relative paths are taken from the current directory.
    public init(root: String) {
        let absolute = root.hasPrefix("/") ? root
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(root)
        self.root = (absolute as NSString).standardizingPath
    }

    /// The home named on the command line, else `$BENCHBOT_HOME`, else the current directory.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Home {
        if let option, !option.isEmpty { return Home(root: option) }
        if let variable = environment["BENCHBOT_HOME"], !variable.isEmpty { return Home(root: variable) }
        return Home(root: FileManager.default.currentDirectoryPath)
    }

    public func path(_ components: String...) -> String {
        components.reduce(root) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// Where `benchbot init` writes the dashboard config, as the Relay documentation places it.
    public var configFile: String { path("config", "config.json") }
    /// relay-bench's `dashboard.py` reads its config from the home's top level instead; homes laid
    /// out that way (its own sample home among them) load as they are.
    public var relayTopLevelConfigFile: String { path("config.json") }

    /// The config file this home actually uses.
    public var effectiveConfigFile: String {
        let manager = FileManager.default
        if !manager.fileExists(atPath: configFile), manager.fileExists(atPath: relayTopLevelConfigFile) {
            return relayTopLevelConfigFile
        }
        return configFile
    }

    public var experimentConfigsDirectory: String { path("config", "experiments") }
    public var subsystemConfigsDirectory: String { path("config", "subsystem") }
    public var experimentResultsDirectory: String { path("results", "experiments") }
    public var subsystemResultsDirectory: String { path("results", "subsystem") }
    /// Where messages go that have no credentials to be sent with: `results/outbox/`.
    public var outboxDirectory: String { path("results", "outbox") }

    /// The bare mirror of a repository.
    public func mirrorPath(repository: String) -> String { path("cache", "\(repository).git") }
    /// The reusable work tree builds run in.
    public func worktreePath(repository: String) -> String { path("work", repository) }
    /// Lock files of BenchBot's own processes.
    public func lockPath(_ name: String) -> String { path("cache", "locks", "\(name).lock") }

    /// Resolves a configured path: `~` is the user's home, relative paths are inside this home.
    public func resolvePath(_ configured: String) -> String {
        if configured == "~" || configured.hasPrefix("~/") {
            return (configured as NSString).expandingTildeInPath
        }
        if configured.hasPrefix("/") { return (configured as NSString).standardizingPath }
        return (path(configured) as NSString).standardizingPath
    }

    /// `path` as the user should read it: relative to the current directory when inside it.
    public func display(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        if path.hasPrefix(current + "/") { return String(path.dropFirst(current.count + 1)) }
        return path
    }
}
