import Compare

/// Turns an experiment's `data.json` into benchmark series, one per numeric field path.
///
/// `{"cpu": {"resnet": [1.2, 1.3]}}` becomes the series `experiment.cpu.resnet` with the samples
/// 1.2 and 1.3, which is how relay-bench's `stat_alert` reads the same files.
enum DataFlattening {
    /// Fields BenchBot itself adds to every data.json; they are not measurements.
    static let bookkeepingFields: Set<String> = ["timestamp", "commit", "tvm_hash", "start_time", "end_time", "time_delta"]

    /// - Parameters:
    ///   - experiment: Prefixed to every series' name, when given.
    ///   - data: The parsed data.json.
    static func results(experiment: String?, data: JSONValue) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        walk(data, path: experiment.map { [$0] } ?? [], isTop: true, into: &results)
        return results.sorted { $0.benchmark < $1.benchmark }
    }

    private static func walk(_ value: JSONValue, path: [String], isTop: Bool, into results: inout [BenchmarkResult]) {
        switch value {
        case .number(let number):
            results.append(series(path, [number]))
        case .array(let items):
            let numbers = items.compactMap { item -> Double? in if case .number(let n) = item { n } else { nil } }
            if !numbers.isEmpty, numbers.count == items.count {
                results.append(series(path, numbers))
            }
        case .object(let fields):
            for (key, child) in fields where !(isTop && bookkeepingFields.contains(key)) {
                walk(child, path: path + [key], isTop: false, into: &results)
            }
        case .null, .bool, .string:
            break
        }
    }

    private static func series(_ path: [String], _ samples: [Double]) -> BenchmarkResult {
        BenchmarkResult(benchmark: path.joined(separator: "."), unit: "", direction: .lowerIsBetter, samples: samples)
    }
}
