import Compare

/// Julia BenchmarkTools' JSON, as `BenchmarkTools.save("results.json", results)` writes it
/// (https://github.com/JuliaCI/BenchmarkTools.jl/blob/main/src/serialization.jl, and
/// docs/src/manual.md "Caching Parameters" / "Saving results"): `[{"Julia": …, "BenchmarkTools": …},
/// [value, …]]`, where each value is `[typename, {fields}]`.
///
/// A `Trial` keeps every sample: its `times`, in nanoseconds, are stored as they are, and its
/// `memory` (bytes) and `allocs` become the series `name.memory` and `name.allocs`, one value each
/// (BenchmarkTools measures them once per trial). A `TrialEstimate` (a saved `median(results)`)
/// holds one `time`, stored as the one sample. A `BenchmarkGroup`'s keys become the name's path,
/// joined with `/` (`parse/json/small`); several saved values are numbered `1/…`, `2/…`.
/// Judgements and ratios are comparisons, not measurements, and are refused.
enum JuliaBenchmarkToolsFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        guard case .array(let top) = document, top.count == 2, case .object(let versions) = top[0], versions["BenchmarkTools"] != nil else {
            throw context.error("-", "is not [{\"Julia\": …, \"BenchmarkTools\": …}, [results]]; is this really a file of BenchmarkTools.save?")
        }
        let values = try context.array(top[1], "[1]")
        var results: [BenchmarkResult] = []
        for (index, value) in values.enumerated() {
            try collect(value, path: values.count > 1 ? ["\(index + 1)"] : [], at: "[1][\(index)]", into: &results, context)
        }
        return ParsedOutput(results: results)
    }

    /// Adds the results under one serialized value: a group's members, or a trial's series.
    static func collect(_ value: JSONValue, path: [String], at location: String, into results: inout [BenchmarkResult],
                        _ context: FormatContext) throws(FormatError) {
        let pair = try context.array(value, location)
        guard pair.count == 2 else { throw context.error(location, "holds \(pair.count) items, expected [typename, {fields}]") }
        var type = try context.string(pair[0], "\(location)[0]")
        if type.hasPrefix("BenchmarkTools.") { type.removeFirst("BenchmarkTools.".count) }
        let fields = try context.object(pair[1], "\(location)[1]")
        let name = path.joined(separator: "/")
        switch type {
        case "BenchmarkGroup":
            let data = try context.object(fields["data"], "\(location)[1].data")
            for key in data.keys.sorted() {
                try collect(data[key]!, path: path + [key], at: "\(location)[1].data[\(JSONText.string(key))]", into: &results, context)
            }
        case "Trial":
            guard !name.isEmpty else { throw context.error(location, "is a Trial outside any BenchmarkGroup; save the group (or run) so it has a name") }
            let times = try context.numbers(fields["times"], "\(location)[1].times")
            guard !times.isEmpty else { throw context.error("\(location)[1].times", "is empty; the trial ran no samples") }
            results.append(BenchmarkResult(benchmark: name, unit: "ns", direction: .lowerIsBetter, samples: times))
            results.append(BenchmarkResult(benchmark: "\(name).memory", unit: "B", direction: .lowerIsBetter,
                                           samples: [try context.number(fields["memory"], "\(location)[1].memory")]))
            results.append(BenchmarkResult(benchmark: "\(name).allocs", unit: "allocs", direction: .lowerIsBetter,
                                           samples: [try context.number(fields["allocs"], "\(location)[1].allocs")]))
        case "TrialEstimate":
            guard !name.isEmpty else { throw context.error(location, "is a TrialEstimate outside any BenchmarkGroup; save the group so it has a name") }
            results.append(BenchmarkResult(benchmark: name, unit: "ns", direction: .lowerIsBetter,
                                           samples: [try context.number(fields["time"], "\(location)[1].time")]))
            results.append(BenchmarkResult(benchmark: "\(name).memory", unit: "B", direction: .lowerIsBetter,
                                           samples: [try context.number(fields["memory"], "\(location)[1].memory")]))
            results.append(BenchmarkResult(benchmark: "\(name).allocs", unit: "allocs", direction: .lowerIsBetter,
                                           samples: [try context.number(fields["allocs"], "\(location)[1].allocs")]))
        case "TrialJudgement", "TrialRatio":
            throw context.error(location, "is a \(type), a comparison of two runs rather than a measurement; save the Trial results (run(suite)) instead")
        case "Parameters", "TagFilter":
            break
        default:
            throw context.error("\(location)[0]", "is '\(type)', not a BenchmarkTools type this reader knows (BenchmarkGroup, Trial, TrialEstimate)")
        }
    }

    /// The `[{"Julia", "BenchmarkTools"}, […]]` envelope.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard case .array(let top)? = probe.json, top.count == 2, case .object(let versions) = top[0], case .array = top[1] else { return false }
        return versions["BenchmarkTools"] != nil && versions["Julia"] != nil
    }
}
