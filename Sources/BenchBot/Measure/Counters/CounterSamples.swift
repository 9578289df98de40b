/// The counts one side of an experiment gathered, launch by launch, and what went wrong.
struct CounterSamples: Sendable {
    let plan: CounterPlan
    private(set) var samples: [HardwareCounter: [Double]] = [:]
    /// Counters the source named but did not count, with what it printed instead.
    private var unsupported: [HardwareCounter: String] = [:]
    /// Why the counts were dropped: a counted launch failed or left nothing to read.
    private var failure: String?

    init(plan: CounterPlan) {
        self.plan = plan
    }

    /// Adds one counted launch's reading; `nil` for a launch nothing counted.
    mutating func add(_ reading: Result<CounterReading, CounterProblem>?) {
        switch reading {
        case nil: return
        case .failure(let problem): fail(problem.reason)
        case .success(let reading):
            for (counter, value) in reading.counts { samples[counter, default: []].append(value) }
            unsupported.merge(reading.unsupported) { first, _ in first }
        }
    }

    /// Drops every count: a pass that failed half-way must not leave a series of fewer launches.
    mutating func fail(_ reason: String) {
        if failure == nil { failure = reason }
        samples = [:]
    }

    /// Each counter counted in every counted launch as a series of its own; `paired` gives each
    /// launch a round of its own, as a paired run's comparison needs.
    func results(experiment: String, paired: Bool = false) -> [BenchmarkResult] {
        guard failure == nil else { return [] }
        let launches = samples.values.map(\.count).max() ?? 0
        return plan.counters.compactMap { counter in
            guard unsupported[counter] == nil, let values = samples[counter], values.count == launches, launches > 0 else { return nil }
            return BenchmarkResult(benchmark: counter.series(experiment: experiment), unit: counter.unit, direction: .lowerIsBetter,
                                   samples: values, rounds: paired ? Array(repeating: 1, count: values.count) : nil)
        }
    }

    /// For the experiment's summary: what counted, and what.
    var summary: String? {
        let counted = plan.counters.filter { unsupported[$0] == nil && samples[$0] != nil }
        guard failure == nil, !counted.isEmpty else { return nil }
        let source = switch plan.source {
        case .perf(_, let version): "perf \(version)"
        case .cachegrind(_, let version, _): "cachegrind (\(version))"
        case .unavailable: "nothing"
        }
        return "\(counted.map(\.rawValue).joined(separator: ", ")) counted by \(source)"
    }

    /// One line on every counter asked for and not stored, or `nil` when all were.
    var note: String? {
        var parts: [String] = []
        if let note = plan.note { parts.append(note) }
        if let failure { parts.append("counters not stored: \(failure)") }
        if !unsupported.isEmpty, failure == nil {
            let listed = plan.counters.compactMap { counter in unsupported[counter].map { "\(counter.rawValue) (\($0))" } }
            parts.append("counters perf could not count here: \(listed.joined(separator: ", "))")
        }
        let launches = samples.values.map(\.count).max() ?? 0
        let partial = plan.counters.filter { unsupported[$0] == nil && (samples[$0]?.count ?? 0) < launches }
        if !partial.isEmpty, failure == nil {
            parts.append("counters not stored, missing from some counted launches: \(partial.map(\.rawValue).joined(separator: ", "))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
