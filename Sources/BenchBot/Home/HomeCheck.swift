import Foundation
import Notify

/// Everything `benchbot check` finds in a home: the configs that load and every problem.
///
/// This is the Relay Dashboard's precheck: a config that does not parse or lacks a mandatory
/// field is reported, and only that experiment or subsystem is left out of a run.
public struct HomeCheck: Sendable {
    public let home: Home
    /// The top-level config, when it loads.
    public let config: HomeConfig?
    public let experiments: [ExperimentConfig]
    public let subsystems: [SubsystemConfig]
    public let problems: [ConfigProblem]
    /// What runs, but less safely than it could: printed by `benchbot check`, which still succeeds.
    public let warnings: [ConfigProblem]

    static let experimentStages = ["run.sh", "analyze.sh", "visualize.sh", "summarize.sh"]

    /// Checks every config of a home.
    ///
    /// - Parameter home: The home directory.
    public init(home: Home) {
        self.home = home
        let (config, topProblems) = HomeConfig.read(from: home)
        var problems = topProblems
        if let document = Self.document(at: home.effectiveConfigFile) {
            problems += Self.secretProblems(in: document, file: home.display(home.effectiveConfigFile))
        }
        let settings = config?.benchbot
        var experiments: [ExperimentConfig] = []
        for (name, file, document) in Self.configs(in: home.experimentConfigsDirectory, home: home, problems: &problems) {
            var reader = ConfigReader(file: home.display(file))
            if let experiment = ExperimentConfig.parse(name: name, document: document, reader: &reader) {
                if experiment.active, experiment.command == nil {
                    Self.checkScripts(Self.experimentStages, of: name, kind: "experiment", in: Self.scriptsFolder(
                        settings?.experimentsDirectory ?? "experiments", name: name, home: home, settings: settings),
                        setting: "benchbot.experiments_dir", reader: &reader)
                }
                experiments.append(experiment)
            }
            problems += reader.problems + Self.secretProblems(in: document, file: reader.file)
        }
        var subsystems: [SubsystemConfig] = []
        for (name, file, document) in Self.configs(in: home.subsystemConfigsDirectory, home: home, problems: &problems) {
            var reader = ConfigReader(file: home.display(file))
            let builtIn = RelayReports.builtInSubsystems.contains(name)
            if let subsystem = SubsystemConfig.parse(name: name, document: document, reader: &reader) {
                if subsystem.active, !builtIn {
                    Self.checkScripts(["run.sh"], of: name, kind: "subsystem", in: Self.scriptsFolder(
                        settings?.subsystemsDirectory ?? "subsystem", name: name, home: home, settings: settings),
                        setting: "benchbot.subsystems_dir", reader: &reader)
                }
                if subsystem.active, RelayReports.builtInNames.contains(name), let settings, settings.notify?.slack == nil {
                    reader.report("active", "\(name) is built into BenchBot and posts through benchbot.notify.slack, which "
                        + "\(home.display(home.effectiveConfigFile)) does not configure; add it, or set active to false")
                }
                subsystems.append(subsystem)
            }
            var secrets = Self.secretProblems(in: document, file: reader.file)
            if builtIn {
                // The built-in reporters take Slack's token from benchbot.notify, never from here.
                secrets = secrets.map { problem in
                    ConfigProblem(file: problem.file, field: problem.field, problem: "holds a secret in the config file, where backups "
                        + "and logs copy it, and BenchBot's built-in \(name) does not use it: delete it, and name the variable "
                        + "holding the bot token in benchbot.notify.slack.bot_token_env")
                }
            }
            problems += reader.problems + secrets
        }
        if let settings {
            problems += Self.passedOwnSecrets(settings, file: home.display(home.effectiveConfigFile))
            problems += Self.appTokenWithoutLogin(settings, home: home)
            problems += Self.untrustedWrapperProblems(settings, file: home.display(home.effectiveConfigFile))
            problems += Self.appKeyProblems(settings, home: home)
            problems += Self.gitHubProblems(settings, home: home, file: home.display(home.effectiveConfigFile))
        }
        self.warnings = settings.map { Self.untrustedWrapperWarnings($0, file: home.display(home.effectiveConfigFile)) } ?? []
        self.config = config
        self.experiments = experiments
        self.subsystems = subsystems
        self.problems = problems
    }

