/// hyperfine's `--export-json`: one series per command, every run's wall time in seconds.
enum HyperfineFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        try context.array(try context.object(document, "-")["results"], "results").enumerated().map { index, item throws(FormatError) in
            let path = "results[\(index)]"
            let fields = try context.object(item, path)
            var parameters: [String: String] = [:]
            if case .object(let given)? = fields["parameters"] {
                for (key, value) in given { if case .string(let text) = value { parameters[key] = text } }
            }
            return BenchmarkResult(benchmark: try context.string(fields["command"], "\(path).command"), parameters: parameters,
                                   unit: "s", direction: .lowerIsBetter, samples: try context.numbers(fields["times"], "\(path).times"))
        }
    }
}
