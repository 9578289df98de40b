import Compare

/// BenchBot's own format (see `Schemas/benchbot-results.schema.json`):
///
/// ```json
/// {"benchmarks": [{"name": "parse", "parameters": {"size": "1024"}, "unit": "ns",
///                  "direction": "lower_is_better", "samples": [812, 790, 801]}]}
/// ```
///
/// Any printable unit is kept; without `direction`, a unit BenchBot does not know gets a guessed
/// direction and a warning.
enum BenchBotJSONFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let top = try context.object(document, "-")
        var warnings: [String] = []
        let results = try context.array(top["benchmarks"], "benchmarks").enumerated().map { index, item throws(FormatError) in
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
            let name = try context.string(fields["name"], "\(path).name")
            var direction: Direction
            if let given = fields["direction"] {
                let name = try context.string(given, "\(path).direction")
                guard let parsed = Direction(rawValue: name) else {
                    throw context.error("\(path).direction", "is '\(name)', expected \"lower_is_better\" or \"higher_is_better\"")
                }
                direction = parsed
            } else {
                let guess = ResultValidation.direction(ofUnit: unit)
                direction = guess.direction
                if guess.guessed {
                    let displayName = BenchmarkResult(benchmark: name, parameters: parameters, unit: unit, direction: direction, samples: []).displayName
                    warnings.append(ResultValidation.guessedDirectionWarning(file: context.file, unit: unit, displayName: displayName, direction: direction))
                }
            }
            return BenchmarkResult(benchmark: name, parameters: parameters,
                                   unit: unit, direction: direction, samples: try context.numbers(fields["samples"], "\(path).samples"))
        }
        return ParsedOutput(results: results, warnings: warnings)
    }
}
