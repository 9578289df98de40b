/// The checks every parser's results pass: samples that statistics can use, units BenchBot
/// knows, and one series per name and parameter set.
enum ResultValidation {
    /// Units and which way each is better; anything else is refused rather than guessed.
    static let knownUnits: [String: Compare.Direction] = [
        "ns": .lowerIsBetter, "us": .lowerIsBetter, "µs": .lowerIsBetter, "ms": .lowerIsBetter, "s": .lowerIsBetter,
        "B": .lowerIsBetter, "KiB": .lowerIsBetter, "MiB": .lowerIsBetter, "allocs": .lowerIsBetter,
        "instructions": .lowerIsBetter, "cycles": .lowerIsBetter,
        "ops/s": .higherIsBetter, "items/s": .higherIsBetter, "B/s": .higherIsBetter, "MB/s": .higherIsBetter,
        "": .lowerIsBetter, "count": .lowerIsBetter, "score": .higherIsBetter,
    ]
    static let timeUnits: Set<String> = ["ns", "us", "µs", "ms", "s"]

    static func validate(_ results: [BenchmarkResult], _ context: FormatContext) throws(FormatError) {
        guard !results.isEmpty else { throw context.error("-", "holds no benchmark results") }
        var seen = Set<String>()
        for result in results {
            let label = result.displayName
            guard knownUnits[result.unit] != nil else {
                throw context.error(label, "unit '\(result.unit)' is not one BenchBot knows; use one of \(knownUnits.keys.filter { !$0.isEmpty }.sorted().joined(separator: ", "))")
            }
            guard !result.samples.isEmpty else { throw context.error(label, "has no samples") }
            if let bad = result.samples.firstIndex(where: { !$0.isFinite }) {
                throw context.error("\(label) sample \(bad + 1)", "is \(result.samples[bad]), not a finite number")
            }
            if timeUnits.contains(result.unit), let negative = result.samples.firstIndex(where: { $0 < 0 }) {
                throw context.error("\(label) sample \(negative + 1)", "is a negative time (\(result.samples[negative]) \(result.unit))")
            }
            guard seen.insert(label).inserted else {
                throw context.error(label, "appears twice; give each benchmark and parameter set its own name")
            }
        }
    }
}

import Compare

extension BenchmarkResult {
    /// `name[key=value,…]`, the series' name for people and for duplicate checks.
    public var displayName: String {
        guard !parameters.isEmpty else { return benchmark }
        return benchmark + "[" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }
}
