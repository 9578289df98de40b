import Foundation

extension HomeConfig {
    /// Fields a top-level config may carry: Relay's, and BenchBot's section.
    static let knownTopLevelFields: Set<String> = [
        "tmp_data_dir", "backup_dir", "setup_dir", "run_cpu_telemetry", "run_gpu_telemetry",
        "telemetry_rate", "randomize", "benchbot",
    ]
    static let knownBenchBotFields: Set<String> = [
        "repository", "machine", "machines", "suite", "build", "store", "intake", "runner", "compare", "notify", "site", "github", "serve",
        "experiments_dir", "subsystems_dir", "scripts_in",
    ]

    /// Loads the home's config, failing on any problem in it.
    ///
    /// - Parameter home: The home directory.
    /// - Throws: ``ConfigError`` listing every problem, each naming the file, the field and the fix.
    public static func load(from home: Home) throws(ConfigError) -> HomeConfig {
        let (config, problems) = read(from: home)
        guard let config, problems.isEmpty else { throw ConfigError(problems: problems) }
        return config
    }

    /// Reads the home's config, returning what could be understood and every problem found.
    public static func read(from home: Home) -> (HomeConfig?, [ConfigProblem]) {
        let file = home.effectiveConfigFile
        let display = home.display(file)
        guard let data = FileManager.default.contents(atPath: file) else {
            let problem = FileManager.default.fileExists(atPath: file)
                ? "cannot be read; check its permissions"
                : "missing; run `benchbot init --home \(home.display(home.root)) --repo URL` to create it"
            return (nil, [ConfigProblem(file: display, field: "-", problem: problem)])
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            return (nil, [ConfigProblem(file: display, field: "-", problem: "\(error); fix the syntax")])
        }
        var reader = ConfigReader(file: display)
        let config = parse(document, reader: &reader)
        return (reader.problems.isEmpty ? config : nil, reader.problems)
    }

    static func parse(_ document: JSONValue, reader: inout ConfigReader) -> HomeConfig? {
        guard let top = reader.object(document, "-") else { return nil }
        reader.rejectUnknownFields(top, known: knownTopLevelFields, prefix: "")
        let dashboard = DashboardSettings(
            temporaryDataDirectory: reader.string(top["tmp_data_dir"], "tmp_data_dir", required: true) ?? "",
            backupDirectory: reader.string(top["backup_dir"], "backup_dir", required: true) ?? "",
            setupDirectory: reader.string(top["setup_dir"], "setup_dir", required: true) ?? "",
            runCPUTelemetry: reader.bool(top["run_cpu_telemetry"], "run_cpu_telemetry") ?? false,
            runGPUTelemetry: reader.bool(top["run_gpu_telemetry"], "run_gpu_telemetry") ?? false,
            telemetryRate: reader.telemetryRate(top["telemetry_rate"], "telemetry_rate") ?? 15,
            randomize: reader.bool(top["randomize"], "randomize") ?? true)
        guard let section = reader.object(top["benchbot"], "benchbot") else {
            if top["benchbot"] == nil {
                reader.report("benchbot", "missing; BenchBot needs at least the project's repository: "
                    + "run `benchbot init --repo URL` on this home to add the section, keeping every Relay field")
            }
            return nil
        }
        guard let benchbot = parseBenchBot(section, reader: &reader) else { return nil }
        return HomeConfig(dashboard: dashboard, benchbot: benchbot)
    }

