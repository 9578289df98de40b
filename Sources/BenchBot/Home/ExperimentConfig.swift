/// One experiment's `config/experiments/<name>/config.json`.
///
/// Only the fields the dashboard itself uses are typed; every other field belongs to the
/// experiment's scripts and stays in ``raw``.
public struct ExperimentConfig: Sendable, Hashable {
    public struct ProcessPinning: Sendable, Hashable {
        public var enabled: Bool
        /// A `taskset` CPU list, such as `0-7` or `0,2`.
        public var cores: String
    }

    /// An experiment that runs a benchmark tool directly and parses its output, instead of
    /// Relay stage scripts.
    public struct Command: Sendable, Hashable {
        /// The argument vector, run in the checkout; a relative program path is inside the checkout.
        public var arguments: [String]
        public var format: BenchmarkFormat
        /// The file the tool writes, relative to the checkout; standard output when `nil`.
        public var output: String?
        /// Measured launches; their samples are merged.
        public var repeatCount: Int = 1
        /// Launches run first and discarded.
        public var warmup: Int = 0
        /// Counts measured around the command (`"counters"`), each stored as a series of its own.
        public var counters: [HardwareCounter] = []
        /// Which way is better for the benchmarks named in `"directions"`, replacing guesses.
        public var directions = DirectionOverrides()
    }

    public var name: String
    public var active: Bool
    /// Set for a command experiment; `nil` for one with Relay stage scripts.
    public var command: Command?
    public var title: String?
    public var description: String?
    /// Slack IDs to ping when the experiment fails.
    public var notify: [String] = []
    /// A fork to build this experiment's variant of the project from (`tvm_remote` in Relay).
    public var remote: String?
    /// A branch to build this experiment's variant from (`tvm_branch` in Relay).
    public var branch: String?
    public var rerunSetup: Bool = false
    public var processPinning: ProcessPinning?
    public var runCPUTelemetry: Bool?
    public var runGPUTelemetry: Bool?
    public var telemetryRate: Int?
    public var priority: Int = 0
    /// The deadline of each of its stages; the runner's `stage_timeout` when `nil`.
    public var timeout: Duration?
    public var raw: JSONValue

    /// Reads the dashboard's fields of an experiment config.
    static func parse(name: String, document: JSONValue, reader: inout ConfigReader) -> ExperimentConfig? {
        guard let object = reader.object(document, "-") else { return nil }
        let active = reader.bool(object["active"], "active", required: true)
        var config = ExperimentConfig(name: name, active: active ?? false, raw: document)
        config.title = reader.string(object["title"], "title", allowEmpty: true)
        config.description = reader.string(object["description"], "description", allowEmpty: true)
        config.notify = reader.strings(object["notify"], "notify") ?? []
        config.remote = variantField(object, benchBotName: "remote", relayName: "tvm_remote", reader: &reader)
        config.branch = variantField(object, benchBotName: "branch", relayName: "tvm_branch", reader: &reader)
        config.rerunSetup = reader.bool(object["rerun_setup"], "rerun_setup") ?? false
        if let pinning = reader.object(object["process_pinning"], "process_pinning") {
            let enabled = reader.bool(pinning["enable"], "process_pinning.enable", required: true)
            let cores = reader.string(pinning["cores"], "process_pinning.cores", required: true)
            if let enabled, let cores { config.processPinning = ProcessPinning(enabled: enabled, cores: cores) }
        }
        config.runCPUTelemetry = reader.bool(object["run_cpu_telemetry"], "run_cpu_telemetry")
        config.runGPUTelemetry = reader.bool(object["run_gpu_telemetry"], "run_gpu_telemetry")
        config.telemetryRate = reader.telemetryRate(object["telemetry_rate"], "telemetry_rate")
        config.priority = reader.integer(object["priority"], "priority") ?? 0
        config.timeout = reader.seconds(object["timeout"], "timeout")
        if object["command"] != nil {
            config.command = parseCommand(object, reader: &reader)
            if config.command == nil { return nil }
        } else if object["counters"] != nil {
            reader.report("counters", "counts only a command experiment's launches; add a \"command\" or remove \"counters\"")
            return nil
        } else if object["directions"] != nil {
            reader.report("directions", "sets directions of a command experiment's benchmarks; add a \"command\" or remove \"directions\"")
            return nil
        }
        return active == nil ? nil : config
    }

