import ArgumentParser
import BenchBot
import Foundation

/// `bench import`'s per-parser comparison: each format's parser, in process, against python3 on the same file.
extension ImportBenchmark {
    /// One format's row of the table.
    struct ParserTiming {
        let workload: ParserWorkload
        let bytes: Int
        let results: Int
        let benchbot: Double
        let python: Double
    }

    /// python3 reading the file as the baseline says, `repeat` times; prints the fastest, in seconds.
    /// The clock is read inside python, as BenchBot's is read inside BenchBot: neither pays its
    /// process start. Both clocks are the process's CPU time, not wall time: on a machine shared
    /// with builds, wall time measures the scheduler as much as the parser.
    static let pythonBaseline = """
        import json, sys, time
        path, kind, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            with open(path) as f:
                if kind == "json.load":
                    json.load(f)
                elif kind == "json lines":
                    [json.loads(line) for line in f.read().split("\\n") if line]
                else:
                    f.read().split("\\n")
            best = min(best, time.process_time() - start)
        print(best)
        """

    /// This process's CPU time so far, in seconds, as python's `time.process_time()` counts it.
    static func processTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Generates each format's file, times BenchBot's parser (`BenchmarkFormat.parse(contentsOf:)`,
    /// in this process: reading the file, parsing and checking) and python3's baseline on it, and
    /// prints the table.
    func compareParsers(in bench: BenchWorkspace, bytes: Int, repeat: Int, only: Set<String>) async throws -> [ParserTiming] {
        var timings: [ParserTiming] = []
        for workload in ParserWorkload.all where only.isEmpty || only.contains(workload.format.rawValue) {
            let file = bench.path("parser-\(workload.format.rawValue).\(workload.baseline == .jsonLoad ? "json" : "txt")")
            try workload.generate(bytes).write(toFile: file, atomically: false, encoding: .utf8)
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
            var best = Double.infinity
            var python = Double.infinity
            var count = 0
            // BenchBot and python3 take turns, a few repetitions each: on a shared VM a slow spell
            // of seconds then slows both, rather than whichever ran during it.
            for turn in Self.turns(`repeat`) {
                for _ in 0..<turn {
                    let start = Self.processTime()
                    let parsed = try workload.format.parse(contentsOf: file)
                    best = min(best, Self.processTime() - start)
                    count = parsed.results.count
                }
                let printed = try await bench.output("python3", ["-c", Self.pythonBaseline, file, workload.baseline.rawValue, String(turn)])
                guard let fastest = Double(printed) else { throw ValidationError("python3 printed '\(printed)', not a time in seconds") }
                python = min(python, fastest)
            }
            timings.append(ParserTiming(workload: workload, bytes: size, results: count, benchbot: best, python: python))
            try FileManager.default.removeItem(atPath: file)
        }
        return timings
    }

    /// `repeat` repetitions in turns of at most five.
    static func turns(_ repeat: Int) -> [Int] {
        stride(from: 0, to: `repeat`, by: 5).map { min(5, `repeat` - $0) }
    }

    /// The table: one line per format, fastest of the repetitions, the ratio, and whether it is within 2×.
    static func table(_ timings: [ParserTiming], repeat: Int) -> String {
        var lines = ["parsers, in process, against python3 on the same file (fastest of \(`repeat`)), milliseconds of CPU time", ""]
        lines.append("format                 size      series  benchbot     python3  baseline     ratio  within 2x")
        for timing in timings {
            let ratio = timing.benchbot / timing.python
            let name = timing.workload.format.rawValue, baseline = timing.workload.baseline.rawValue
            lines.append(name.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: " %6.1f MB %9d %9.1f %11.1f  ", Double(timing.bytes) / 1_048_576, timing.results, timing.benchbot * 1000, timing.python * 1000)
                + baseline.padding(toLength: 10, withPad: " ", startingAt: 0) + String(format: " %7.2fx  ", ratio) + (ratio <= 2 ? "yes" : "NO"))
        }
        return lines.joined(separator: "\n")
    }
}
