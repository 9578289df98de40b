/// Google Benchmark's JSON. Each repetition is one sample of `real_time`; the `mean`, `median`,
/// `stddev` and `cv` aggregates are summaries of those samples, not samples, and are skipped. A
/// file of aggregates only (`--benchmark_report_aggregates_only`) stores each benchmark's median
/// (or mean) as its one sample, with a warning. `BM_Sum/512` becomes the benchmark `BM_Sum` with
/// the parameter `arg0=512` (`name:value` arguments keep their names); a fixture's method stays in
/// the name (`Fixture<int>/Method/8` is `Fixture<int>/Method` with `arg0=8`). `items_per_second`
/// and `bytes_per_second` become series of their own.
/// A run with `error_occurred` (`SkipWithError`) is that benchmark's failure, with its
/// `error_message`; one skipped with `SkipWithMessage` (`"skipped"`, 1.8+) is a warning.
enum GoogleBenchmarkFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let runs = try context.array(try context.object(document, "-")["benchmarks"], "benchmarks")
        var failures: [BenchmarkFailure] = []
        var warnings: [String] = []
        var order: [String] = []
        var series: [String: BenchmarkResult] = [:]
        func add(_ key: String, _ make: () -> BenchmarkResult, _ sample: Double) {
            if series[key] == nil { order.append(key); series[key] = make() }
            series[key]!.samples.append(sample)
        }
        func addSamples(_ fullName: String, _ fields: [String: JSONValue], _ path: String) throws(FormatError) {
            let (name, parameters) = split(fullName)
            let unit = try context.string(fields["time_unit"], "\(path).time_unit")
            let time = try context.number(fields["real_time"], "\(path).real_time")
            add(fullName, { BenchmarkResult(benchmark: name, parameters: parameters, unit: unit, direction: .lowerIsBetter, samples: []) }, time)
            for (field, unit) in [("items_per_second", "items/s"), ("bytes_per_second", "B/s")] {
                if case .number(let rate)? = fields[field] {
                    add("\(fullName)#\(field)", { BenchmarkResult(benchmark: "\(name).\(field)", parameters: parameters, unit: unit, direction: .higherIsBetter, samples: []) }, rate)
                }
            }
        }
        // Each benchmark's median aggregate (or its mean, where no median was printed), in file order:
        // its one sample when the file holds no repetitions of it.
        var summaries: [(fullName: String, path: String, fields: [String: JSONValue])] = []
        var summaryPlaces: [String: Int] = [:]
        for (index, run) in runs.enumerated() {
            let path = "benchmarks[\(index)]"
            let fields = try context.object(run, path)
            if case .string("aggregate")? = fields["run_type"] {
                guard case .string(let aggregate)? = fields["aggregate_name"], aggregate == "median" || aggregate == "mean",
                      case .string(let fullName)? = fields["run_name"] else { continue }
                if let known = summaryPlaces[fullName] {
                    if aggregate == "median" { summaries[known] = (fullName, path, fields) }
                } else {
                    summaryPlaces[fullName] = summaries.count
                    summaries.append((fullName, path, fields))
                }
                continue
            }
            let fullName = try context.string(fields["run_name"] ?? fields["name"], "\(path).name")
            let (name, parameters) = split(fullName)
            if case .bool(true)? = fields["error_occurred"] {
                let display = BenchmarkResult(benchmark: name, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName
                let message = (try? context.string(fields["error_message"], "")) ?? "no message"
                if !failures.contains(where: { $0.benchmark == display }) {
                    failures.append(BenchmarkFailure(benchmark: display, reason: message.isEmpty ? "no message" : message))
                }
                continue
            }
            if case .bool(true)? = fields["skipped"] {
                let message = (try? context.string(fields["skip_message"], "")) ?? ""
                warnings.append("\(context.file): \(PlainText.singleLine(fullName)) was skipped\(message.isEmpty ? "" : ": \(PlainText.singleLine(message))"); not stored")
                continue
            }
            try addSamples(fullName, fields, path)
        }
        var summarised: [String] = []
        let failed = Set(failures.map(\.benchmark))
        for summary in summaries where series[summary.fullName] == nil {
            let (name, parameters) = split(summary.fullName)
            guard !failed.contains(BenchmarkResult(benchmark: name, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName) else {
                continue
            }
            try addSamples(summary.fullName, summary.fields, summary.path)
            summarised.append(summary.fullName)
        }
        if let first = summarised.first {
            let more = summarised.count > 1 ? " and \(summarised.count - 1) more" : ""
            warnings.append(PlainText.singleLine("\(context.file): \(first)\(more) \(summarised.count > 1 ? "have" : "has") only aggregates (--benchmark_report_aggregates_only): "
                + "each one's median is stored as its one sample, so its noise is unknown; run without that flag to keep every repetition"))
        }
        return ParsedOutput(results: order.map { series[$0]! }, failures: failures, warnings: warnings)
    }

    /// `BM_Sum/512/threads:2` → (`BM_Sum`, `arg0=512, threads=2`); `Fixture<int>/Method/8` →
    /// (`Fixture<int>/Method`, `arg0=8`): the words before the first argument name the benchmark
    /// (a `BENCHMARK_F` fixture's method), so each method stays a benchmark of its own.
    static func split(_ fullName: String) -> (String, [String: String]) {
        var parts = fullName.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { return (fullName, [:]) }
        var name = parts.removeFirst()
        while let part = parts.first, !part.contains(":"), !isArgument(part), !runOptions.contains(part) {
            name += "/" + part
            parts.removeFirst()
        }
        var parameters: [String: String] = [:]
        var positional = 0
        for part in parts {
            if let colon = part.firstIndex(of: ":") {
                parameters[String(part[..<colon])] = String(part[part.index(after: colon)...])
            } else {
                parameters["arg\(positional)"] = part
                positional += 1
            }
        }
        return (name, parameters)
    }

    /// An argument as Google Benchmark prints one: an integer.
    private static func isArgument(_ part: String) -> Bool {
        let digits = part.hasPrefix("-") ? part.dropFirst() : Substring(part)
        return !digits.isEmpty && digits.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The run options Google Benchmark appends to a name without a value.
    private static let runOptions: Set<String> = ["real_time", "process_time", "manual_time"]
}
