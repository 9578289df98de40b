import Foundation

/// Where and how an untrusted job's commands run: code nobody trusted pushed (a fork's pull
/// request, run on a maintainer's command).
///
/// Such a job gets a private folder of its own, emptied before each untrusted job, which holds
/// everything its commands may write: `HOME`, `TMPDIR`, its setup output, its Relay result
/// folders, its raw data and copies of its experiments' configs. The home's own `results/`,
/// `config/` and shared setup folder stay out of its reach. Its environment is an allow-list, not
/// the worker's environment minus what looks secret; and when `benchbot.runner.untrusted_wrapper`
/// is set, every command runs under it.
struct UntrustedSandbox: Sendable, Hashable {
    /// The job's private folder, `{data}` in the wrapper.
    let folder: String
    /// `benchbot.runner.untrusted_wrapper`, when set.
    let wrapper: [String]?

    /// `HOME` of the job's commands.
    var homeFolder: String { subfolder("home") }
    /// `TMPDIR` of the job's commands.
    var temporaryFolder: String { subfolder("tmp") }
    /// Stands in for the home's `results/`: the Relay status, data, summary and graph folders.
    var resultsRoot: String { subfolder("results") }
    /// Stands in for Relay's shared `setup_dir`.
    var setupRoot: String { subfolder("setup") }
    /// Copies of the experiments' config folders, which the stages get as their first argument.
    var configsRoot: String { subfolder("config") }
    /// Stands in for `temp_data_dir`: the raw data of the job's experiments.
    var rawDataRoot: String { subfolder("raw") }

    private func subfolder(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// The placeholders a wrapper may hold, as a whole argument or inside one.
    static let placeholders = ["{checkout}", "{scripts}", "{data}", "{deps}"]

    /// The line README and messages give as a working wrapper; Debian's `cc` is a link through `/etc/alternatives`.
    static let example = #"["bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "#
        + #""--symlink", "usr/lib64", "/lib64", "--ro-bind", "/etc/alternatives", "/etc/alternatives", "#
        + #""--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "#
        + #""--bind", "{checkout}", "{checkout}", "--ro-bind", "{scripts}", "{scripts}", "--bind", "{data}", "{data}", "#
        + #""--unshare-all", "--die-with-parent", "--new-session", "--"]"#

    /// What is wrong with a configured wrapper, or `nil`.
    static func problem(in wrapper: [String]) -> String? {
        guard let program = wrapper.first, !program.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "is empty; give the program and its arguments, such as \(example), or remove the field"
        }
        if program.contains("{") {
            return "its first element, \(program), must name the program to run, not a placeholder"
        }
        for argument in wrapper {
            var rest = Substring(argument)
            while let open = rest.firstIndex(of: "{") {
                guard let close = rest[open...].firstIndex(of: "}") else { break }
                let token = String(rest[open...close])
                if !placeholders.contains(token), token.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0 == "_" }), token.count > 2 {
                    return "holds the unknown placeholder \(token); the known ones are \(placeholders.joined(separator: ", "))"
                }
                rest = rest[rest.index(after: close)...]
            }
        }
        return nil
    }

    /// The paths a wrapper's placeholders stand for, for one command.
    struct Paths: Sendable {
        /// The checkout the command runs against (the candidate's, the baseline's, a variant's).
        var checkout: String
        /// The experiments' scripts folder, resolved for this job.
        var scripts: String
        /// `BENCHMARK_DEPS`, resolved for this job.
        var deps: String
    }

    /// The command to start instead of `executable arguments`: the same under the wrapper, if any.
    func wrapping(_ executable: String, _ arguments: [String], paths: Paths) -> (executable: String, arguments: [String]) {
        guard let wrapper, let program = wrapper.first else { return (executable, arguments) }
        let values = ["{checkout}": paths.checkout, "{scripts}": paths.scripts, "{data}": folder, "{deps}": paths.deps]
        let filled = wrapper.dropFirst().map { argument in
            values.reduce(argument) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        return (program, filled + [executable] + arguments)
    }

    /// Whether an untrusted command inherits this variable of the worker's: only what locates
    /// programs and formats text. Nothing else, since a secret's name is anyone's choice.
    static func inherits(_ name: String) -> Bool {
        ["PATH", "LANG", "LANGUAGE", "TZ", "TERM"].contains(name) || name.hasPrefix("LC_")
    }

    /// The environment of an untrusted command: the job's own variables, `HOME` and `TMPDIR` in
    /// the private folder, what ``inherits(_:)`` lets through, and every other variable of the
    /// worker removed, `benchbot.runner.pass_environment` and BenchBot's own `BENCHBOT_*` tokens
    /// included.
    ///
    /// - Parameter job: BenchBot's variables for the job, which carry no secret.
    func environment(job: [String: String?]) -> [String: String?] {
        var environment = job
        for name in ProcessInfo.processInfo.environment.keys where !Self.inherits(name) && job[name] == nil {
            environment[name] = .some(nil)
        }
        environment["HOME"] = homeFolder
        environment["TMPDIR"] = temporaryFolder
        return environment
    }

    /// Empties the private folder and makes its parts.
    ///
    /// - Throws: When it cannot be emptied: a job must not start in what an earlier one left.
    func reset() throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder) { try manager.removeItem(atPath: folder) }
        for part in [homeFolder, temporaryFolder, resultsRoot, setupRoot, configsRoot, rawDataRoot] {
            try manager.createDirectory(atPath: part, withIntermediateDirectories: true)
        }
    }

    /// A copy of an experiment's config folder in the private folder, for its stages' first argument:
    /// the home's `config/` holds the whole home's settings, which are none of this job's business.
    func configFolder(copying original: String, experiment: String) -> String {
        let copy = (configsRoot as NSString).appendingPathComponent(experiment)
        if !FileManager.default.fileExists(atPath: copy) {
            try? FileManager.default.createDirectory(atPath: configsRoot, withIntermediateDirectories: true)
            if (try? FileManager.default.copyItem(atPath: original, toPath: copy)) == nil {
                try? FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            }
        }
        return copy
    }

    /// Whether BenchBot, which runs outside the wrapper, may read, write or remove `path` for the
    /// job: only when it really is inside `checkout` or the private folder, not reached through a
    /// link the job's commands left (to the home's config, or to its `results/`), which would let
    /// BenchBot do for the job what the job itself cannot.
    func holds(_ path: String, checkout: String) -> Bool {
        let resolved = Self.resolved(path)
        return [checkout, folder].map(Self.resolved).contains { root in resolved == root || resolved.hasPrefix(root + "/") }
    }

    /// The path with every link in it resolved: its nearest existing ancestor's real path, and the rest as it is.
    private static func resolved(_ path: String) -> String {
        var existing = (path as NSString).standardizingPath
        var rest: [String] = []
        while existing.count > 1 {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                return ([String(cString: real)] + rest.reversed()).joined(separator: "/")
            }
            rest.append((existing as NSString).lastPathComponent)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return path
    }

    /// Why a file was not read: what the job report says instead of its contents.
    static func linkedOut(_ path: String) -> String {
        "\(path) leads out of the untrusted job's checkout and private folder (a link?); BenchBot does not read it"
    }

    /// The job report's line for an untrusted job that ran with no wrapper.
    static let unsandboxedLine = "  untrusted code ran unsandboxed (no secret, own checkout, but with the network and this user's files): "
        + "set benchbot.runner.untrusted_wrapper, e.g. to bubblewrap (apt-get install bubblewrap), as README's Security section shows"
}