    private static func parseCommand(_ object: [String: JSONValue], reader: inout ConfigReader) -> Command? {
        guard let arguments = reader.strings(object["command"], "command") else { return nil }
        guard !arguments.isEmpty else {
            reader.report("command", "is empty; give the program and its arguments, such as [\"./bench\", \"--json\"]")
            return nil
        }
        guard let formatName = reader.string(object["format"], "format", required: true) else { return nil }
        guard let format = BenchmarkFormat(rawValue: formatName) else {
            reader.report("format", "is '\(formatName)', expected one of \(BenchmarkFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var command = Command(arguments: arguments, format: format, output: reader.string(object["output"], "output"))
        command.repeatCount = reader.integer(object["repeat"], "repeat", minimum: 1) ?? 1
        command.warmup = reader.integer(object["warmup"], "warmup", minimum: 0) ?? 0
        guard let counters = parseCounters(object["counters"], reader: &reader) else { return nil }
        command.counters = counters
        guard let directions = DirectionOverrides.parse(object["directions"], reader: &reader) else { return nil }
        command.directions = directions
        return command
    }

    /// `"counters": ["instructions", …]`: known names, each once; `nil` after reporting a problem.
    private static func parseCounters(_ value: JSONValue?, reader: inout ConfigReader) -> [HardwareCounter]? {
        guard value != nil else { return [] }
        guard let names = reader.strings(value, "counters") else { return nil }
        var counters: [HardwareCounter] = []
        for (index, name) in names.enumerated() {
            guard let counter = HardwareCounter(rawValue: name) else {
                reader.report("counters[\(index)]", "is '\(name)', not a counter BenchBot measures; use one of \(HardwareCounter.known)")
                return nil
            }
            guard !counters.contains(counter) else {
                reader.report("counters[\(index)]", "names '\(name)' a second time; list each counter once")
                return nil
            }
            counters.append(counter)
        }
        return counters
    }

    private static func variantField(
        _ object: [String: JSONValue], benchBotName: String, relayName: String, reader: inout ConfigReader
    ) -> String? {
        let modern = reader.string(object[benchBotName], benchBotName)
        let relay = reader.string(object[relayName], relayName)
        if let modern, let relay, modern != relay {
            reader.report(benchBotName, "'\(modern)' disagrees with \(relayName) '\(relay)'; keep one of the two")
        }
        return modern ?? relay
    }
}

/// One subsystem's `config/subsystem/<name>/config.json`.
public struct SubsystemConfig: Sendable, Hashable {
    public var name: String
    public var active: Bool
    public var priority: Int = 0
    public var title: String?
    public var description: String?
    public var notify: [String] = []
    /// Subsystems that must run before this one, whatever the priorities say.
    public var needs: [String] = []
    /// The deadline of its `run.sh`; the runner's `stage_timeout` when `nil`.
    public var timeout: Duration?
    public var raw: JSONValue

    static func parse(name: String, document: JSONValue, reader: inout ConfigReader) -> SubsystemConfig? {
        guard let object = reader.object(document, "-") else { return nil }
        let active = reader.bool(object["active"], "active", required: true)
        var config = SubsystemConfig(name: name, active: active ?? false, raw: document)
        config.priority = reader.integer(object["priority"], "priority") ?? 0
        config.title = reader.string(object["title"], "title", allowEmpty: true)
        config.description = reader.string(object["description"], "description", allowEmpty: true)
        config.notify = reader.strings(object["notify"], "notify") ?? []
        config.needs = reader.strings(object["needs"], "needs") ?? []
        config.timeout = reader.seconds(object["timeout"], "timeout")
        return active == nil ? nil : config
    }
}
