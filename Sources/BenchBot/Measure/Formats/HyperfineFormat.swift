/// hyperfine's `--export-json`: one series per command, every run's wall time in seconds. Runs
/// that exited non-zero (kept by `--ignore-failure`, listed in `exit_codes`) are stored as
/// measured, since the user asked for them, with a warning naming how many there were.
enum HyperfineFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var warnings: [String] = []
        let results = try context.array(try context.object(document, "-")["results"], "results").enumerated().map { index, item throws(FormatError) in
            let path = "results[\(index)]"
            let fields = try context.object(item, path)
            var parameters: [String: String] = [:]
            if case .object(let given)? = fields["parameters"] {
                for (key, value) in given { if case .string(let text) = value { parameters[key] = text } }
            }
            let command = try context.string(fields["command"], "\(path).command")
            let times = try context.numbers(fields["times"], "\(path).times")
            if case .array(let codes)? = fields["exit_codes"] {
                let failed = codes.filter { if case .number(let code) = $0 { code != 0 } else { false } }.count
                if failed > 0 {
                    warnings.append(PlainText.singleLine("\(context.file): \(path) '\(command)': \(failed) of \(codes.count) runs exited non-zero "
                        + "(hyperfine --ignore-failure); their times are stored as measured"))
                }
            }
            return BenchmarkResult(benchmark: command, parameters: parameters, unit: "s", direction: .lowerIsBetter, samples: times)
        }
        return ParsedOutput(results: results, warnings: warnings)
    }
}
