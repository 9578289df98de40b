import Foundation

/// bheisler/iai's `cargo bench` text: each benchmark's name, then five counts from cachegrind.
///
/// ```
/// bench_fibonacci_short
///   Instructions:                1735 (No change)
///   L1 Accesses:                 2364 (+0.042337%)
///   L2 Accesses:                    1
///   RAM Accesses:                   1
///   Estimated Cycles:            2404
/// ```
///
/// The counts are deterministic, one run each, so each is one sample, and lower is better:
/// `name` is the instructions, `name.l1_accesses`, `name.l2_accesses` and `name.ram_accesses`
/// are counts, `name.estimated_cycles` is in cycles. The `(…%)` change since iai's previous run
/// is skipped. With cargo's `Running …` lines, results have a `target` parameter as in
/// `cargo-bench`. A benchmark that panicked (iai's "Failed to run benchmark in cachegrind") is a
/// ``BenchmarkFailure``; output that ends before a benchmark's five counts is refused as truncated.
enum IaiFormat {
    /// iai's labels, in the order it prints them, with each one's series suffix and unit.
    static let metrics: [(label: String, suffix: String, unit: String)] = [
        ("Instructions", "", "instructions"), ("L1 Accesses", ".l1_accesses", "count"), ("L2 Accesses", ".l2_accesses", "count"),
        ("RAM Accesses", ".ram_accesses", "count"), ("Estimated Cycles", ".estimated_cycles", "cycles"),
    ]
    /// Each label as its line starts: `Instructions:`.
    private static let labelPrefixes = metrics.map { $0.label + ":" }

    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var results: [BenchmarkResult] = []
        var failures: [BenchmarkFailure] = []
        var seen = SeriesNames()
        var targets = CargoTargetNames()
        var parameters: [String: String] = [:]
        /// The benchmark being read, its line, and how many of its counts were read.
        var current: (name: String, line: Int, read: Int)?
        var last = (line: Substring(""), number: 0)

        func incomplete(_ benchmark: (name: String, line: Int, read: Int)) -> FormatError {
            context.error("line \(last.number)", "is truncated: '\(benchmark.name)' (line \(benchmark.line)) has \(benchmark.read) of iai's \(metrics.count) counts; "
                          + "the last line read is \(String(last.line).quotedLine)")
        }

        for (index, line) in text.outputLines.enumerated() {
            let trimmed = line.trimmedWhitespace
            guard !trimmed.isEmpty else { continue }
            defer { last = (line, index + 1) }
            if line.utf8.first == TextBytes.space, let metric = labelPrefixes.firstIndex(where: { trimmed.startsWith($0) }) {
                guard let benchmark = current, benchmark.read == metric else {
                    throw context.error("line \(index + 1)", "'\(metrics[metric].label)' is out of place: iai prints \(metrics.map(\.label).joined(separator: ", ")) after each name")
                }
                var words = trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: labelPrefixes[metric].utf8.count)...].spaceSeparatedWords
                let value = words.next() ?? ""
                guard let count = DecimalLiteral.number(value) else {
                    throw context.error("line \(index + 1)", "'\(value)' is not a count: \(String(line).quotedLine)")
                }
                let result = BenchmarkResult(benchmark: benchmark.name + metrics[metric].suffix, parameters: parameters,
                                             unit: metrics[metric].unit, direction: .lowerIsBetter, samples: [count])
                if let earlier = seen.insert(result, tag: index + 1, inserted: results) {
                    throw context.error("line \(index + 1)", "'\(result.displayName)' was already reported on line \(earlier)")
                }
                results.append(result)
                current = metric + 1 == metrics.count ? nil : (benchmark.name, benchmark.line, metric + 1)
            } else if let target = CargoTarget(line: trimmed) {
                if let current { throw incomplete(current) }
                parameters = ["target": targets.name(for: target)]
            } else if trimmed.startsWith("thread '"), let panic = trimmed.byteRange(of: "panicked at"), let benchmark = current {
                failures.append(BenchmarkFailure(benchmark: BenchmarkResult(benchmark: benchmark.name, parameters: parameters, unit: "instructions",
                                                                            direction: .lowerIsBetter, samples: []).displayName,
                                                 reason: String(trimmed[panic.lowerBound...])))
                current = nil
            } else if line.first != " ", !trimmed.utf8.contains(UInt8(ascii: " ")), (current?.read ?? 0) == 0 {
                // iai prints each benchmark's function name alone on its line; a word before it was not one.
                current = (String(trimmed), index + 1, 0)
            } else if let benchmark = current, benchmark.read > 0 {
                throw incomplete(benchmark)
            }
        }
        // A word alone after the last block was not a benchmark's name unless blocks came before it.
        if let current, current.read > 0 || !results.isEmpty { throw incomplete(current) }
        guard !results.isEmpty || !failures.isEmpty else {
            throw context.error("-", "holds no iai 'name' + '  Instructions: N' blocks; is this iai's `cargo bench` output?")
        }
        return ParsedOutput(results: results, failures: failures)
    }

    /// True for text with iai's labels, and not iai-callgrind's `L1 Hits`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        probe.json == nil && probe.text.contains("\n  Instructions:") && probe.text.contains("\n  Estimated Cycles:") && probe.text.contains("\n  L1 Accesses:")
    }
}
