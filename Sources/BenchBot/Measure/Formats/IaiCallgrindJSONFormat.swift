import Foundation

/// iai-callgrind's JSON summary of one benchmark (`--save-summary=json` or `pretty-json`:
/// `target/iai/<package>/<file>/<group>/<bench>/summary.json`), schema versions 1 to 6.
///
/// The name is the `module_path`, with `id` and `details` as the `id` and `args` parameters, as
/// ``IaiCallgrindFormat`` names the same benchmark from the terminal. Every metric of every tool
/// is one series of one sample, its new value (the `old` one, from the run before, is skipped),
/// named by ``IaiCallgrindMetric``:
/// - versions 1 and 2: `callgrind_summary.summaries[].events.<Kind>.new`, and in version 2
///   `tool_summaries[].summaries[].costs_summary` and `error_summary` (version 1: `num_errors`);
/// - versions 3 to 6: `tool_summaries[]` (3) or `profiles[]` (4 on), each tool's
///   `summaries.total.summary.<Tool>.<Metric>.metrics` as `{"Left": new}` or
///   `{"Both": [new, old]}`, a value plain or `{"Int": n}`/`{"Float": x}` (6).
///
/// Each file is one benchmark; several files imported for one commit form one run. A run split
/// into processes (versions 1 and 2) gives each process a `part` parameter; later versions give
/// their total. A regression iai-callgrind recorded is a warning.
enum IaiCallgrindJSONFormat {
    static func parse(_ json: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let root = try context.object(json, "-")
        guard root["module_path"] != nil || root["version"] != nil else {
            throw context.error("-", "has neither 'module_path' nor 'version'; is this iai-callgrind's summary.json (--save-summary=json)?")
        }
        let version = try context.string(root["version"], "version")
        let modulePath = try context.string(root["module_path"], "module_path")
        let name = IaiCallgrindName(modulePath: modulePath, id: try optionalString(root["id"], "id", context),
                                    details: try optionalString(root["details"], "details", context))
        var reading = Reading(name: name, context: context)
        if let callgrind = root["callgrind_summary"], callgrind != .null {
            let runs = try context.array(try context.object(callgrind, "callgrind_summary")["summaries"], "callgrind_summary.summaries")
            for (index, run) in runs.enumerated() {
                let path = "callgrind_summary.summaries[\(index)]"
                let fields = try context.object(run, path)
                try reading.add(try context.object(fields["events"], "\(path).events"), tool: "callgrind", part: runs.count > 1 ? index + 1 : nil, path: "\(path).events")
                if case .array(let regressions)? = fields["regressions"], !regressions.isEmpty { reading.regressions += regressions.count }
            }
        }
        let toolsKey = root["profiles"] != nil ? "profiles" : "tool_summaries"
        if let tools = root[toolsKey], tools != .null {
            for (index, tool) in try context.array(tools, toolsKey).enumerated() {
                try reading.addTool(tool, path: "\(toolsKey)[\(index)]")
            }
        }
        guard !reading.results.isEmpty else {
            throw context.error("-", "holds no metrics of '\(modulePath)' (summary version \(version)); was the benchmark run with a tool that counts nothing, such as Massif?")
        }
        if reading.regressions > 0 {
            reading.warnings.append("iai-callgrind reports \(reading.regressions) regression(s) of \(reading.results[0].benchmark) against its previous run")
        }
        return ParsedOutput(results: reading.results, warnings: reading.warnings)
    }

    static func optionalString(_ value: JSONValue?, _ path: String, _ context: FormatContext) throws(FormatError) -> String? {
        guard let value, value != .null else { return nil }
        return try context.string(value, path)
    }

    /// The results of one summary, as its tools are read.
    struct Reading {
        let name: IaiCallgrindName
        let context: FormatContext
        var results: [BenchmarkResult] = []
        var warnings: [String] = []
        var regressions = 0

