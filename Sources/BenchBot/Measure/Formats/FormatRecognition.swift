import Foundation

/// `--format auto`: which format a file is, told from its content.
///
/// Each format says whether a file is its tool's output, from marks only that tool leaves (a
/// field name, a line shape); a file that more than one format claims, or none, is refused
/// rather than guessed. `relay-data` reads any JSON object, so it is never recognised: pass
/// `--format relay-data`. criterion's output is a folder, recognised by its `*/new/estimates.json`
/// or `*/base/sample.json` files.
extension BenchmarkFormat {
    /// The one format that claims the file.
    ///
    /// - Parameters:
    ///   - probe: The file's content.
    ///   - file: Its path, for messages.
    /// - Throws: ``FormatError`` naming the file, with the candidates when several formats claim
    ///   it, or every format when none does.
    public static func recognize(_ probe: FormatProbe, file: String) throws(FormatError) -> BenchmarkFormat {
        let candidates = allCases.filter { $0.recognizes(probe) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty {
            // No tool's results, but a file users pass by mistake: said as the format itself says it.
            if PackageBenchmarkFormat.recognizesThresholds(probe) {
                throw FormatError(file: file, format: .packageBenchmark, location: "-", problem: PackageBenchmarkFormat.thresholdsProblem)
            }
            let readable = allCases.filter { !$0.readsFolder && $0 != .relayData }.map(\.rawValue)
            throw FormatError(file: file, format: nil, location: "-", problem: """
                --format auto cannot tell its format: it is not the output of \(readable.joined(separator: ", ")), \
                nor a criterion folder (relay-data is never guessed); pass --format with the tool that wrote it
                """)
        }
        throw FormatError(file: file, format: nil, location: "-", problem: """
            --format auto cannot tell its format: it could be \(candidates.map(\.rawValue).joined(separator: " or ")); \
            pass --format with the one it is
            """)
    }

    /// Whether `path` is a folder of a ``readsFolder`` format's output (criterion's `target/criterion`).
    public static func recognizeFolder(_ path: String) -> BenchmarkFormat? {
        CriterionFormat.recognizes(folder: path) ? .criterion : nil
    }

    /// Whether the content is this format's output: cheap, and true only for that tool's output.
    public func recognizes(_ probe: FormatProbe) -> Bool {
        switch self {
        case .benchbotJSON: BenchBotJSONFormat.recognizes(probe)
        case .googleBenchmark: GoogleBenchmarkFormat.recognizes(probe)
        case .hyperfine: HyperfineFormat.recognizes(probe)
        case .pytestBenchmark: PytestBenchmarkFormat.recognizes(probe)
        case .goTest: GoTestFormat.recognizes(probe)
        case .criterion: false
        case .packageBenchmark: PackageBenchmarkFormat.recognizes(probe)
        case .jmh: JMHFormat.recognizes(probe)
        case .benchmarkDotNet: BenchmarkDotNetFormat.recognizes(probe)
        // Every JSON object is Relay data: claiming files would make every JSON file ambiguous.
        case .relayData: false
        case .goTestJSON: GoTestJSONFormat.recognizes(probe)
        case .asv: AsvFormat.recognizes(probe)
        case .gabCustom: GabCustomFormat.recognizes(probe)
        // The same file as gab-custom: only the user knows which of github-action-benchmark's tools wrote it.
        case .gabCustomBigger: false
        case .bencherJSON: BencherJSONFormat.recognizes(probe)
        case .catch2: Catch2Format.recognizes(probe)
        case .benchmarkJS: BenchmarkJSFormat.recognizes(probe)
        case .juliaBenchmarkTools: JuliaBenchmarkToolsFormat.recognizes(probe)
        case .cargoBench: CargoBenchFormat.recognizes(probe)
        case .criterionText: CriterionTextFormat.recognizes(probe)
        case .criterionJSON: CriterionJSONFormat.recognizes(probe)
        case .iai: IaiFormat.recognizes(probe)
        case .iaiCallgrind: IaiCallgrindFormat.recognizes(probe)
        case .iaiCallgrindJSON: IaiCallgrindJSONFormat.recognizes(probe)
        }
    }
}

/// A JSON probe's first entry of an array field, which is where tools put their marks.
private extension JSONValue {
    func firstEntry(of field: String) -> JSONValue? {
        guard case .array(let items)? = self[field] else { return nil }
        return items.first
    }

