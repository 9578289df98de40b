import Foundation

/// Rust criterion's output folder, `target/criterion`.
///
/// Each benchmark leaves `<id>/new/benchmark.json` (its group, function and input), `sample.json`
/// (`iters` and total `times` in nanoseconds per sample) and `estimates.json`. Each sample's
/// time per iteration, `times[i] / iters[i]`, is one BenchBot sample. A folder whose
/// `sample.json` is gone but `estimates.json` is there gives the median estimate as its one
/// sample. `sort/unstable/64` becomes the benchmark `sort/unstable` with `input=64`.
///
/// Before 0.3, criterion saved `sample.json` as a pair of arrays, `[[iters…], [times…]]`, and
/// `estimates.json` keyed by `Median` rather than `median`; the oldest (`.criterion/`) wrote no
/// `benchmark.json`, so there the benchmark's folder, relative to the one given, is its name.
enum CriterionFormat {
    /// - Parameters:
    ///   - folder: `target/criterion`, or any folder below it.
    static func parse(folder: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let descriptions = benchmarkDescriptions(under: folder)
        guard !descriptions.isEmpty else {
            throw context.error("-", "has no */new/benchmark.json; point `output` at target/criterion after `cargo bench` ran")
        }
        return ParsedOutput(results: try descriptions.map { description throws(FormatError) in try result(description, folder: folder, context) })
    }

    private static func benchmarkDescriptions(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            // criterion's HTML report folders hold no data; skipping them keeps large trees fast.
            if relative.hasSuffix("/report") || relative == "report" { walker.skipDescendants(); continue }
            if relative.hasSuffix("/new/benchmark.json") || relative == "new/benchmark.json" { found.append(relative) }
        }
        // Before benchmark.json existed, a benchmark is a folder with new/sample.json or new/estimates.json.
        let described = Set(found.map { ($0 as NSString).deletingLastPathComponent })
        let again = FileManager.default.enumerator(atPath: folder)
        while let relative = again?.nextObject() as? String {
            if relative.hasSuffix("/report") || relative == "report" { again?.skipDescendants(); continue }
            let name = (relative as NSString).lastPathComponent
            guard name == "sample.json" || name == "estimates.json" else { continue }
            let newFolder = (relative as NSString).deletingLastPathComponent
            guard (newFolder as NSString).lastPathComponent == "new", !described.contains(newFolder) else { continue }
            let stand = (newFolder as NSString).appendingPathComponent("benchmark.json")
            if !found.contains(stand) { found.append(stand) }
        }
        return found.sorted()
    }

    private static func result(_ description: String, folder: String, _ context: FormatContext) throws(FormatError) -> BenchmarkResult {
        let newFolder = (folder as NSString).appendingPathComponent((description as NSString).deletingLastPathComponent)
        let descriptionPath = (newFolder as NSString).appendingPathComponent("benchmark.json")
        var name: String
        var parameters: [String: String] = [:]
        if FileManager.default.fileExists(atPath: descriptionPath) {
            let benchmark = try context.object(try read(descriptionPath, context), description)
            name = try context.string(benchmark["group_id"], "\(description).group_id")
            if case .string(let function)? = benchmark["function_id"] { name += "/" + function }
            if case .string(let input)? = benchmark["value_str"] { parameters["input"] = input }
        } else {
            // The benchmark's folder below the one given; the folder itself when it is the benchmark.
            let relative = ((description as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            name = relative.isEmpty ? (folder as NSString).lastPathComponent : relative
        }

        let samplePath = (newFolder as NSString).appendingPathComponent("sample.json")
        let samples: [Double]
        if FileManager.default.fileExists(atPath: samplePath) {
            let label = ((description as NSString).deletingLastPathComponent as NSString).appendingPathComponent("sample.json")
            let iterations: [Double], times: [Double]
            let document = try read(samplePath, context)
            if case .array(let pair) = document {
                // criterion before 0.3: the tuple (iters, times).
                guard pair.count == 2 else { throw context.error(label, "has \(pair.count) arrays; criterion before 0.3 wrote two, [iters] and [times]") }
                iterations = try context.numbers(pair[0], "\(label)[0]")
                times = try context.numbers(pair[1], "\(label)[1]")
            } else {
                let sample = try context.object(document, label)
                iterations = try context.numbers(sample["iters"], "\(label).iters")
                times = try context.numbers(sample["times"], "\(label).times")
            }
            guard iterations.count == times.count else {
                throw context.error(label, "has \(iterations.count) iters but \(times.count) times; the file is damaged")
            }
            if let zero = iterations.firstIndex(where: { $0 <= 0 }) {
                throw context.error("\(label).iters[\(zero)]", "is \(iterations[zero]); every sample needs at least one iteration")
            }
            samples = zip(times, iterations).map { $0 / $1 }
        } else {
            let label = ((description as NSString).deletingLastPathComponent as NSString).appendingPathComponent("estimates.json")
            let estimates = try context.object(try read((newFolder as NSString).appendingPathComponent("estimates.json"), context), label)
            // criterion before 0.3 keyed its estimates by the statistic's type name, `Median`.
            let median = try context.object(estimates["median"] ?? estimates["Median"], "\(label).median")
            samples = [try context.number(median["point_estimate"], "\(label).median.point_estimate")]
        }
        return BenchmarkResult(benchmark: name, parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: samples)
    }

    private static func read(_ path: String, _ context: FormatContext) throws(FormatError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw context.error(path, "cannot be read")
        }
        return try FormatContext(file: path, format: context.format).json(data)
    }
}
