import Compare

/// iai-callgrind's metrics, as its terminal output labels them (`L1 Hits`, `Total read+write`)
/// and as its JSON summary keys them (`L1hits`, `TotalRW`), mapped to one series suffix each, so
/// that the text and the JSON of one benchmark name the same series.
///
/// A callgrind metric is `<bench>.<suffix>` (the instructions are `<bench>` itself, as for iai);
/// another Valgrind tool's is `<bench>.<tool>.<suffix>`, so DHAT's and Memcheck's counts never
/// meet callgrind's. Counts, bytes, cycles and miss rates are better lower; the L1 hit rate is
/// better higher. A label iai-callgrind adds later is kept too, as a count, under its own name.
struct IaiCallgrindMetric: Equatable {
    /// `l1_hits`, or empty for the instructions.
    let suffix: String
    let unit: String
    let direction: Compare.Direction

    /// The series name of this metric of `benchmark`, measured by `tool` (lowercased).
    func series(of benchmark: String, tool: String) -> String {
        if tool == "callgrind" { return suffix.isEmpty ? benchmark : Self.joined(benchmark, suffix) }
        return Self.joined(benchmark, tool, suffix.isEmpty ? "instructions" : suffix)
    }

    /// The parts with `.` between them, built in one string of the right size: a large output
    /// names a series for every metric line, and interpolation grew each name twice.
    private static func joined(_ first: String, _ second: String, _ third: String? = nil) -> String {
        var name = ""
        name.reserveCapacity(first.utf8.count + 1 + second.utf8.count + (third.map { 1 + $0.utf8.count } ?? 0))
        name.append(first)
        name.append(".")
        name.append(second)
        if let third {
            name.append(".")
            name.append(third)
        }
        return name
    }

    /// The metric a text label or a JSON key names.
    static func named(_ label: some StringProtocol) -> IaiCallgrindMetric {
        let key = normalized(label)
        if let known = known[key] { return known }
        return IaiCallgrindMetric(suffix: snakeCase(label), unit: "count", direction: .lowerIsBetter)
    }

    /// Whether iai-callgrind prints a metric of this label; other `label: value` lines are not results.
    static func isKnown(_ label: some StringProtocol) -> Bool { isKnown(normalized: normalized(label)) }

    /// ``isKnown(_:)`` of a label already ``normalized(_:)``.
    static func isKnown(normalized key: String) -> Bool { known[key] != nil }

