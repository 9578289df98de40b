/// Google Benchmark's JSON. Each repetition is one sample of `real_time`; the `mean`, `median`,
/// `stddev` and `cv` aggregates are summaries of those samples, not samples, and are skipped.
/// `BM_Sum/512` becomes the benchmark `BM_Sum` with the parameter `arg0=512` (`name:value`
/// arguments keep their names); `items_per_second` and `bytes_per_second` become series of their own.
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
        for (index, run) in runs.enumerated() {
            let path = "benchmarks[\(index)]"
            let fields = try context.object(run, path)
            if case .string("aggregate")? = fields["run_type"] { continue }
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
            let unit = try context.string(fields["time_unit"], "\(path).time_unit")
            let time = try context.number(fields["real_time"], "\(path).real_time")
            add(fullName, { BenchmarkResult(benchmark: name, parameters: parameters, unit: unit, direction: .lowerIsBetter, samples: []) }, time)
            for (field, unit) in [("items_per_second", "items/s"), ("bytes_per_second", "B/s")] {
                if case .number(let rate)? = fields[field] {
                    add("\(fullName)#\(field)", { BenchmarkResult(benchmark: "\(name).\(field)", parameters: parameters, unit: unit, direction: .higherIsBetter, samples: []) }, rate)
                }
            }
        }
        return ParsedOutput(results: order.map { series[$0]! }, failures: failures, warnings: warnings)
    }

    /// `BM_Sum/512/threads:2` → (`BM_Sum`, `arg0=512, threads=2`).
    static func split(_ fullName: String) -> (String, [String: String]) {
        let parts = fullName.split(separator: "/").map(String.init)
        guard let name = parts.first else { return (fullName, [:]) }
        var parameters: [String: String] = [:]
        var positional = 0
        for part in parts.dropFirst() {
            if let colon = part.firstIndex(of: ":") {
                parameters[String(part[..<colon])] = String(part[part.index(after: colon)...])
            } else {
                parameters["arg\(positional)"] = part
                positional += 1
            }
        }
        return (name, parameters)
    }
}
