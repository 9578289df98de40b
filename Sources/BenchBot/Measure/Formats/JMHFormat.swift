import Compare

/// JMH's `-rf json` output: an array of runs, one per benchmark method, mode and parameter set.
///
/// Every measurement iteration of every fork (`primaryMetric.rawData`) is one sample. In `sample`
/// mode JMH writes per-iteration histograms (`rawDataHistogram`) instead; each iteration's
/// weighted mean is its sample, so that iterations stay the unit of repetition in every mode.
/// `@Param` values become parameters; secondary metrics (`·gc.alloc.rate.norm` and the like)
/// become series of their own when their unit is one BenchBot knows, and are listed in the
/// README as ignored otherwise. package-benchmark's `--format jmh` export is read the same way.
enum JMHFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        for (index, run) in try context.array(document, "-").enumerated() {
            let path = "[\(index)]"
            let fields = try context.object(run, path)
            let name = try context.string(fields["benchmark"], "\(path).benchmark")
            let mode = (try? context.string(fields["mode"], "")) ?? ""
            var parameters: [String: String] = [:]
            if case .object(let params)? = fields["params"] {
                for (key, value) in params { if case .string(let text) = value { parameters[key] = text } }
            }
            // JMH runs one benchmark in several modes when asked; the mode tells them apart.
            let modeSuffix = ["avgt", "thrpt", "sample", "ss", ""].contains(mode) ? "" : ".\(mode)"
            let primaryPath = "\(path).primaryMetric"
            guard let primary = try metric(fields["primaryMetric"], primaryPath, context, required: true) else {
                throw context.error(primaryPath, "has no samples")
            }
            results.append(BenchmarkResult(benchmark: name + modeSuffix, parameters: parameters, unit: primary.unit,
                                           direction: ResultValidation.knownUnits[primary.unit] ?? .lowerIsBetter, samples: primary.samples))
            if case .object(let secondaries)? = fields["secondaryMetrics"] {
                for (label, value) in secondaries.sorted(by: { $0.key < $1.key }) {
                    guard let secondary = try metric(value, "\(path).secondaryMetrics.\(label)", context, required: false) else { continue }
                    let suffix = label.drop(while: { $0 == "·" || $0 == "." || $0 == " " })
                    results.append(BenchmarkResult(benchmark: "\(name)\(modeSuffix).\(suffix)", parameters: parameters, unit: secondary.unit,
                                                   direction: ResultValidation.knownUnits[secondary.unit] ?? .lowerIsBetter, samples: secondary.samples))
                }
            }
        }
        return results
    }

    /// A metric's samples in a unit BenchBot knows; `nil` for a secondary metric whose unit it does not.
    private static func metric(_ value: JSONValue?, _ path: String, _ context: FormatContext, required: Bool) throws(FormatError) -> (unit: String, samples: [Double])? {
        let fields = try context.object(value, path)
        let givenUnit = try context.string(fields["scoreUnit"], "\(path).scoreUnit")
        guard let (unit, factor) = unit(givenUnit) else {
            if required { throw context.error("\(path).scoreUnit", "'\(givenUnit)' is not a unit BenchBot can convert") }
            return nil
        }
        var samples: [Double] = []
        if let raw = fields["rawData"] {
            for (fork, iterations) in try context.array(raw, "\(path).rawData").enumerated() {
                samples += try context.numbers(iterations, "\(path).rawData[\(fork)]")
            }
        } else if let histogram = fields["rawDataHistogram"] {
            for (fork, iterations) in try context.array(histogram, "\(path).rawDataHistogram").enumerated() {
                for (iteration, bins) in try context.array(iterations, "\(path).rawDataHistogram[\(fork)]").enumerated() {
                    let binsPath = "\(path).rawDataHistogram[\(fork)][\(iteration)]"
                    var total = 0.0, count = 0.0
                    for (bin, pair) in try context.array(bins, binsPath).enumerated() {
                        let valueAndCount = try context.numbers(pair, "\(binsPath)[\(bin)]")
                        guard valueAndCount.count == 2 else { throw context.error("\(binsPath)[\(bin)]", "is not a [value, count] pair") }
                        total += valueAndCount[0] * valueAndCount[1]
                        count += valueAndCount[1]
                    }
                    if count > 0 { samples.append(total / count) }
                }
            }
        } else {
            throw context.error(path, "has neither rawData nor rawDataHistogram; BenchBot needs every iteration, not only the score")
        }
        return (unit, samples.map { $0 * factor })
    }

    /// JMH's units, and package-benchmark's spelling of them, as BenchBot's units and the factor that converts.
    static func unit(_ given: String) -> (String, Double)? {
        switch given.replacingOccurrences(of: "μ", with: "u").replacingOccurrences(of: "µ", with: "u") {
        case "ns/op", "ns": ("ns", 1)
        case "us/op", "us": ("us", 1)
        case "ms/op", "ms": ("ms", 1)
        case "s/op", "s": ("s", 1)
        case "ops/s", "# / s", "#/s": ("ops/s", 1)
        case "ops/ms": ("ops/s", 1e3)
        case "ops/us": ("ops/s", 1e6)
        case "ops/ns": ("ops/s", 1e9)
        case "B/op", "B": ("B", 1)
        case "MB/sec", "MB/s": ("MB/s", 1)
        case "counts", "#", "# / op": ("count", 1)
        default: nil
        }
    }
}

import Foundation
