import Compare

/// ordo-one/package-benchmark's saved results, `.benchmarkBaselines/<target>/<baseline>/results.json`,
/// written by `swift package benchmark baseline update`.
///
/// The file keeps each metric as an HDR histogram, not as a list of samples; every recorded value
/// is rebuilt from its bucket (exact below 2,048, within 0.1% above at the default three significant
/// digits), in ascending order rather than the order measured. Values are per iteration:
/// package-benchmark records `scalingFactor` iterations at a time, so they are divided (or, for
/// throughput, multiplied) by it. `wallClock` is the benchmark's main series; every other metric
/// is a series named `.<metric>`. The name is `<target>/<name>`, and tags become parameters.
///
/// A static thresholds file (`swift package benchmark thresholds update`, `<Target>.<name>.p90.json`)
/// holds limits, one p90 per metric, not results: it is refused, saying what to pass instead.
enum PackageBenchmarkFormat {
    static func parse(_ document: JSONValue, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        let top = try context.object(document, "-")
        if top["results"] == nil, isThresholds(top) { throw context.error("-", thresholdsProblem) }
        let entries = try context.array(top["results"], "results")
        guard entries.count.isMultiple(of: 2) else {
            throw context.error("results", "has \(entries.count) items; package-benchmark writes identifier and results in pairs")
        }
        var results: [BenchmarkResult] = []
        for pair in stride(from: 0, to: entries.count, by: 2) {
            let identifier = try context.object(entries[pair], "results[\(pair)]")
            let target = try context.string(identifier["target"], "results[\(pair)].target")
            let fullName = try context.string(identifier["name"], "results[\(pair)].name")
            for (index, item) in try context.array(entries[pair + 1], "results[\(pair + 1)]").enumerated() {
                let path = "results[\(pair + 1)][\(index)]"
                let fields = try context.object(item, path)
                var parameters: [String: String] = [:]
                if case .object(let tags)? = fields["tags"] {
                    for (key, value) in tags { if case .string(let text) = value { parameters[key] = text } }
                }
                // package-benchmark appends the tags to the name, "sort (size: 64)"; they are parameters here.
                let name = parameters.isEmpty ? fullName : String(fullName.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
                let (metric, unit, scaled) = try metric(fields["metric"], "\(path).metric", context)
                let statistics = try context.object(fields["statistics"], "\(path).statistics")
                let direction: Direction = if case .bool(true)? = statistics["prefersLarger"] { .higherIsBetter } else { .lowerIsBetter }
                let scalingFactor = (try? context.number(fields["scalingFactor"], "")) ?? 1
                var samples = try HDRHistogram.values(statistics["histogram"], "\(path).statistics.histogram", context)
                if scalingFactor > 1, metric == "throughput" {
                    samples = samples.map { $0 * scalingFactor }
                } else if scalingFactor > 1, scaled {
                    samples = samples.map { $0 / scalingFactor }
                }
                results.append(BenchmarkResult(benchmark: "\(target)/\(name)" + (metric == "wallClock" ? "" : ".\(metric)"),
                                               parameters: parameters, unit: unit, direction: direction, samples: samples))
            }
        }
        return ParsedOutput(results: results)
    }

    /// Why a thresholds file is refused, and what to pass instead.
    static let thresholdsProblem = "is a package-benchmark thresholds file (p90 limits per metric, from `benchmark thresholds update`), not results; "
        + "pass the saved baseline .benchmarkBaselines/<target>/<baseline>/results.json (`benchmark baseline update`), "
        + "or a `benchmark --format jmh` export with --format jmh"

    /// Whether a document is a thresholds file: metric names, each to a number (`"wallClock": 1200`)
    /// or, since 1.27, a relative or range threshold (`{"base": 1200, "tolerancePercentage": 5}`, `{"min": 1, "max": 2}`).
    static func isThresholds(_ fields: [String: JSONValue]) -> Bool {
        !fields.isEmpty && fields.values.allSatisfy { value in
            switch value {
            case .number: true
            case .object(let threshold): !threshold.isEmpty && Set(threshold.keys).isSubset(of: ["base", "tolerancePercentage", "min", "max"])
            default: false
            }
        }
    }

    /// The metric's name, BenchBot unit, and whether its raw values cover `scalingFactor` iterations.
    private static func metric(_ value: JSONValue?, _ path: String, _ context: FormatContext) throws(FormatError) -> (String, String, Bool) {
        let fields = try context.object(value, path)
        guard let (name, payload) = fields.first, fields.count == 1 else {
            throw context.error(path, "is not one of package-benchmark's metrics")
        }
        switch name {
        case "wallClock", "cpuUser", "cpuSystem", "cpuTotal": return (name, "ns", true)
        case "throughput": return (name, "ops/s", false)
        case "instructions": return (name, "instructions", true)
        case "peakMemoryResident", "peakMemoryResidentDelta", "peakMemoryVirtual", "allocatedResidentMemory": return (name, "B", false)
        case "mallocBytesCount", "memoryLeakedBytes", "readBytesLogical", "writeBytesLogical", "readBytesPhysical", "writeBytesPhysical":
            return (name, "B", true)
        case "mallocCountSmall", "mallocCountLarge", "mallocCountTotal", "freeCountTotal": return (name, "allocs", true)
        case "mallocFreeDelta", "memoryLeaked", "syscalls", "readSyscalls", "writeSyscalls", "objectAllocCount",
             "retainCount", "releaseCount", "retainReleaseDelta":
            return (name, "count", true)
        case "contextSwitches", "threads", "threadsRunning": return (name, "count", false)
        case "custom":
            let custom = try context.object(payload, "\(path).custom")
            let label = try context.string(custom["_0"] ?? custom["name"], "\(path).custom._0")
            let scaled = if case .bool(false)? = custom["useScalingFactor"] { false } else { true }
            return (label, "", scaled)
        default:
            throw context.error(path, "'\(name)' is a metric BenchBot does not know yet; remove it from the benchmark's metrics or report it")
        }
    }
}

/// The recorded values of an HDR histogram as hdrhistogram-swift encodes it.
enum HDRHistogram {
    static func values(_ value: JSONValue?, _ path: String, _ context: FormatContext) throws(FormatError) -> [Double] {
        let fields = try context.object(value, path)
        let counts = try context.numbers(fields["counts"], "\(path).counts")
        // `Int(_:)` of a huge or fractional double traps: only small whole magnitudes get that far.
        func magnitude(_ field: String) throws(FormatError) -> Int {
            let number = try context.number(fields[field], "\(path).\(field)")
            guard number.rounded() == number, (0..<32).contains(number) else {
                throw context.error("\(path).\(field)", "is \(number), outside the bucket magnitudes HdrHistogram writes (0 to 31)")
            }
            return Int(number)
        }
        let halfMagnitude = try magnitude("subBucketHalfCountMagnitude")
        let unitMagnitude = try magnitude("unitMagnitude")
        let halfCount = 1 << halfMagnitude
        var values: [Double] = []
        for (index, count) in counts.enumerated() where count > 0 {
            guard count.rounded() == count, count < 100_000_000 else {
                throw context.error("\(path).counts[\(index)]", "is \(count), not a plausible count")
            }
            // Each count becomes that many samples in memory: a damaged file must not ask for gigabytes.
            guard values.count + Int(count) <= HDRHistogram.maximumSamples else {
                throw context.error("\(path).counts", "adds up to more than \(HDRHistogram.maximumSamples) samples; the file is damaged")
            }
            guard bucketIndex(index, halfMagnitude) + unitMagnitude < 62 else {
                throw context.error("\(path).counts", "has \(counts.count) buckets, more than a 64-bit histogram holds; the file is damaged")
            }
            var bucket = (index >> halfMagnitude) - 1
            var subBucket = (index & (halfCount - 1)) + halfCount
            if bucket < 0 { subBucket -= halfCount; bucket = 0 }
            let lowest = Double(subBucket) * Double(1 << (bucket + unitMagnitude))
            let width = Double(1 << (bucket + unitMagnitude))
            // HdrHistogram reports a bucket by its middle value; width 1 means the exact value.
            let middle = width > 1 ? lowest + width / 2 : lowest
            values += repeatElement(middle, count: Int(count))
        }
        if case .number(let total)? = fields["_totalCount"], total != Double(values.count) {
            throw context.error("\(path)._totalCount", "is \(BoundedSeconds.text(total)) but the counts add up to \(values.count); the file is damaged")
        }
        return values
    }

    /// More samples than any benchmark records: 10 million.
    static let maximumSamples = 10_000_000

    private static func bucketIndex(_ index: Int, _ halfMagnitude: Int) -> Int {
        max(0, (index >> halfMagnitude) - 1)
    }
}

import Foundation