        /// One tool's entry: a list of runs (versions 1 and 2) or `{parts, total}` (3 on).
        mutating func addTool(_ value: JSONValue, path: String) throws(FormatError) {
            let fields = try context.object(value, path)
            let tool = try context.string(fields["tool"], "\(path).tool").lowercased()
            switch fields["summaries"] {
            case .array(let runs)?:
                for (index, run) in runs.enumerated() {
                    let runPath = "\(path).summaries[\(index)]", part = runs.count > 1 ? index + 1 : nil
                    let run = try context.object(run, runPath)
                    if let costs = run["costs_summary"], costs != .null {
                        try add(try context.object(costs, "\(runPath).costs_summary"), tool: tool, part: part, path: "\(runPath).costs_summary")
                    }
                    if case .object(let errors)? = run["error_summary"] {
                        for (key, label) in [("errors", "Errors"), ("contexts", "Contexts"), ("supp_errors", "SuppressedErrors"), ("supp_contexts", "SuppressedContexts")] {
                            try append(label, try context.number(errors[key], "\(runPath).error_summary.\(key)"), tool: tool, part: part)
                        }
                    } else if let errors = run["num_errors"], errors != .null {
                        try append("Errors", try context.number(errors, "\(runPath).num_errors"), tool: tool, part: part)
                    }
                }
            case .object(let data)?:
                let total = try context.object(data["total"], "\(path).summaries.total")
                if case .array(let found)? = total["regressions"] { regressions += found.count }
                // `"None"` for tools that count nothing (Massif, BBV); else one key, the tool's kind of metrics.
                guard case .object(let kinds)? = total["summary"] else {
                    if total["summary"] == .string("None") { return }
                    throw context.error("\(path).summaries.total.summary", "is \(total["summary"]?.typeName ?? "missing"), expected the tool's metrics")
                }
                for (kind, metrics) in kinds.sorted(by: { $0.key < $1.key }) {
                    let metricsPath = "\(path).summaries.total.summary.\(kind)"
                    try add(try context.object(metrics, metricsPath), tool: tool, part: nil, path: metricsPath)
                }
            default:
                throw context.error("\(path).summaries", "is \(fields["summaries"]?.typeName ?? "missing"), expected the tool's runs")
            }
        }

        /// A map of metric to its `{new, old}` (versions 1, 2) or `{metrics: {Left|Both|Right}}` (3 on).
        mutating func add(_ metrics: [String: JSONValue], tool: String, part: Int?, path: String) throws(FormatError) {
            for (key, diff) in metrics.sorted(by: { $0.key < $1.key }) {
                let diffPath = "\(path).\(key)"
                let fields = try context.object(diff, diffPath)
                var new: JSONValue?
                if let either = fields["metrics"] {
                    let sides = try context.object(either, "\(diffPath).metrics")
                    if let left = sides["Left"] { new = left } else if case .array(let both)? = sides["Both"], let first = both.first { new = first }
                    else if sides["Right"] == nil { throw context.error("\(diffPath).metrics", "holds none of Left, Both or Right") }
                } else if fields.keys.contains("new") || fields.keys.contains("old") {
                    new = fields["new"] == .null ? nil : fields["new"]
                } else {
                    throw context.error(diffPath, "has neither 'metrics' nor 'new'; is this an iai-callgrind summary.json?")
                }
                // Only the previous run measured it: nothing new to store.
                guard let new else { continue }
                try append(key, try value(new, "\(diffPath).new"), tool: tool, part: part)
            }
        }

        /// A value: a number, or version 6's `{"Int": n}` / `{"Float": x}`.
        func value(_ value: JSONValue, _ path: String) throws(FormatError) -> Double {
            if case .object(let tagged) = value, tagged.count == 1, let (tag, number) = tagged.first.map({ ($0.key, $0.value) }) {
                return try context.number(number, "\(path).\(tag)")
            }
            return try context.number(value, path)
        }

        mutating func append(_ key: String, _ number: Double, tool: String, part: Int?) throws(FormatError) {
            var result = name.result(IaiCallgrindMetric.named(key), tool: tool, value: number)
            if let part { result.parameters["part"] = String(part) }
            if results.contains(where: { $0.displayName == result.displayName }) {
                throw context.error(key, "'\(result.displayName)' appears twice; the summary holds one tool's metric once")
            }
            results.append(result)
        }
    }

    /// A JSON object with iai-callgrind's `module_path`, `version` and a list of its tools' runs.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard case .object(let root)? = probe.json, case .string? = root["module_path"], case .string? = root["version"] else { return false }
        return root["profiles"] != nil || root["tool_summaries"] != nil || root["callgrind_summary"] != nil
    }
}