    /// Letters and digits, lowercased: `L1 Hits` and `L1hits`, `At t-gmax bytes` and `AtTGmaxBytes` meet.
    static func normalized(_ label: some StringProtocol) -> String {
        var key = ""
        for scalar in label.unicodeScalars where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            key.unicodeScalars.append(scalar)
        }
        return key.lowercased()
    }

    /// `Foo Bar`/`FooBar` as `foo_bar`, for labels the table does not know.
    static func snakeCase(_ label: some StringProtocol) -> String {
        var out = ""
        var previous: Character?
        for character in label {
            if character.isLetter || character.isNumber {
                if character.isUppercase, let previous, previous.isLowercase || previous.isNumber, !out.hasSuffix("_") { out.append("_") }
                out.append(contentsOf: character.lowercased())
            } else if !out.isEmpty, !out.hasSuffix("_") {
                out.append("_")
            }
            previous = character
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out.isEmpty ? "metric" : out
    }

    private static func entry(_ suffix: String, _ unit: String = "count", _ direction: Compare.Direction = .lowerIsBetter,
                              _ names: String...) -> [(String, IaiCallgrindMetric)] {
        names.map { (normalized($0), IaiCallgrindMetric(suffix: suffix, unit: unit, direction: direction)) }
    }

    /// Every label and key of iai-callgrind 0.3 to 0.16's callgrind, cachegrind, DHAT and error tools.
    private static let known: [String: IaiCallgrindMetric] = Dictionary([
        entry("", "instructions", .lowerIsBetter, "Instructions", "Ir"),
        entry("l1_hits", "count", .lowerIsBetter, "L1 Hits", "L1hits"),
        // Before 0.7 the line counted data hits only.
        entry("l1_data_hits", "count", .lowerIsBetter, "L1 Data Hits"),
        // `L2 Hits` until 0.13, `LL Hits` after: one event, LLhits.
        entry("ll_hits", "count", .lowerIsBetter, "LL Hits", "L2 Hits", "LLhits"),
        entry("ram_hits", "count", .lowerIsBetter, "RAM Hits", "RamHits"),
        entry("total_rw", "count", .lowerIsBetter, "Total read+write", "TotalRW"),
        entry("estimated_cycles", "cycles", .lowerIsBetter, "Estimated Cycles", "EstimatedCycles"),
        entry("i1_miss_rate", "%", .lowerIsBetter, "I1 Miss Rate", "I1MissRate"),
        entry("lli_miss_rate", "%", .lowerIsBetter, "LLi Miss Rate", "LLiMissRate"),
        entry("d1_miss_rate", "%", .lowerIsBetter, "D1 Miss Rate", "D1MissRate"),
        entry("lld_miss_rate", "%", .lowerIsBetter, "LLd Miss Rate", "LLdMissRate"),
        entry("ll_miss_rate", "%", .lowerIsBetter, "LL Miss Rate", "LLMissRate"),
        entry("l1_hit_rate", "%", .higherIsBetter, "L1 Hit Rate", "L1HitRate"),
        // The share served by LL or RAM, that is missed by L1: better lower.
        entry("ll_hit_rate", "%", .lowerIsBetter, "LL Hit Rate", "LLHitRate"),
        entry("ram_hit_rate", "%", .lowerIsBetter, "RAM Hit Rate", "RamHitRate"),
        entry("sys_count", "count", .lowerIsBetter, "SysCount"),
        // callgrind's unit for these depends on `--collect-systime` (msec, usec or nsec), which the output does not say.
        entry("sys_time", "count", .lowerIsBetter, "SysTime"),
        entry("sys_cpu_time", "count", .lowerIsBetter, "SysCpuTime"),
        entry("total_bytes", "B", .lowerIsBetter, "Total bytes", "TotalBytes"),
        entry("total_blocks", "count", .lowerIsBetter, "Total blocks", "TotalBlocks"),
        entry("at_t_gmax_bytes", "B", .lowerIsBetter, "At t-gmax bytes", "AtTGmaxBytes"),
        entry("at_t_gmax_blocks", "count", .lowerIsBetter, "At t-gmax blocks", "AtTGmaxBlocks"),
        entry("at_t_end_bytes", "B", .lowerIsBetter, "At t-end bytes", "AtTEndBytes"),
        entry("at_t_end_blocks", "count", .lowerIsBetter, "At t-end blocks", "AtTEndBlocks"),
        entry("reads_bytes", "B", .lowerIsBetter, "Reads bytes", "ReadsBytes"),
        entry("writes_bytes", "B", .lowerIsBetter, "Writes bytes", "WritesBytes"),
        entry("total_lifetimes", "instructions", .lowerIsBetter, "Total lifetimes", "TotalLifetimes"),
        entry("maximum_bytes", "B", .lowerIsBetter, "Maximum bytes", "MaximumBytes"),
        entry("maximum_blocks", "count", .lowerIsBetter, "Maximum blocks", "MaximumBlocks"),
        entry("total_units", "count", .lowerIsBetter, "Total units", "TotalUnits"),
        entry("total_events", "count", .lowerIsBetter, "Total events", "TotalEvents"),
        entry("errors", "count", .lowerIsBetter, "Errors"),
        entry("contexts", "count", .lowerIsBetter, "Contexts"),
        entry("suppressed_errors", "count", .lowerIsBetter, "Suppressed Errors", "SuppressedErrors"),
        entry("suppressed_contexts", "count", .lowerIsBetter, "Suppressed Contexts", "SuppressedContexts"),
    ].joined() + ["Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw", "Ge", "Bc", "Bcm", "Bi", "Bim", "ILdmr", "DLdmr", "DLdmw"].flatMap {
        entry($0.lowercased(), "count", .lowerIsBetter, $0)
    } + [("AcCost1", "ac_cost1"), ("AcCost2", "ac_cost2"), ("SpLoss1", "sp_loss1"), ("SpLoss2", "sp_loss2")].flatMap {
        entry($0.1, "count", .lowerIsBetter, $0.0)
    }, uniquingKeysWith: { first, _ in first })
}

/// A benchmark's name and parameters as iai-callgrind gives them: the module path
/// (`file::group::function`) as the name, its `id` and its `args` (the details, such as the
/// arguments of the function) as parameters. Line breaks in the details become spaces, since the
/// terminal prints a multi-line description over several lines.
struct IaiCallgrindName {
    let benchmark: String
    let parameters: [String: String]

    init(modulePath: String, id: String?, details: String?) {
        benchmark = modulePath
        let id = id.flatMap { $0.isEmpty ? nil : $0 }
        let args = details.map { Self.isOneTrimmedLine($0) ? $0 : $0.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces) }
            .flatMap { $0.isEmpty ? nil : $0 }
        // Made at its size: a dictionary grown from one entry to two allocates and hashes twice.
        var parameters = [String: String](minimumCapacity: (id == nil ? 0 : 1) + (args == nil ? 0 : 1))
        if let id { parameters["id"] = id }
        if let args { parameters["args"] = args }
        self.parameters = parameters
    }

    /// Whether `text` is printable ASCII that neither starts nor ends with a space: one line, with
    /// nothing to trim, which the split, join and trim above give back unchanged. Told by its bytes,
    /// since a large output names thousands of benchmarks and Foundation's trim is most of naming one.
    private static func isOneTrimmedLine(_ text: String) -> Bool {
        TextBytes.withBytes(of: text) { bytes in
            bytes.allSatisfy { (0x20...0x7E).contains($0) } && bytes.first != TextBytes.space && bytes.last != TextBytes.space
        }
    }

    func result(_ metric: IaiCallgrindMetric, tool: String, value: Double) -> BenchmarkResult {
        BenchmarkResult(benchmark: metric.series(of: benchmark, tool: tool), parameters: parameters, unit: metric.unit,
                        direction: metric.direction, samples: [value])
    }
}