    private static func parseBenchBot(_ section: [String: JSONValue], reader: inout ConfigReader) -> BenchBotSettings? {
        reader.rejectUnknownFields(section, known: knownBenchBotFields, prefix: "benchbot")
        guard let repository = parseRepository(section["repository"], reader: &reader) else { return nil }
        var settings = BenchBotSettings(repository: repository, machine: ProcessInfo.processInfo.hostName)
        parseMachines(section, into: &settings, reader: &reader)
        settings.suite = reader.string(section["suite"], "benchbot.suite") ?? settings.suite
        settings.experimentsDirectory = reader.string(section["experiments_dir"], "benchbot.experiments_dir") ?? settings.experimentsDirectory
        settings.subsystemsDirectory = reader.string(section["subsystems_dir"], "benchbot.subsystems_dir") ?? settings.subsystemsDirectory
        if let location = reader.string(section["scripts_in"], "benchbot.scripts_in") {
            if let parsed = ScriptsLocation(rawValue: location) {
                settings.scriptsLocation = parsed
            } else {
                reader.report("benchbot.scripts_in", "is '\(location)', expected \"home\" or \"checkout\"")
            }
        }
        if let build = reader.object(section["build"], "benchbot.build") {
            reader.rejectUnknownFields(build, known: ["command", "timeout"], prefix: "benchbot.build")
            switch build["command"] {
            case nil: break
            case .string(let line)?: settings.build.command = line.isEmpty ? .none : .shell(line)
            case .array?:
                let arguments = reader.strings(build["command"], "benchbot.build.command") ?? []
                settings.build.command = arguments.isEmpty ? .none : .arguments(arguments)
            case let other?:
                reader.report("benchbot.build.command", "is \(other.typeName), expected an array of arguments or a shell line")
            }
            if let duration = reader.seconds(build["timeout"], "benchbot.build.timeout") {
                settings.build.timeout = duration
            }
        }
        if let store = reader.object(section["store"], "benchbot.store") {
            reader.rejectUnknownFields(store, known: ["path", "busy_timeout", "url", "password_env", "password_file"], prefix: "benchbot.store")
            settings.store.path = reader.string(store["path"], "benchbot.store.path") ?? settings.store.path
            if let url = reader.string(store["url"], "benchbot.store.url") {
                do {
                    settings.store.url = try PostgresLocation(url: url)
                } catch {
                    reader.report("benchbot.store.url", error.message)
                }
                if store["path"] != nil, settings.store.path != StoreSettings().path {
                    reader.report("benchbot.store.path", "is set beside benchbot.store.url; a home's store is one or the other: remove one")
                }
            }
            settings.store.passwordEnvironment = reader.string(store["password_env"], "benchbot.store.password_env")
            settings.store.passwordFile = reader.string(store["password_file"], "benchbot.store.password_file")
            if let duration = reader.seconds(store["busy_timeout"], "benchbot.store.busy_timeout", .busyTimeout) {
                settings.store.busyTimeout = duration
            }
        }
        if let intake = reader.object(section["intake"], "benchbot.intake") {
            settings.intake = parseIntake(intake, reader: &reader)
        }
        if let runner = reader.object(section["runner"], "benchbot.runner") {
            settings.runner = parseRunner(runner, reader: &reader)
        }
        if let compare = reader.object(section["compare"], "benchbot.compare") {
            settings.compare = parseCompare(compare, reader: &reader)
        }
        if let notify = reader.object(section["notify"], "benchbot.notify") {
            settings.notify = parseNotify(notify, reader: &reader)
        }
        if let site = reader.object(section["site"], "benchbot.site") {
            settings.site = parseSite(site, reader: &reader)
        }
        if let github = reader.object(section["github"], "benchbot.github") {
            settings.github = parseGitHub(github, reader: &reader)
        }
        if let serve = reader.object(section["serve"], "benchbot.serve") {
            settings.serve = parseServe(serve, reader: &reader)
        }
        return settings
    }

    private static func parseCompare(_ object: [String: JSONValue], reader: inout ConfigReader) -> CompareSettings {
        reader.rejectUnknownFields(object, known: ["minimum_effect", "minimum_effects", "score_speedup", "stat_alert", "automatic_bisection", "paired_rounds",
                                            "false_discovery_rate", "paired_false_discovery_rate", "confirm"],
                                   prefix: "benchbot.compare")
        var compare = CompareSettings()
        func fraction(_ value: JSONValue?, _ field: String) -> Double? {
            guard let value else { return nil }
            guard case .number(let number) = value, number >= 0, number < 10 else {
                reader.report(field, "must be a relative change between 0 and 10, such as 0.01 for 1%")
                return nil
            }
            return number
        }
        compare.minimumEffect = fraction(object["minimum_effect"], "benchbot.compare.minimum_effect") ?? compare.minimumEffect
        if let effects = reader.object(object["minimum_effects"], "benchbot.compare.minimum_effects") {
            for (name, value) in effects {
                if let effect = fraction(value, "benchbot.compare.minimum_effects.\(name)") { compare.minimumEffects[name] = effect }
            }
        }
        compare.scoreSpeedup = reader.positiveNumber(object["score_speedup"], "benchbot.compare.score_speedup") ?? compare.scoreSpeedup
        if let alert = reader.object(object["stat_alert"], "benchbot.compare.stat_alert") {
            reader.rejectUnknownFields(alert, known: ["deviations", "window_days"], prefix: "benchbot.compare.stat_alert")
            var settings = CompareSettings.StatAlertSettings()
            settings.deviations = reader.positiveNumber(alert["deviations"], "benchbot.compare.stat_alert.deviations") ?? settings.deviations
            settings.windowDays = reader.positiveNumber(alert["window_days"], "benchbot.compare.stat_alert.window_days") ?? settings.windowDays
            compare.statAlert = settings
        }
        compare.automaticBisection = reader.bool(object["automatic_bisection"], "benchbot.compare.automatic_bisection") ?? compare.automaticBisection
        compare.pairedRounds = reader.integer(object["paired_rounds"], "benchbot.compare.paired_rounds", minimum: 1) ?? compare.pairedRounds
        if let confirm = reader.string(object["confirm"], "benchbot.compare.confirm") {
            if let mode = CompareSettings.Confirmation(rawValue: confirm) {
                compare.confirm = mode
            } else {
                reader.report("benchbot.compare.confirm", "must be \"paired\" (re-measure a suspected change against its parent before announcing it) or \"none\"")
            }
        }
        func rate(_ field: String) -> Double? {
            guard let value = object[field] else { return nil }
            guard case .number(let rate) = value, rate > 0, rate <= 0.2 else {
                reader.report("benchbot.compare.\(field)", "must be a rate above 0 and at most 0.2, such as 0.05")
                return nil
            }
            return rate
        }
        compare.falseDiscoveryRate = rate("false_discovery_rate") ?? compare.falseDiscoveryRate
        compare.pairedFalseDiscoveryRate = rate("paired_false_discovery_rate") ?? compare.pairedFalseDiscoveryRate
        return compare
    }

