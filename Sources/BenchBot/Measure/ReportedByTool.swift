/// What a command experiment's tool said besides its results, over all its launches: the
/// benchmarks it marked failed and the guesses its parser made, each said once.
struct ReportedByTool {
    private(set) var failures: [BenchmarkFailure] = []
    private(set) var warnings: [String] = []

    mutating func add(_ parsed: ParsedOutput) {
        for failure in parsed.failures where !failures.contains(where: { $0.benchmark == failure.benchmark }) {
            failures.append(failure)
        }
        for warning in parsed.warnings where !warnings.contains(warning) {
            warnings.append(warning)
        }
    }

    /// The warnings for the experiment's message: the first few, then how many more the run's status file holds.
    var shownWarnings: [String] {
        guard warnings.count > 5 else { return warnings }
        return Array(warnings.prefix(5)) + ["and \(warnings.count - 5) more warning(s) in the run's status (run.json)"]
    }

    /// `2 benchmark(s) failed: BM_a: out of memory; BM_b: bad input; the other 5 result(s) are kept`,
    /// or `nil` when none failed.
    func failureMessage(kept: Int) -> String? {
        guard !failures.isEmpty else { return nil }
        let named = failures.prefix(10).map { "\(PlainText.singleLine($0.benchmark)): \(PlainText.singleLine($0.reason))" }
        let more = failures.count > 10 ? "; and \(failures.count - 10) more" : ""
        return "\(failures.count) benchmark(s) failed: \(named.joined(separator: "; "))\(more); the other \(kept) result(s) are kept"
    }
}
