import Foundation
import Synchronization

/// What counts a command's instructions on this machine: `perf stat` when the kernel exposes a
/// performance monitoring unit, else cachegrind, which simulates the CPU and so counts the
/// instructions exactly, 20 to 50 times slower; or nothing, and why.
///
/// Found by a real probe, not by the tools' presence: in most VMs `perf` is installed and counts
/// `<not supported>`.
enum CounterSource: Sendable, Hashable {
    case perf(path: String, version: String)
    /// - Parameter perfProblem: Why perf was not used, said alongside.
    case cachegrind(path: String, version: String, perfProblem: String)
    case unavailable(String)

    /// The counters it can give.
    var counters: Set<HardwareCounter> {
        switch self {
        case .perf: Set(HardwareCounter.allCases)
        case .cachegrind: [.instructions]
        case .unavailable: []
        }
    }

    /// The line the run's environment record keeps under `counters`.
    var environmentValue: String {
        switch self {
        case .perf(_, let version): "perf \(version)"
        case .cachegrind(_, let version, let perfProblem): "cachegrind \(version) (\(perfProblem))"
        case .unavailable(let reason): "none: \(reason)"
        }
    }

    /// How long one probe command may take.
    static let probeTimeout = Duration.seconds(30)

    private static let probes = Mutex<[String: CounterSource]>([:])

    /// This machine's source, probed once per process and `PATH`: the PMU a VM lacks does not
    /// appear while BenchBot runs, and a probe costs a process or two.
    /// Callers wait for one probe (some 50 ms) rather than each starting their own.
    static func probed() -> CounterSource {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return probes.withLock { known in
            if let source = known[path] { return source }
            let source = probe(searchPath: path)
            known[path] = source
            return source
        }
    }

    /// Looks for perf, then valgrind, in `searchPath`, and tries them.
    static func probe(searchPath: String) -> CounterSource {
        let perfProblem: String
        if let perf = executable("perf", in: searchPath) {
            switch probePerf(perf) {
            case .success(let version): return .perf(path: perf, version: version)
            case .failure(let problem): perfProblem = problem.reason
            }
        } else {
            perfProblem = "perf is not installed (Debian's linux-perf)"
        }
        guard let valgrind = executable("valgrind", in: searchPath) else {
            return .unavailable("\(perfProblem), and valgrind is not installed; install valgrind, or linux-perf on a machine with a PMU")
        }
        let version = run(valgrind, ["--version"])
        guard version.outcome?.status == 0, let line = version.output.split(separator: "\n").first else {
            return .unavailable("\(perfProblem), and \(valgrind) --version failed: \(version.problem); reinstall valgrind")
        }
        return .cachegrind(path: valgrind, version: String(line), perfProblem: perfProblem)
    }

    /// Counts the instructions of `perf --version` itself: a number means a working PMU.
    private static func probePerf(_ perf: String) -> Result<String, CommandError> {
        let counts = temporaryFile("perf-probe")
        defer { unlink(counts) }
        let probe = run(perf, ["stat", "-x,", "-e", HardwareCounter.instructions.rawValue, "-o", counts, "--", perf, "--version"])
        guard let outcome = probe.outcome, outcome.status == 0, !outcome.timedOut else {
            return .failure(CommandError(command: perf, reason: "perf stat failed here: \(probe.problem)"))
        }
        let text = (try? String(contentsOfFile: counts, encoding: .utf8)) ?? ""
        let reading = PerfStatOutput.parse(text, counters: [.instructions])
        guard reading.counts[.instructions] != nil else {
            let shown = reading.unsupported[.instructions] ?? "no count"
            return .failure(CommandError(command: perf, reason: "perf counts \(shown) for instructions: the kernel exposes no PMU (as in most VMs)"))
        }
        let version = probe.output.split(separator: "\n").first.map { $0.replacingOccurrences(of: "perf version ", with: "") } ?? "?"
        return .success(version)
    }

    /// Runs a probe with its standard output kept.
    private static func run(_ executable: String, _ arguments: [String]) -> (outcome: BlockingChild.Outcome?, output: String, problem: String) {
        let output = temporaryFile("probe-output")
        defer { unlink(output) }
        do {
            let outcome = try BlockingChild.run(executable, arguments: arguments, environment: [:], timeout: probeTimeout, outputFile: output)
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let problem = outcome.timedOut ? "timed out after \(Int(probeTimeout.seconds)) s"
                : "exit \(outcome.status)" + (outcome.standardError.isEmpty ? "" : ": " + PlainText.singleLine(String(outcome.standardError.suffix(300))))
            return (outcome, text, problem)
        } catch {
            return (nil, "", error.description)
        }
    }

    /// The first executable `name` in a `PATH`-style list of folders.
    static func executable(_ name: String, in searchPath: String) -> String? {
        for folder in searchPath.split(separator: ":") where !folder.isEmpty {
            let candidate = (String(folder) as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func temporaryFile(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-\(label)-\(UUID().uuidString)").path
    }
}