    func has(_ fields: String...) -> Bool { fields.allSatisfy { self[$0] != nil } }

    var isArray: Bool { if case .array = self { true } else { false } }
    var isObject: Bool { if case .object = self { true } else { false } }
}

extension BenchBotJSONFormat {
    /// `{"benchmarks": [{"name", "samples"}]}`: samples as they are, which no tool's output has.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, let first = json.firstEntry(of: "benchmarks") else { return false }
        return first.has("name", "samples") && !json.has("context") && !json.has("machine_info")
    }
}

extension GoogleBenchmarkFormat {
    /// A `context` object (the machine) and `benchmarks` whose entries are timed runs or errors.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, json["context"]?.isObject == true, json["benchmarks"]?.isArray == true else { return false }
        guard let first = json.firstEntry(of: "benchmarks") else { return json["context"]?.has("executable") == true }
        return first.has("name") && (first.has("real_time") || first.has("error_occurred") || first.has("run_name"))
    }
}

extension HyperfineFormat {
    /// `{"results": [{"command", "times"}]}`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, let first = json.firstEntry(of: "results") else { return false }
        return first.has("command") && (first.has("times") || first.has("mean"))
    }
}

extension PytestBenchmarkFormat {
    /// `machine_info` and `benchmarks` whose entries have `stats`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, json.has("machine_info") || json.has("commit_info") else { return false }
        guard let first = json.firstEntry(of: "benchmarks") else { return json["benchmarks"]?.isArray == true }
        return first.has("stats")
    }
}

extension PackageBenchmarkFormat {
    /// `machine` and `results` alternating `{"target", "name"}` and their metrics.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, json.has("machine"), let first = json.firstEntry(of: "results") else { return false }
        return first.has("target", "name")
    }

    /// A thresholds file (``isThresholds(_:)``) naming at least one of package-benchmark's own
    /// metrics: any object of numbers is not one.
    static func recognizesThresholds(_ probe: FormatProbe) -> Bool {
        guard case .object(let fields)? = probe.json, isThresholds(fields) else { return false }
        return fields.keys.contains(where: standardMetrics.contains)
    }

    /// package-benchmark's `BenchmarkMetric` names, as its files spell them.
    static let standardMetrics: Set<String> = [
        "cpuUser", "cpuSystem", "cpuTotal", "wallClock", "throughput", "peakMemoryResident", "peakMemoryResidentDelta",
        "peakMemoryVirtual", "mallocCountSmall", "mallocCountLarge", "mallocCountTotal", "allocatedResidentMemory", "memoryLeaked",
        "syscalls", "contextSwitches", "threads", "threadsRunning", "readSyscalls", "writeSyscalls", "readBytesLogical",
        "writeBytesLogical", "readBytesPhysical", "writeBytesPhysical", "instructions", "retainCount", "releaseCount",
        "retainReleaseDelta", "objectAllocCount",
    ]
}

extension JMHFormat {
    /// An array of runs, each with `benchmark`, `mode` and `primaryMetric`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard case .array(let runs)? = probe.json, let first = runs.first else { return false }
        return first.has("benchmark", "primaryMetric")
    }
}

extension BenchmarkDotNetFormat {
    /// `Benchmarks` (capitalised, as .NET writes it) whose entries have `Statistics` or `Measurements`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard let json = probe.json, json.isObject, let first = json.firstEntry(of: "Benchmarks") else { return false }
        return first.has("Statistics") || first.has("Measurements") || first.has("FullName")
    }
}

extension CriterionFormat {
    /// A folder holding `<id>/new/estimates.json` or `<id>/base/sample.json`, at any depth (groups nest).
    static func recognizes(folder: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return false }
        var seen = 0
        while let relative = walker.nextObject() as? String {
            seen += 1
            // A bound, so a home folder passed by mistake is not walked whole.
            if seen > 100_000 { return false }
            if relative.hasSuffix("/report") || relative == "report" { walker.skipDescendants(); continue }
            if relative.hasSuffix("/new/estimates.json") || relative.hasSuffix("/base/sample.json") { return true }
        }
        return false
    }
}
