import Foundation

/// Rust criterion's terminal output of `cargo bench`:
///
/// ```
/// Benchmarking sort/unstable/64: Analyzing
/// sort/unstable/64        time:   [1.3093 µs 1.3270 µs 1.3514 µs]
///                         thrpt:  [47.359 Melem/s 48.230 Melem/s 48.882 Melem/s]
///                         change: [-1.2% +0.3% +2.0%] (p = 0.71 > 0.05)
/// ```
///
/// The terminal shows only criterion's estimate of each benchmark, not its samples (those are in
/// `target/criterion`, read by the `criterion` format), so each benchmark gets one sample: the
/// point estimate, the middle of the `time:` interval, converted to ns whatever unit criterion chose
/// for printing. `thrpt:` is the series `name.throughput`, in B/s or items/s, higher is better.
/// `change:` lines compare with criterion's own baseline and are skipped, as are outliers and progress.
///
/// Names follow the `criterion` folder format: `sort/unstable/64` is `sort/unstable` with
/// `input=64`. The text does not mark which part is the input, so the last of three parts is, and
/// the last of two when it is a number (`BenchmarkId::from_parameter(64)`). A name longer than 23
/// characters is on its own line before `time:`. With cargo's `Running …` lines, results have a
/// `target` parameter as in `cargo-bench`.
///
/// A benchmark that panicked (`thread 'main' panicked` after `Benchmarking x`) is a
/// ``BenchmarkFailure``; a panic between benchmarks, or cargo's `error: bench failed` with no
/// failure before it, is a warning that the benchmarks after it did not run. Output that ends
/// while a benchmark is running is refused as truncated.
enum CriterionTextFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        if let parsed = CriterionTextBytes.parse(text) { return parsed }
        return try parseLines(text, context)
    }

    /// Reads every line as a `Substring`: any output, with every refusal's message. The byte
    /// reader (``CriterionTextBytes``) answers only for outputs of the usual shape, and must agree with this one.
    static func parseLines(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var reader = Reader(context: context)
        for (index, line) in text.outputLines.enumerated() {
            try reader.read(visible(line), number: index + 1)
        }
        return try reader.finish()
    }

    /// True for text with criterion's `time:   [a unit b unit c unit]` lines.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        probe.json == nil && probe.text.contains("time:   [") && !probe.text.contains(" ... bench: ")
    }

    /// What a terminal would show of a line: after the last carriage return (criterion overwrites
    /// its progress line on a terminal) and without colour escapes.
    static func visible(_ line: Substring) -> Substring {
        // Nearly every line has neither, and a printable ASCII character: it is shown as it is.
        if TextBytes.withBytes(of: line, { !$0.contains { $0 == TextBytes.carriageReturn || $0 == 0x1B } && $0.contains { (0x21...0x7E).contains($0) } }) {
            return line
        }
        return Substring(overwritten(line))
    }

    private static func overwritten(_ line: Substring) -> String {
        let line = line.split(separator: "\r").last { !$0.allSatisfy(\.isWhitespace) } ?? ""
        guard line.utf8.contains(0x1B) else { return String(line) }
        var out = ""
        var escape = false
        for character in line {
            if escape {
                if character.isLetter { escape = false }
            } else if character == "\u{1B}" {
                escape = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// A criterion id as a result in ns with no samples yet: `group/function/input` or
    /// `group/<number>` gives the parameter `input`, as the `criterion` folder format does.
    static func result(_ id: String, target: String? = nil) -> BenchmarkResult {
        // An ASCII id is split by bytes; other text by Characters, where a `/` with a combining mark is not one.
        var parts = TextBytes.withBytes(of: id, { $0.allSatisfy { $0 < 0x80 } })
            ? id.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(Substring($0)) }
            : id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var parameters: [String: String] = [:]
        if parts.count >= 3 || (parts.count == 2 && Double(parts[1]) != nil) {
            parameters["input"] = parts.removeLast()
        }
        if let target { parameters["target"] = target }
        return BenchmarkResult(benchmark: parts.joined(separator: "/"), parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: [])
    }

    /// The reader's state: the benchmark running, the one just printed, and what it found.
    private struct Reader {
        let context: FormatContext
        var results: [BenchmarkResult] = []
        var failures: [BenchmarkFailure] = []
        var seen = SeriesNames()
        var targets = CargoTargetNames()
        var target: String?
        /// The benchmark criterion announced (`Benchmarking x`) and has not printed a result for yet.
        var running: (name: Substring, line: Int)?
        /// The previous non-empty line, which holds the name when it is too long for the `time:` line.
        var previous: Substring = ""
        /// The result whose `thrpt:` line may follow; `nil` inside a `change:` block.
        var last: BenchmarkResult?
        var lastLine: Substring = ""
        var lastNumber = 0
        /// Warnings for a bench binary that stopped outside any benchmark.
        var stopped: [String] = []

        mutating func read(_ line: Substring, number: Int) throws(FormatError) {
            let trimmed = line.trimmedWhitespace
            guard !trimmed.isEmpty else { return }
            defer { (previous, lastLine, lastNumber) = (trimmed, line, number) }
            if trimmed.startsWith("Benchmarking ") {
                // Most lines are progress: `Benchmarking id: Warming up for 3.0000 s`.
                let id = trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: "Benchmarking ".utf8.count)...]
                let colon = id.byteRange(of: ": ", backwards: true)
                if let colon, id[colon.upperBound...].startsWith("Complete (Analysis Disabled)") {
                    running = nil
                } else if let colon, Self.progress(id[colon.upperBound...]) {
                    running = (id[..<colon.lowerBound], number)
                } else {
                    running = (id, number)
                }
            } else if let cargo = CargoTarget(line: trimmed) {
                try requireIdle(number)
                target = targets.name(for: cargo)
            } else if let time = trimmed.byteRange(of: "time:") , trimmed[time.upperBound...].trimmingWhitespace.hasPrefix("[") {
                let values = trimmed[time.upperBound...]
                if values.utf8.contains(UInt8(ascii: "%")) { return } // a `change:` block's time line
                var name = trimmed[..<time.lowerBound].trimmedWhitespace
                if name.isEmpty { name = previous }
                try add(name: name, values: values, number: number)
            } else if trimmed.startsWith("thrpt:") {
                let values = trimmed.dropFirst("thrpt:".count)
                guard !values.utf8.contains(UInt8(ascii: "%")), let base = last else { return }
                let (rate, unit) = try Self.estimate(values, line: number, context, convert: Self.rate)
                try append(BenchmarkResult(benchmark: base.benchmark + ".throughput", parameters: base.parameters, unit: unit,
                                           direction: .higherIsBetter, samples: [rate]), line: number)
                last = nil
            } else if trimmed.startsWith("change:") {
                last = nil
            } else if let reason = Self.crash(trimmed) {
                if let benchmark = running {
                    failures.append(BenchmarkFailure(benchmark: CriterionTextFormat.result(String(benchmark.name), target: target).displayName, reason: reason))
                    running = nil
                } else {
                    // Between benchmarks (a benchmark function's setup, `main` itself): no result is
                    // wrong, but the benchmarks after it never ran, and nothing else says so.
                    let binary = target.map { "the bench target \($0)" } ?? "the bench binary"
                    stopped.append(PlainText.singleLine("\(context.file): line \(number): \(binary) stopped between benchmarks (\(reason)); the benchmarks after it did not run"))
                }
            } else if trimmed.startsWith("error: bench failed"), failures.isEmpty, stopped.isEmpty {
                stopped.append(PlainText.singleLine("\(context.file): line \(number): cargo says the benchmarks failed (\(trimmed)); the benchmarks after the last result did not run"))
            }
        }

        /// Why the bench binary stopped, when the line says: a panic, or cargo's report of a crash.
        private static func crash(_ line: Substring) -> String? {
            if line.startsWith("thread '"), let panic = line.byteRange(of: "panicked at") { return String(line[panic.lowerBound...]) }
            if line.byteRange(of: "process didn't exit successfully") != nil { return String(line) }
            return nil
        }

        /// criterion's progress suffixes after `Benchmarking id: `.
        private static func progress(_ text: Substring) -> Bool {
            progressWords.contains { text.startsWith($0) }
        }

        private static let progressWords = ["Warming up", "Collecting", "Analyzing", "Profiling", "Skipping"]

        private mutating func add(name: Substring, values: Substring, number: Int) throws(FormatError) {
            guard !name.isEmpty else { throw context.error("line \(number)", "a 'time:' line with no benchmark name before it") }
            let (time, unit) = try Self.estimate(values, line: number, context, convert: Self.nanoseconds)
            var result = CriterionTextFormat.result(String(name), target: target)
            (result.unit, result.samples) = (unit, [time])
            try append(result, line: number)
            last = result
            running = nil
        }

        private mutating func append(_ result: BenchmarkResult, line: Int) throws(FormatError) {
            if let earlier = seen.insert(result, tag: line, inserted: results) {
                throw context.error("line \(line)", "'\(result.displayName)' was already reported on line \(earlier)")
            }
            results.append(result)
        }

        /// The point estimate of `[low unit point unit high unit]`, converted.
        private static func estimate(_ values: Substring, line: Int, _ context: FormatContext,
                                     convert: (Substring) -> (factor: Double, unit: String)?) throws(FormatError) -> (Double, String) {
            let inner = values.trimmedWhitespace
            guard inner.startsWith("["), inner.endsWith("]") else {
                throw context.error("line \(line)", "is not criterion's '[low point high]' estimate: \(String(inner).quotedLine); is the line cut?")
            }
            let fields = Array(inner.dropFirst().dropLast().spaceSeparatedWords)
            guard fields.count == 6, let point = DecimalLiteral.number(fields[2]) else {
                throw context.error("line \(line)", "is not criterion's '[low unit point unit high unit]' estimate: \(String(inner).quotedLine)")
            }
            guard let (factor, unit) = convert(fields[3]) else {
                throw context.error("line \(line)", "unit '\(fields[3])' is not one criterion prints for time (ps, ns, µs, ms, s) or throughput (B/s, KiB/s, elem/s, …)")
            }
            return (point * factor, unit)
        }

        private static func nanoseconds(_ unit: Substring) -> (factor: Double, unit: String)? {
            switch unit {
            case "ps": (1e-3, "ns")
            case "ns": (1, "ns")
            case "µs", "us": (1e3, "ns")
            case "ms": (1e6, "ns")
            case "s": (1e9, "ns")
            default: nil
            }
        }

        private static func rate(_ unit: Substring) -> (factor: Double, unit: String)? {
            switch unit {
            case "B/s": (1, "B/s")
            case "KiB/s": (1024, "B/s")
            case "MiB/s": (1024 * 1024, "B/s")
            case "GiB/s": (1024 * 1024 * 1024, "B/s")
            case "KB/s": (1e3, "B/s")
            case "MB/s": (1e6, "B/s")
            case "GB/s": (1e9, "B/s")
            case "elem/s": (1, "items/s")
            case "Kelem/s": (1e3, "items/s")
            case "Melem/s": (1e6, "items/s")
            case "Gelem/s": (1e9, "items/s")
            default: nil
            }
        }

        private func requireIdle(_ line: Int) throws(FormatError) {
            guard let running else { return }
            throw context.error("line \(line)", "'\(running.name)' started on line \(running.line) but has no result; the bench binary crashed or its output was cut")
        }

        func finish() throws(FormatError) -> ParsedOutput {
            if let running {
                throw context.error("line \(lastNumber)", "is truncated: '\(running.name)' started on line \(running.line) has no 'time:' result; "
                                    + "the last line read is \(String(lastLine).quotedLine)")
            }
            guard !results.isEmpty || !failures.isEmpty else {
                throw context.error("-", "holds no criterion 'name  time:   [low point high]' lines; is this criterion's `cargo bench` output?")
            }
            return ParsedOutput(results: results, failures: failures, warnings: stopped)
        }
    }
}