    /// Each `<folder>/<name>/config.json` that parses, in name order; a problem for each that does not.
    private static func configs(in folder: String, home: Home, problems: inout [ConfigProblem]) -> [(String, String, JSONValue)] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [(String, String, JSONValue)] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let entry = (folder as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            let exists = manager.fileExists(atPath: entry, isDirectory: &isDirectory)
            guard exists, isDirectory.boolValue else {
                problems.append(ConfigProblem(file: home.display(entry), field: "-",
                    problem: "belongs to no \(folder.hasSuffix("experiments") ? "experiment" : "subsystem"); "
                        + "configs go in \(home.display(folder))/<name>/config.json: move it there or delete it"))
                continue
            }
            let file = (entry as NSString).appendingPathComponent("config.json")
            guard let data = manager.contents(atPath: file) else {
                problems.append(ConfigProblem(file: home.display(file), field: "-",
                    problem: "missing; add one with at least {\"active\": false}, or delete the folder \(home.display(entry))"))
                continue
            }
            do {
                found.append((name, file, try JSONValue.parse(data)))
            } catch {
                problems.append(ConfigProblem(file: home.display(file), field: "-", problem: "\(error); fix the syntax"))
            }
        }
        return found
    }

    private static func scriptsFolder(_ configured: String, name: String, home: Home, settings: BenchBotSettings?) -> String? {
        guard settings?.scriptsLocation == .checkout else {
            return (home.resolvePath(configured) as NSString).appendingPathComponent(name)
        }
        // Scripts inside the project exist only once a commit is checked out; the runner checks
        // them for each commit instead.
        guard let settings else { return nil }
        let worktree = home.worktreePath(repository: settings.repository.name)
        guard FileManager.default.fileExists(atPath: worktree) else { return nil }
        return ((worktree as NSString).appendingPathComponent(configured) as NSString).appendingPathComponent(name)
    }

    private static func checkScripts(
        _ scripts: [String], of name: String, kind: String, in folder: String?, setting: String, reader: inout ConfigReader
    ) {
        guard let folder else { return }
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder) else {
            reader.report("scripts", "the \(kind) is active, but its scripts folder \(folder) does not exist; "
                + "set \(setting) in the top-level config to the folder holding the \(kind)s' scripts, or set active to false")
            return
        }
        for script in scripts {
            let path = (folder as NSString).appendingPathComponent(script)
            if !manager.fileExists(atPath: path) {
                reader.report("scripts", "\(path) is missing; every active \(kind) needs \(scripts.joined(separator: ", "))")
            } else if !manager.isExecutableFile(atPath: path) {
                reader.report("scripts", "\(path) is not executable; run chmod +x on it")
            }
        }
    }

    private static func document(at file: String) -> JSONValue? {
        FileManager.default.contents(atPath: file).flatMap { try? JSONValue.parse($0) }
    }

    /// `pass_environment` entries naming a variable that holds one of BenchBot's own secrets: its
    /// git token, or a notification token or webhook the config points to. Builds and stages run
    /// code from pull requests and forks, which must never see them.
    static func passedOwnSecrets(_ settings: BenchBotSettings, file: String) -> [ConfigProblem] {
        var own = ["BENCHBOT_GIT_TOKEN"]
        if let slack = settings.notify?.slack { own += [slack.botTokenEnvironment, slack.webhookURLEnvironment].compactMap { $0 } }
        if let github = settings.notify?.github, let variable = github.tokenEnvironment { own.append(variable) }
        if let variable = settings.notify?.github?.app?.privateKeyEnvironment { own.append(variable) }
        return settings.runner.passEnvironment.filter(own.contains).map { name in
            ConfigProblem(file: file, field: "benchbot.runner.pass_environment",
                          problem: "names \(name), which holds BenchBot's own secret; builds and stages run code from pull requests "
                              + "and forks, which must not see it: remove it from the list")
        }
    }

    /// A GitHub App's installation token (`ghs_…`) cannot ask GitHub who it is, and may be allowed
    /// to edit other apps' comments: without `login`, BenchBot could take another app's comment
    /// carrying its marker for its own.
    static func appTokenWithoutLogin(_ settings: BenchBotSettings, home: Home) -> [ConfigProblem] {
        // An App's login is its slug's, which BenchBot asks the App itself.
        guard let github = settings.notify?.github, github.login == nil, github.app == nil else { return [] }
        // Only a small regular file: a FIFO or a device named there must not hang `check`.
        let fromFile = github.tokenFile.map { (home.resolvePath($0) as NSString).resolvingSymlinksInPath }.flatMap { path -> String? in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular, (attributes[.size] as? Int ?? .max) < 65_536,
                  let data = FileManager.default.contents(atPath: path) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
        let token = (github.tokenEnvironment.flatMap { ProcessInfo.processInfo.environment[$0] } ?? fromFile ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.hasPrefix("ghs_") else { return [] }
        return [ConfigProblem(file: home.display(home.effectiveConfigFile), field: "benchbot.notify.github.login",
                              problem: "is missing, and the GitHub token is a GitHub App's installation token, which cannot tell "
                                  + "GitHub's API who it is; set it to the app's bot login, such as \"my-app[bot]\", so only "
                                  + "BenchBot's own pull request comments are edited")]
    }

    /// Secrets written into a config end up in git, in backups and in logs; they belong in the
    /// environment, named by a `*_env` field.
    static func secretProblems(in document: JSONValue, file: String, prefix: String = "") -> [ConfigProblem] {
        guard case .object(let fields) = document else { return [] }
        var problems: [ConfigProblem] = []
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .string(let text) = value, !text.isEmpty, SecretRedactor.namesSecret(key) || SecretRedactor.hasTokenPrefix(text) {
                problems.append(ConfigProblem(file: file, field: path,
                    problem: "holds a secret in the config file, where backups and logs copy it; put it in an environment "
                        + "variable and name that variable in '\(key)_env' instead"))
            } else if case .string(let text) = value, SecretRedactor.holdsURLCredentials(text) {
                problems.append(ConfigProblem(file: file, field: path,
                    problem: "holds a password or token in its URL (\(SecretRedactor.maskingURLPasswords(in: text))), which the store, "
                        + "backups and logs would copy; remove it from the URL, and give a git token in BENCHBOT_GIT_TOKEN "
                        + "or use an SSH URL with ssh-agent"))
            } else if case .array(let items) = value {
                for (index, item) in items.enumerated() {
                    problems += secretProblems(in: .object(["\(index)": item]), file: file, prefix: path)
                }
            } else if case .object = value {
                problems += secretProblems(in: value, file: file, prefix: path)
            }
        }
        return problems
    }
}
