import Compare
import Foundation

/// pytest-benchmark's JSON: `--benchmark-json`, or a `--benchmark-save` file.
///
/// `stats.data` holds every round's time per iteration, in seconds. The name is the test's pytest
/// node ID, `fullname` without its parameters (`tests/test_io.py::TestRead::test_parse`), so two
/// tests of one function name in different classes or modules stay apart; `params` (`{"size":
/// 10}`) become parameters, or the bracketed id when there are none (pytest-benchmark 3.0 wrote no
/// `params`). A file without `data`
/// (pytest-benchmark 2.x, or a saved file without `--benchmark-save-data`) has only summaries:
/// each benchmark's median is stored as its one sample, and a warning says so.
enum PytestBenchmarkFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var summariesOnly: [String] = []
        let results = try context.array(try context.object(document, "-")["benchmarks"], "benchmarks").enumerated().map { index, item throws(FormatError) in
            let path = "benchmarks[\(index)]"
            let fields = try context.object(item, path)
            let (name, parameters) = try identity(fields, path, context)
            let stats = try context.object(fields["stats"], "\(path).stats")
            let samples: [Double]
            if let data = stats["data"] {
                samples = try context.numbers(data, "\(path).stats.data")
            } else {
                samples = [try context.number(stats["median"], "\(path).stats.median")]
                summariesOnly.append(name)
            }
            return BenchmarkResult(benchmark: name, parameters: parameters, unit: "s", direction: .lowerIsBetter, samples: samples)
        }
        var warnings: [String] = []
        if !summariesOnly.isEmpty {
            warnings.append("\(context.file): \(summariesOnly.count) benchmark(s) have no rounds (stats.data), only summaries; each median is stored "
                + "as one sample, too few to judge a change. Write every round with --benchmark-json (pytest-benchmark 3+) or --benchmark-save-data")
        }
        return ParsedOutput(results: results, warnings: warnings)
    }

    /// The node ID without parameters, and the parameters.
    private static func identity(_ fields: [String: JSONValue], _ path: String, _ context: FormatContext) throws(FormatError) -> (String, [String: String]) {
        let shortName = try context.string(fields["name"], "\(path).name")
        // `fullname` is `<module>::<class>::<name>`, where `name` is the function with its `[id]`.
        var fullName = shortName
        if case .string(let given)? = fields["fullname"], given.hasSuffix(shortName) {
            fullName = given
        }
        // pytest before 4 wrote a class's tests as `Class::()::test`; the same test has one name whatever the pytest.
        let prefix = fullName.dropLast(shortName.count).replacingOccurrences(of: "::()::", with: "::")
        let function = shortName.split(separator: "[", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? shortName
        var parameters: [String: String] = [:]
        if case .object(let params)? = fields["params"] {
            for (key, value) in params {
                parameters[key] = switch value {
                case .string(let text): text
                case .number(let number): JSONText.number(number)
                default: String(decoding: value.compactJSON(), as: UTF8.self)
                }
            }
        } else if shortName.count > function.count + 1, shortName.hasSuffix("]") {
            parameters["id"] = String(shortName.dropFirst(function.count + 1).dropLast())
        }
        return (prefix + function, parameters)
    }
}
