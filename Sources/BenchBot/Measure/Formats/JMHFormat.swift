import Compare

/// JMH's `-rf json` output: an array of runs, one per benchmark method, mode and parameter set.
///
/// Every measurement iteration of every fork (`primaryMetric.rawData`) is one sample. In `sample`
/// mode JMH writes per-iteration histograms (`rawDataHistogram`) instead; each iteration's
/// weighted mean is its sample, so that iterations stay the unit of repetition in every mode.
/// `@Param` values and the mode (`thrpt`, `avgt`, `sample`, `ss`) become parameters, so a
/// benchmark run with `-bm thrpt,avgt` is two series. Secondary metrics (`·gc.alloc.rate.norm`
/// and the like) become series of their own. JMH's units are converted to BenchBot's (`ops/ms`
/// to ops/s); any other unit, such as perfnorm's `clks/insn`, is kept as given, with a guessed
/// direction and a warning. package-benchmark's `--format jmh` export is read the same way.
enum JMHFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var results: [BenchmarkResult] = []
        var warnings: [String] = []
        func add(_ name: String, _ parameters: [String: String], _ metric: (unit: String, samples: [Double])) {
            let (direction, guessed) = ResultValidation.direction(ofUnit: metric.unit)
            let result = BenchmarkResult(benchmark: name, parameters: parameters, unit: metric.unit, direction: direction, samples: metric.samples)
            if guessed {
                warnings.append(ResultValidation.guessedDirectionWarning(file: context.file, unit: metric.unit, displayName: result.displayName, direction: direction))
            }
            results.append(result)
        }
        for (index, run) in try context.array(document, "-").enumerated() {
            let path = "[\(index)]"
            let fields = try context.object(run, path)
            let name = try context.string(fields["benchmark"], "\(path).benchmark")
            let mode = (try? context.string(fields["mode"], "")) ?? ""
            var parameters: [String: String] = [:]
            if case .object(let params)? = fields["params"] {
                for (key, value) in params { if case .string(let text) = value { parameters[key] = text } }
            }
            // JMH runs one benchmark in several modes when asked (`-bm thrpt,avgt`); the mode tells them apart.
            if !mode.isEmpty { parameters["mode"] = mode }
            add(name, parameters, try metric(fields["primaryMetric"], "\(path).primaryMetric", context))
            if case .object(let secondaries)? = fields["secondaryMetrics"] {
                for (label, value) in secondaries.sorted(by: { $0.key < $1.key }) {
                    let suffix = label.drop(while: { $0 == "·" || $0 == "." || $0 == " " })
                    // Some profilers' results (`-prof stack`'s text) have a score but no iterations.
                    if case .object(let metric) = value, metric["rawData"] == nil, metric["rawDataHistogram"] == nil {
                        warnings.append("\(context.file): \(PlainText.singleLine(name)) \(PlainText.singleLine(label)): no per-iteration data; not stored")
                        continue
                    }
                    add("\(name).\(suffix)", parameters, try metric(value, "\(path).secondaryMetrics.\(label)", context))
                }
            }
        }
        return ParsedOutput(results: results, warnings: warnings)
    }

    /// A metric's samples, in BenchBot's unit when JMH's converts, else in the unit as given.
    private static func metric(_ value: JSONValue?, _ path: String, _ context: FormatContext) throws(FormatError) -> (unit: String, samples: [Double]) {
        let fields = try context.object(value, path)
        let givenUnit = try context.string(fields["scoreUnit"], "\(path).scoreUnit")
        let (unit, factor) = unit(givenUnit) ?? (givenUnit, 1)
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
