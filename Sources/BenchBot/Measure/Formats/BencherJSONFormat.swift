import Compare

/// The Bencher Metric Format (BMF) JSON that `bencher run --adapter json` reads
/// (https://bencher.dev/docs/reference/bencher-metric-format/): `{benchmark: {measure: {"value",
/// "lower_value"?, "upper_value"?}}}`.
///
/// Each measure holds one value, a summary, stored as the series' only sample; `lower_value` and
/// `upper_value` are its bounds, not samples. Bencher's built-in measures have fixed units
/// (`latency` in ns, `throughput` in ops/s, `build-time` in s, `file-size` in B). Any other measure
/// is the user's own: its slug becomes the unit, and its direction is guessed from the name with a
/// warning. The `latency` measure is the benchmark's own series; every other measure is
/// `benchmark.measure`, so adding a measure later does not rename the existing series.
enum BencherJSONFormat {
    /// The built-in measures' slugs, with the unit and direction Bencher gives them.
    static let builtInMeasures: [String: (unit: String, direction: Compare.Direction)] = [
        "latency": ("ns", .lowerIsBetter), "throughput": ("ops/s", .higherIsBetter),
        "build-time": ("s", .lowerIsBetter), "file-size": ("B", .lowerIsBetter),
    ]

    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        guard case .object(let benchmarks) = document else {
            throw context.error("-", "is \(document.typeName), expected an object of benchmarks; is this really Bencher Metric Format JSON?")
        }
        var results: [BenchmarkResult] = []
        var warnings: [String] = []
        var warnedMeasures = Set<String>()
        for name in benchmarks.keys.sorted() {
            // Keys are quoted in paths: a benchmark may be named "" or "a.b", and the path must still say which.
            let at = "[\(JSONText.string(name))]"
            let measures = try context.object(benchmarks[name], at)
            guard !measures.isEmpty else { throw context.error(at, "holds no measures; BMF needs at least one, such as {\"latency\": {\"value\": 88.0}}") }
            for measure in measures.keys.sorted() {
                let path = "\(at)[\(JSONText.string(measure))]"
                let metric = try context.object(measures[measure], path)
                let value = try context.number(metric["value"], "\(path).value")
                for bound in ["lower_value", "upper_value"] where metric[bound] != nil {
                    _ = try context.number(metric[bound], "\(path).\(bound)")
                }
                if let problem = GabCustomFormat.unitProblem(measure) { throw context.error(path, "the measure's name \(problem)") }
                let unit: String, direction: Compare.Direction
                if let builtIn = builtInMeasures[measure] {
                    (unit, direction) = builtIn
                } else {
                    let (guess, guessed) = ResultValidation.direction(ofUnit: measure)
                    (unit, direction) = (measure, guess)
                    if guessed, warnedMeasures.insert(measure).inserted {
                        warnings.append("\(context.file): measure '\(measure)' is not one of Bencher's built-in measures; "
                                        + "stored with unit '\(measure)', \(direction == .higherIsBetter ? "higher" : "lower") is better (guessed from its name)")
                    }
                }
                results.append(BenchmarkResult(benchmark: measure == "latency" ? name : "\(name).\(measure)", unit: unit, direction: direction, samples: [value]))
            }
        }
        return ParsedOutput(results: results, warnings: warnings)
    }

    /// An object of objects of objects, each holding a numeric `value` and nothing but BMF's three keys.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard case .object(let benchmarks)? = probe.json, !benchmarks.isEmpty else { return false }
        return benchmarks.values.prefix(3).allSatisfy { measures in
            guard case .object(let measures) = measures, !measures.isEmpty else { return false }
            return measures.values.allSatisfy { metric in
                guard case .object(let fields) = metric, case .number? = fields["value"] else { return false }
                return Set(fields.keys).isSubset(of: ["value", "lower_value", "upper_value"])
            }
        }
    }
}
