/// pytest-benchmark's `--benchmark-json`: `stats.data` holds every round's time per iteration,
/// in seconds; `test_sorted[10]` with `params` `{"size": 10}` becomes `test_sorted` with `size=10`.
enum PytestBenchmarkFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        try context.array(try context.object(document, "-")["benchmarks"], "benchmarks").enumerated().map { index, item throws(FormatError) in
            let path = "benchmarks[\(index)]"
            let fields = try context.object(item, path)
            let fullName = try context.string(fields["name"], "\(path).name")
            let name = fullName.split(separator: "[", maxSplits: 1).first.map(String.init) ?? fullName
            var parameters: [String: String] = [:]
            if case .object(let params)? = fields["params"] {
                for (key, value) in params {
                    parameters[key] = switch value {
                    case .string(let text): text
                    case .number(let number): JSONText.number(number)
                    default: String(decoding: value.prettyPrinted(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
            } else if fullName.contains("[") {
                parameters["id"] = String(fullName.dropFirst(name.count + 1).dropLast())
            }
            let stats = try context.object(fields["stats"], "\(path).stats")
            guard stats["data"] != nil else {
                throw context.error("\(path).stats.data", "missing: BenchBot needs every round, which pytest-benchmark writes with --benchmark-json")
            }
            return BenchmarkResult(benchmark: name, parameters: parameters, unit: "s", direction: .lowerIsBetter,
                                   samples: try context.numbers(stats["data"], "\(path).stats.data"))
        }
    }
}

import Foundation
