import Foundation

/// Creates a home, or adds BenchBot's section to an existing Relay Dashboard home.
public struct HomeInitializer: Sendable {
    public let home: Home

    public init(home: Home) {
        self.home = home
    }

    /// What `initialize` did, one line per file.
    public struct Report: Sendable {
        public var lines: [String] = []
    }

    /// Writes the config and, for a home without any, working sample experiments and subsystems.
    ///
    /// An existing config keeps every field; only the values given here are set. It is validated
    /// before anything is written, and the previous version is kept as `config.json.bak`.
    ///
    /// - Parameters:
    ///   - repositoryURL: The project's remote; required when the config has none yet.
    ///   - branches: Branches to benchmark; unchanged (or `["main"]` for a new home) when empty.
    ///   - buildCommand: A shell line that builds the project; unchanged when `nil`.
    /// - Throws: ``ConfigError`` naming what is wrong; nothing is written then.
    public func initialize(repositoryURL: String?, branches: [String], buildCommand: String?) throws(ConfigError) -> Report {
        let file = home.effectiveConfigFile
        let display = home.display(file)
        var report = Report()
        var top: [String: JSONValue]
        let existing = FileManager.default.contents(atPath: file)
        if let existing {
            do {
                guard case .object(let fields) = try JSONValue.parse(existing) else {
                    throw ConfigError(problems: [ConfigProblem(file: display, field: "-", problem: "is not a JSON object; fix or remove it")])
                }
                top = fields
            } catch let error as JSONSyntaxError {
                throw ConfigError(problems: [ConfigProblem(file: display, field: "-", problem: "\(error); fix the syntax, then run init again")])
            } catch {
                throw error as! ConfigError
            }
        } else {
            top = Self.relayDefaults
        }

        var section: [String: JSONValue] = if case .object(let fields)? = top["benchbot"] { fields } else { Self.benchBotDefaults }
        var repository: [String: JSONValue] = if case .object(let fields)? = section["repository"] { fields } else { [:] }
        if let repositoryURL { repository["url"] = .string(repositoryURL) }
        guard repository["url"] != nil else {
            throw ConfigError(problems: [ConfigProblem(file: display, field: "benchbot.repository.url",
                problem: "missing; pass --repo URL (the project's git remote, or a local path)")])
        }
        if !branches.isEmpty { repository["branches"] = .array(branches.map(JSONValue.string)) }
        if repository["branches"] == nil { repository["branches"] = .array([.string("main")]) }
        section["repository"] = .object(repository)
        if let buildCommand {
            var build: [String: JSONValue] = if case .object(let fields)? = section["build"] { fields } else { [:] }
            build["command"] = .string(buildCommand)
            section["build"] = .object(build)
        }
        top["benchbot"] = .object(section)

        var reader = ConfigReader(file: display)
        guard let config = HomeConfig.parse(.object(top), reader: &reader), reader.problems.isEmpty else {
            throw ConfigError(problems: reader.problems)
        }
        try write(JSONValue.object(top).prettyPrinted(), to: file, keepingBackupOf: existing)
        report.lines.append("\(existing == nil ? "wrote" : "updated") \(display)")
        report.lines += try writeSamples(for: config.benchbot)
        return report
    }

    private func writeSamples(for settings: BenchBotSettings) throws(ConfigError) -> [String] {
        var lines: [String] = []
        let samples: [(configFolder: String, scriptsSetting: String, sample: HomeSample)] = [
            (home.experimentConfigsDirectory, settings.experimentsDirectory, .experiment),
            (home.subsystemConfigsDirectory, settings.subsystemsDirectory, .subsystem),
        ]
        for (configFolder, scriptsSetting, sample) in samples {
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: configFolder)) ?? []
            guard existing.filter({ !$0.hasPrefix(".") }).isEmpty else { continue }
            let configFile = (configFolder as NSString).appendingPathComponent("\(sample.name)/config.json")
            try write(Data(sample.config.utf8), to: configFile, keepingBackupOf: nil)
            lines.append("wrote sample \(sample.kind) \(home.display(configFile))")
            guard settings.scriptsLocation == .home else { continue }
            let scripts = (home.resolvePath(scriptsSetting) as NSString).appendingPathComponent(sample.name)
            guard !FileManager.default.fileExists(atPath: scripts) else { continue }
            for (name, body) in sample.scripts {
                let path = (scripts as NSString).appendingPathComponent(name)
                try write(Data(body.utf8), to: path, keepingBackupOf: nil, executable: true)
            }
            lines.append("wrote sample \(sample.kind) scripts in \(home.display(scripts))")
        }
        return lines
    }

    private func write(_ data: Data, to path: String, keepingBackupOf previous: Data?, executable: Bool = false) throws(ConfigError) {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let previous, previous != data { try previous.write(to: URL(fileURLWithPath: path + ".bak"), options: .atomic) }
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        } catch {
            throw ConfigError(problems: [ConfigProblem(file: home.display(path), field: "-", problem: "cannot write: \(error.localizedDescription)")])
        }
    }

    static let relayDefaults: [String: JSONValue] = [
        "tmp_data_dir": .string("data/tmp"),
        "backup_dir": .string("backups"),
        "setup_dir": .string("setup"),
        "run_cpu_telemetry": .bool(false),
        "run_gpu_telemetry": .bool(false),
        "telemetry_rate": .number(15),
        "randomize": .bool(true),
    ]

    static var benchBotDefaults: [String: JSONValue] {
        [
            "machine": .string(ProcessInfo.processInfo.hostName),
            "suite": .string("default"),
            "build": .object(["timeout": .number(3600)]),
            "store": .object(["path": .string("benchbot.sqlite"), "busy_timeout": .number(10)]),
            "experiments_dir": .string("experiments"),
            "subsystems_dir": .string("subsystem"),
            "scripts_in": .string("home"),
            "intake": .object([
                "first_parent": .bool(true),
                "tags": .bool(false),
                "hook_branches": .array([.string("*")]),
                "on_branch_delete": .string("ignore"),
                "max_attempts": .number(3),
                "fetch_timeout": .number(600),
            ]),
        ]
    }
}
