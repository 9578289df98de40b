import Compare

/// BenchBot's own format (see `Schemas/benchbot-results.schema.json`):
///
/// ```json
/// {"benchmarks": [{"name": "parse", "parameters": {"size": "1024"}, "unit": "ns",
///                  "direction": "lower_is_better", "samples": [812, 790, 801]}]}
/// ```
enum BenchBotJSONFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        let top = try context.object(document, "-")
        return try context.array(top["benchmarks"], "benchmarks").enumerated().map { index, item throws(FormatError) in
            let path = "benchmarks[\(index)]"
            let fields = try context.object(item, path)
            var parameters: [String: String] = [:]
            if let given = fields["parameters"] {
                for (key, value) in try context.object(given, "\(path).parameters") {
                    switch value {
                    case .string(let text): parameters[key] = text
                    case .number(let number): parameters[key] = JSONText.number(number)
                    case .bool(let flag): parameters[key] = String(flag)
                    default: throw context.error("\(path).parameters.\(key)", "is \(value.typeName), expected a string or number")
                    }
                }
            }
            let unit = try context.string(fields["unit"], "\(path).unit")
            var direction = ResultValidation.knownUnits[unit] ?? .lowerIsBetter
            if let given = fields["direction"] {
                let name = try context.string(given, "\(path).direction")
                guard let parsed = Direction(rawValue: name) else {
                    throw context.error("\(path).direction", "is '\(name)', expected \"lower_is_better\" or \"higher_is_better\"")
                }
                direction = parsed
            }
            return BenchmarkResult(benchmark: try context.string(fields["name"], "\(path).name"), parameters: parameters,
                                   unit: unit, direction: direction, samples: try context.numbers(fields["samples"], "\(path).samples"))
        }
    }
}
