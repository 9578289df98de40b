import Foundation

/// How one command experiment's `"counters"` are measured here, decided before its first launch.
///
/// perf counts at full speed, so it wraps the timed launches themselves and each gives a sample.
/// Cachegrind is 20 to 50 times slower: it gets launches of its own after the timed ones, with a
/// deadline of their own, so that it never stretches or disturbs a timed sample.
struct CounterPlan: Sendable, Hashable {
    enum Mode: Sendable, Hashable {
        /// Nothing asked for, or nothing this machine can count.
        case none
        /// perf wraps every timed launch.
        case timedLaunches
        /// Cachegrind runs the command `launches` more times, untimed.
        case countedPass(launches: Int)
    }

    let source: CounterSource
    /// What is measured: those asked for that the source gives, in the config's order.
    let counters: [HardwareCounter]
    let mode: Mode
    /// One line on what is not measured and why, or `nil`.
    let note: String?

    /// Cachegrind launches per counted pass. Its count is deterministic (the same program counts the
    /// same to well under 0.1%, run after run), so more would cost 20 to 50 timed launches each and
    /// add nothing; two are the fewest that show the series' noise, rather than "noise unknown".
    static let cachegrindLaunches = 2
    /// How much longer than the experiment's deadline a cachegrind launch may take.
    static let cachegrindSlowdown = 50

    init(asked: [HardwareCounter], source: CounterSource) {
        self.source = source
        counters = asked.filter(source.counters.contains)
        let missing = asked.filter { !source.counters.contains($0) }
        switch source {
        case _ where asked.isEmpty:
            mode = .none
            note = nil
        case .unavailable(let reason):
            mode = .none
            note = "counters not measured, timed only: \(reason)"
        case .perf:
            mode = .timedLaunches
            note = nil
        case .cachegrind(_, let version, let perfProblem):
            mode = counters.isEmpty ? .none : .countedPass(launches: Self.cachegrindLaunches)
            note = missing.isEmpty ? nil
                : "counters \(missing.map(\.rawValue).joined(separator: ", ")) not measured: \(perfProblem), and cachegrind (\(version)) counts only instructions"
        }
    }

    /// The deadline of one counted launch, derived from the experiment's own.
    func countedTimeout(_ timeout: Duration) -> Duration {
        if case .countedPass = mode { return timeout * Self.cachegrindSlowdown }
        return timeout
    }

    /// A counted launch's argument vector: `arguments` under perf or cachegrind, writing into `folder`.
    func wrap(_ arguments: [String], folder: String) -> [String] {
        switch source {
        case .perf(let perf, _):
            return [perf, "stat", "-x,", "-e", counters.map(\.rawValue).joined(separator: ","),
                    "-o", (folder as NSString).appendingPathComponent("perf.csv"), "--"] + arguments
        case .cachegrind(let valgrind, _, _):
            // Children too, each in a file of its own (`%p`), so that a command run through a
            // script is counted whole.
            return [valgrind, "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no", "--trace-children=yes",
                    "--cachegrind-out-file=" + (folder as NSString).appendingPathComponent("cachegrind.out.%p"), "--"] + arguments
        case .unavailable:
            return arguments
        }
    }

    /// Reads what a counted launch left in `folder`.
    ///
    /// - Returns: The counts, or why there are none.
    func read(folder: String) -> Result<CounterReading, CounterProblem> {
        switch source {
        case .perf:
            let file = (folder as NSString).appendingPathComponent("perf.csv")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                return .failure(CounterProblem(reason: "perf left no counts in \(file)"))
            }
            return .success(PerfStatOutput.parse(text, counters: counters))
        case .cachegrind:
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("cachegrind.out.") }
            var total = 0.0
            for name in files {
                let path = (folder as NSString).appendingPathComponent(name)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), let instructions = CachegrindOutput.instructions(text) else {
                    return .failure(CounterProblem(reason: "cachegrind's \(path) holds no instruction total"))
                }
                total += instructions
            }
            guard !files.isEmpty else { return .failure(CounterProblem(reason: "cachegrind left no out file in \(folder)")) }
            return .success(CounterReading(counts: [.instructions: total]))
        case .unavailable:
            return .success(CounterReading())
        }
    }
}

/// Why a counted launch gave no counts.
struct CounterProblem: Error, Sendable, Hashable {
    let reason: String
}
