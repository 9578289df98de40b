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
    /// The same, as bytes, for the byte path.
    private static let labelBytes = labelPrefixes.map { Array($0.utf8) }

    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(text, context, byteLines: true)
    }

    /// `byteLines`: the usual count and name lines are read from their bytes (``Reader/readFast(_:_:number:)``);
    /// `false` reads every line as a `Substring`, the rule the byte path must match (`TextFastPathTests`).
    static func parse(_ text: String, _ context: FormatContext, byteLines: Bool) throws(FormatError) -> ParsedOutput {
        try text.readLines(with: Reader(context: context, text: text), byteLines: byteLines)
    }

    /// The reader's state, line by line: the benchmark being read and what was found.
    private struct Reader: ByteLineReader {
        let context: FormatContext
        /// The whole output, for the lines built as `Substring`s.
        let text: String
        var results: ResultBuffer
        var failures: [BenchmarkFailure] = []
        var seen: SeriesNames
        var targets = CargoTargetNames()
        var parameters: [String: String] = [:]
        /// The benchmark being read, its line, and how many of its counts were read.
        var current: (name: String, line: Int, read: Int)?
        /// The last line that was not blank, as bytes of `text`, and its number.
        var last = (line: 0..<0, number: 0)

        init(context: FormatContext, text: String) {
            self.context = context
            self.text = text
            // iai prints five series in a block of about 230 bytes: the table of names and the results
            // are made once, not grown (each growth copies every result and touches new pages).
            let capacity = min(text.utf8.count / 46, ResultValidation.maximumSeries)
            seen = SeriesNames(capacity: capacity)
            results = ResultBuffer(capacity: capacity)
        }

        func incomplete(_ benchmark: (name: String, line: Int, read: Int)) -> FormatError {
            context.error("line \(last.number)", "is truncated: '\(benchmark.name)' (line \(benchmark.line)) has \(benchmark.read) of iai's \(metrics.count) counts; "
                          + "the last line read is \(String(text.utf8Slice(last.line)).quotedLine)")
        }

        /// Reads a count line (`  Instructions:  1735 (No change)`) in its place, or a name line
        /// of printable ASCII, from its bytes, as ``read(_:number:bytes:)`` reads it, and returns
        /// `true`; returns `false`, having changed nothing, for any other line, or one whose reading
        /// might differ or that is refused (then with ``read(_:number:bytes:)``'s message).
        mutating func readFast(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int) throws(FormatError) -> Bool {
            var start = line.lowerBound, end = line.upperBound
            while start < end, TextBytes.isBlank(bytes[start]) { start += 1 }
            while end > start, TextBytes.isBlank(bytes[end - 1]) { end -= 1 }
            // A blank line is skipped; one ending in non-ASCII is trimmed by Unicode's rules, which only the Substring path knows.
            guard end > start else { return true }
            guard bytes[end - 1] < 0x80 else { return false }
            if bytes[line.lowerBound] == TextBytes.space {
                // No label is the start of another, so the one the benchmark is at is the only one that can match.
                guard let benchmark = current, benchmark.read < labelBytes.count else { return false }
                let metric = benchmark.read
                guard TextBytes.starts(bytes, start..<end, with: labelBytes[metric]) else { return false }
                var words = ByteWords(bytes, (start + labelBytes[metric].count)..<end)
                guard let count = words.next().flatMap({ TextNumber.number(bytes.extracting($0)) }) else { return false }
                try add(count, metric: metric, of: benchmark, line: number)
            } else {
                // iai prints each benchmark's function name alone on its line.
                guard (current?.read ?? 0) == 0, bytes[start..<end].allSatisfy({ (0x21...0x7E).contains($0) }) else { return false }
                current = (String(decoding: bytes.extracting(start..<end), as: UTF8.self), number, 0)
            }
            last = (line, number)
            return true
        }

        /// Reads any line (`bytes`: where it is in `text`).
        mutating func read(_ line: Substring, number: Int, bytes: Range<Int>) throws(FormatError) {
            let trimmed = line.trimmedWhitespace
            guard !trimmed.isEmpty else { return }
            defer { last = (bytes, number) }
            if line.utf8.first == TextBytes.space, let metric = labelPrefixes.firstIndex(where: { trimmed.startsWith($0) }) {
                guard let benchmark = current, benchmark.read == metric else {
                    throw context.error("line \(number)", "'\(metrics[metric].label)' is out of place: iai prints \(metrics.map(\.label).joined(separator: ", ")) after each name")
                }
                var words = trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: labelPrefixes[metric].utf8.count)...].spaceSeparatedWords
                let value = words.next() ?? ""
                guard let count = DecimalLiteral.number(value) else {
                    throw context.error("line \(number)", "'\(value)' is not a count: \(String(line).quotedLine)")
                }
                try add(count, metric: metric, of: benchmark, line: number)
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
                current = (String(trimmed), number, 0)
            } else if let benchmark = current, benchmark.read > 0 {
                throw incomplete(benchmark)
            }
        }

        /// Stores the benchmark's count of `metric`, read on `line`.
        private mutating func add(_ count: Double, metric: Int, of benchmark: (name: String, line: Int, read: Int), line: Int) throws(FormatError) {
            // Checked before it is built, then built in the results: a copy in and out would retain and release each part.
            let name = TextBytes.concatenated(benchmark.name, metrics[metric].suffix)
            // One copy of the parameters, checked, then moved into the result: each use of the property retained it.
            let parameters = self.parameters
            if let earlier = seen.insert(benchmark: name, parameters: parameters, tag: line, inserted: results.inPlace) {
                let result = BenchmarkResult(benchmark: name, parameters: parameters, unit: metrics[metric].unit, direction: .lowerIsBetter, samples: [])
                throw context.error("line \(line)", "'\(result.displayName)' was already reported on line \(earlier)")
            }
            results.append(benchmark: name, parameters: parameters, unit: metrics[metric].unit, direction: .lowerIsBetter, samples: [count])
            current = metric + 1 == metrics.count ? nil : (benchmark.name, benchmark.line, metric + 1)
        }

        mutating func finish() throws(FormatError) -> ParsedOutput {
            // A word alone after the last block was not a benchmark's name unless blocks came before it.
            if let current, current.read > 0 || !results.isEmpty { throw incomplete(current) }
            guard !results.isEmpty || !failures.isEmpty else {
                throw context.error("-", "holds no iai 'name' + '  Instructions: N' blocks; is this iai's `cargo bench` output?")
            }
            return ParsedOutput(results: results.take(), failures: failures)
        }
    }

    /// True for text with iai's labels, and not iai-callgrind's `L1 Hits`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        probe.json == nil && probe.text.contains("\n  Instructions:") && probe.text.contains("\n  Estimated Cycles:") && probe.text.contains("\n  L1 Accesses:")
    }
}
