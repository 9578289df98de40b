import Compare
import Foundation

/// BenchmarkDotNet's JSON exporters (`JsonExporter.Full`, `.Brief` or `.Default`).
///
/// The samples are `Statistics.OriginalValues`, every workload iteration's time per operation
/// in nanoseconds; a brief export without them falls back to the `Workload`/`Result`
/// measurements, and an export from before 0.10 (statistics only) to each median as one
/// sample, with a warning. `Type.Method` is the name and `Parameters` (`N=1000&Mode=Fast`) the parameters.
/// MemoryDiagnoser's bytes allocated per operation becomes an `.allocated` series. A benchmark
/// that failed has no statistics, and is reported as failed rather than skipped.
///
/// A method run in several jobs (`[SimpleJob(RuntimeMoniker.Net80)]` and `Net60`, say) is one
/// series per job: the job, read from `DisplayInfo` (`Type.Method: Job [Parameters]`), becomes
/// the `job` parameter, by its name (`.NET 8.0`) or, for a generated `Job-ABCDEF`, by its
/// settings (`Runtime=.NET 8.0`). BenchmarkDotNet's default job, `DefaultJob`, adds none.
enum BenchmarkDotNetFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let benchmarks = try context.array(try context.object(document, "-")["Benchmarks"], "Benchmarks")
        var results: [BenchmarkResult] = []
        var summarised: [String] = []
        for (index, item) in benchmarks.enumerated() {
            let path = "Benchmarks[\(index)]"
            let fields = try context.object(item, path)
            let type = try context.string(fields["Type"], "\(path).Type")
            let method = try context.string(fields["Method"], "\(path).Method")
            let name = "\(type).\(method)"
            var parameters: [String: String] = [:]
            if case .string(let given)? = fields["Parameters"], !given.isEmpty {
                for pair in given.split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    parameters[parts[0]] = parts.count == 2 ? parts[1] : ""
                }
            }
            if let job = job(fields, type: type, parameters: fields["Parameters"]) { parameters["job"] = job }
            let (measured, isMedian) = try samples(fields, path, context)
            let result = BenchmarkResult(benchmark: name, parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: measured)
            if isMedian { summarised.append(result.displayName) }
            results.append(result)
            if case .object(let memory)? = fields["Memory"], case .number(let bytes)? = memory["BytesAllocatedPerOperation"] {
                results.append(BenchmarkResult(benchmark: "\(name).allocated", parameters: parameters, unit: "B", direction: .lowerIsBetter, samples: [bytes]))
            }
        }
        var warnings: [String] = []
        if let first = summarised.first {
            let more = summarised.count > 1 ? " and \(summarised.count - 1) more" : ""
            warnings.append(PlainText.singleLine("\(context.file): \(first)\(more): the export holds statistics only (BenchmarkDotNet before 0.10): "
                + "each median is stored as one sample, so its noise is unknown; export with JsonExporter.Full to keep every iteration"))
        }
        return ParsedOutput(results: results, warnings: warnings)
    }

    /// The job's readable name from `DisplayInfo`, or `nil` for `DefaultJob` and files without it.
    static func job(_ fields: [String: JSONValue], type: String, parameters: JSONValue?) -> String? {
        guard case .string(let display)? = fields["DisplayInfo"], display.hasPrefix(type + "."),
              let colon = display.range(of: ": ") else { return nil }
        var job = String(display[colon.upperBound...])
        // `Parameters.DisplayInfo` follows the job as ` [N=1000, Mode=Fast]`.
        if case .string(let given)? = parameters, !given.isEmpty, job.hasSuffix("]"), let bracket = job.range(of: " [", options: .backwards) {
            job = String(job[..<bracket.lowerBound])
        }
        job = job.trimmingCharacters(in: .whitespaces)
        guard !job.isEmpty, job != "DefaultJob" else { return nil }
        // `Job-ABCDEF(Runtime=.NET 8.0)`: the id is a hash; its settings say what the job is.
        if let open = job.firstIndex(of: "("), job.hasSuffix(")") {
            let id = job[..<open], settings = job[job.index(after: open)..<job.index(before: job.endIndex)]
            let generated = id.hasPrefix("Job-") && id.dropFirst(4).allSatisfy { $0.isUppercase || $0.isNumber }
            return generated ? String(settings) : String(id)
        }
        return job
    }

    /// Every iteration's time per operation, or (`isMedian`) the median alone where an export from
    /// before 0.10 kept only statistics.
    private static func samples(_ fields: [String: JSONValue], _ path: String, _ context: FormatContext) throws(FormatError) -> ([Double], isMedian: Bool) {
        if case .object(let statistics)? = fields["Statistics"], let original = statistics["OriginalValues"] {
            return (try context.numbers(original, "\(path).Statistics.OriginalValues"), false)
        }
        if let measurements = fields["Measurements"] {
            var samples: [Double] = []
            for (index, item) in try context.array(measurements, "\(path).Measurements").enumerated() {
                let measurementPath = "\(path).Measurements[\(index)]"
                let measurement = try context.object(item, measurementPath)
                guard case .string("Workload")? = measurement["IterationMode"], case .string("Result")? = measurement["IterationStage"] else { continue }
                let operations = try context.number(measurement["Operations"], "\(measurementPath).Operations")
                guard operations > 0 else { throw context.error("\(measurementPath).Operations", "is \(operations); a measurement needs at least one operation") }
                samples.append(try context.number(measurement["Nanoseconds"], "\(measurementPath).Nanoseconds") / operations)
            }
            if !samples.isEmpty { return (samples, false) }
        }
        if fields["Statistics"] == nil || fields["Statistics"] == .null {
            throw context.error("\(path).Statistics", "is missing: the benchmark failed to run (see BenchmarkDotNet's log)")
        }
        if case .object(let statistics)? = fields["Statistics"], fields["Measurements"] == nil, statistics["N"] != nil, let median = statistics["Median"] {
            return ([try context.number(median, "\(path).Statistics.Median")], true)
        }
        throw context.error("\(path).Statistics.OriginalValues", "missing; export with JsonExporter.Full or JsonExporter.Brief, which keep every iteration")
    }
}