    private static func parseRepository(_ value: JSONValue?, reader: inout ConfigReader) -> RepositorySettings? {
        guard let object = reader.object(value, "benchbot.repository", required: true) else { return nil }
        reader.rejectUnknownFields(object, known: ["url", "name", "branches"], prefix: "benchbot.repository")
        guard let url = reader.string(object["url"], "benchbot.repository.url", required: true) else { return nil }
        let name = reader.string(object["name"], "benchbot.repository.name") ?? RepositorySettings.defaultName(for: url)
        if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) || name.hasPrefix(".") {
            reader.report("benchbot.repository.name", "'\(name)' must be letters, digits, '.', '_' or '-'; set a name such as \"project\"")
        }
        var settings = RepositorySettings(name: name, url: url)
        if let branches = reader.strings(object["branches"], "benchbot.repository.branches") {
            if branches.isEmpty {
                reader.report("benchbot.repository.branches", "is empty; list at least one branch to benchmark, such as [\"main\"]")
            }
            for (index, branch) in branches.enumerated() where !LibGit2.isValidReferenceName("refs/heads/\(branch)") {
                reader.report("benchbot.repository.branches[\(index)]", "'\(branch)' is not a valid git branch name")
            }
            settings.branches = branches
        }
        return settings
    }

    private static func parseIntake(_ object: [String: JSONValue], reader: inout ConfigReader) -> IntakeSettings {
        reader.rejectUnknownFields(object, known: ["first_parent", "tags", "hook_branches", "on_branch_delete", "max_attempts", "fetch_timeout"],
                                   prefix: "benchbot.intake")
        var intake = IntakeSettings()
        intake.firstParent = reader.bool(object["first_parent"], "benchbot.intake.first_parent") ?? intake.firstParent
        intake.tags = reader.bool(object["tags"], "benchbot.intake.tags") ?? intake.tags
        intake.hookBranches = reader.strings(object["hook_branches"], "benchbot.intake.hook_branches") ?? intake.hookBranches
        if let deletion = reader.string(object["on_branch_delete"], "benchbot.intake.on_branch_delete") {
            if let parsed = IntakeSettings.BranchDeletion(rawValue: deletion) {
                intake.onBranchDelete = parsed
            } else {
                reader.report("benchbot.intake.on_branch_delete", "is '\(deletion)', expected \"ignore\" or \"cancel\"")
            }
        }
        intake.maxAttempts = reader.integer(object["max_attempts"], "benchbot.intake.max_attempts", minimum: 1) ?? intake.maxAttempts
        if let duration = reader.seconds(object["fetch_timeout"], "benchbot.intake.fetch_timeout") {
            intake.fetchTimeout = duration
        }
        return intake
    }
}

extension HomeConfig {
    private static func parseRunner(_ object: [String: JSONValue], reader: inout ConfigReader) -> RunnerSettings {
        reader.rejectUnknownFields(object, known: ["stage_timeout", "lease_duration", "log_limit", "backups_kept", "deps_dir",
                                                    "pass_environment", "untrusted_wrapper"], prefix: "benchbot.runner")
        var runner = RunnerSettings()
        if let duration = reader.seconds(object["stage_timeout"], "benchbot.runner.stage_timeout") {
            runner.stageTimeout = duration
        }
        if let duration = reader.seconds(object["lease_duration"], "benchbot.runner.lease_duration") {
            runner.leaseDuration = duration
        }
        runner.logLimit = reader.integer(object["log_limit"], "benchbot.runner.log_limit", minimum: 1024) ?? runner.logLimit
        runner.backupsKept = reader.integer(object["backups_kept"], "benchbot.runner.backups_kept", minimum: 1) ?? runner.backupsKept
        runner.depsDirectory = reader.string(object["deps_dir"], "benchbot.runner.deps_dir") ?? runner.depsDirectory
        runner.passEnvironment = reader.strings(object["pass_environment"], "benchbot.runner.pass_environment") ?? []
        if let wrapper = reader.strings(object["untrusted_wrapper"], "benchbot.runner.untrusted_wrapper") {
            if let problem = UntrustedSandbox.problem(in: wrapper) {
                reader.report("benchbot.runner.untrusted_wrapper", problem)
            } else {
                runner.untrustedWrapper = wrapper
            }
        }
        return runner
    }
}

extension RepositorySettings {
    /// The last path component of a URL without `.git`: `https://host/org/parser.git` → `parser`.
    public static func defaultName(for url: String) -> String {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        let last = trimmed.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "project"
        let name = last.hasSuffix(".git") ? String(last.dropLast(4)) : last
        return name.isEmpty ? "project" : name
    }
}
