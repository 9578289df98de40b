import Compare
import Foundation

/// libtest's `cargo bench` text: `test name ... bench:   1,234 ns/iter (+/- 56)`, and
/// `1,234.56 ns/iter` from Rust 1.77 on.
///
/// libtest prints only a summary of each benchmark, the median time per iteration of its
/// samples, so each benchmark gets that one sample, in ns; the `(+/- …)` range is not a sample
/// and is not stored. `= 473 MB/s` (a bench that sets `b.bytes`) is the series `name.throughput`,
/// in MB/s. When the output holds cargo's `Running …` lines (stderr: `cargo bench 2>&1`),
/// each result has the parameter `target` (`src/lib.rs`, `benches/sorting.rs`), so one name in two
/// binaries stays two series.
///
/// Lines that are not results (compiling, `running N tests`, ignored tests, the benchmarks' own
/// output) are skipped. A `FAILED` benchmark is a ``BenchmarkFailure`` with its panic message. A
/// binary's output that ends before libtest's closing `test result:` line is refused as truncated.
/// criterion's `--output-format bencher` prints the same result lines without libtest's
/// `running`/`test result:` lines around them; they are read too, with no such check.
enum CargoBenchFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(text, context, byteLines: true)
    }

    /// `byteLines`: result lines of the usual shape are read from their bytes (``Reader/readFast(_:_:number:)``);
    /// `false` reads every line as a `Substring`, the rule the byte path must match (`TextFastPathTests`).
    static func parse(_ text: String, _ context: FormatContext, byteLines: Bool) throws(FormatError) -> ParsedOutput {
        // About one series per result line of 60 bytes: the table of names and the results are made
        // once, not grown seven times (each growth copies every result and touches new pages).
        let capacity = min(text.utf8.count / 60, ResultValidation.maximumSeries)
        return try text.readLines(with: Reader(context: context, text: text, results: ResultBuffer(capacity: capacity), seen: SeriesNames(capacity: capacity)),
                                  byteLines: byteLines)
    }

    /// True for text with libtest's bench result lines.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        probe.json == nil && probe.text.contains(" ... bench: ") && probe.text.contains(" ns/iter")
    }

    /// The reader's state, line by line: which binary's output it is in, and what it found.
    private struct Reader: ByteLineReader {
        let context: FormatContext
        /// The whole output, for the lines built as `Substring`s.
        let text: String
        var results: ResultBuffer
        var seen: SeriesNames
        var failures: [BenchmarkFailure] = []
        /// This binary's `FAILED` benchmarks and their panic messages, recorded at its `test result:`.
        var failed: [(name: String, parameters: [String: String])] = []
        var reasons: [String: String] = [:]
        var targets = CargoTargetNames()
        /// The `target` parameter of the binary running now, once cargo named one.
        var target: String? {
            // One dictionary for every result of the binary, not one each.
            didSet { parameters = target.map { ["target": $0] } ?? [:] }
        }
        var parameters: [String: String] = [:]
        /// The line that opened the binary's output (`running N tests`), while it is open.
        var openedAt: Int?
        /// The benchmark whose `---- name stdout ----` block is being read, for its panic message.
        var failureBlock: String?
        /// The last line that was not blank, as bytes of `text`, and its number.
        var lastLine = 0..<0
        var lastNumber = 0

        /// Reads a `test name ... bench: N ns/iter (+/- N)` line from its bytes, as ``read(_:number:bytes:)``
        /// reads it, and returns `true`; returns `false`, having changed nothing, for any other line,
        /// or one whose reading might differ (non-ASCII at the ends, a number or field that is not
        /// the usual, which ``read(_:number:bytes:)`` then refuses with its message).
        mutating func readFast(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int) throws(FormatError) -> Bool {
            // The line without blanks at its ends, as `trimmedWhitespace` cuts it when its ends are ASCII.
            var start = line.lowerBound, end = line.upperBound
            while start < end, TextBytes.isBlank(bytes[start]) { start += 1 }
            while end > start, TextBytes.isBlank(bytes[end - 1]) { end -= 1 }
            guard end > start, bytes[end - 1] < 0x80, TextBytes.starts(bytes, start..<end, with: "test "),
                  !TextBytes.starts(bytes, start..<end, with: "test result: "),
                  let separator = TextBytes.offset(of: " ... ", in: bytes, start + 5..<end) else { return false }
            // The name, which `trimmingWhitespace` leaves whole when it starts and ends with printable ASCII.
            let name = (start + 5)..<separator
            guard let first = name.first.map({ bytes[$0] }), let last = name.last.map({ bytes[$0] }),
                  first < 0x80, last < 0x80, !TextBytes.isBlank(first), !TextBytes.isBlank(last),
                  TextBytes.starts(bytes, separator + 5..<end, with: "bench:") else { return false }
            var fields = ByteWords(bytes, separator + 5 + "bench:".utf8.count..<end)
            guard let median = fields.next().flatMap({ TextNumber.number(bytes.extracting($0), ignoring: UInt8(ascii: ",")) }),
                  let unit = fields.next(), TextBytes.equal(bytes, unit, "ns/iter") else { return false }
            // `= 473 MB/s` after the range, when the bench set `b.bytes`.
            var rate: Double?
            while let field = fields.next(), !TextBytes.equal(bytes, field, "=") {}
            if let amount = fields.next(), let rateUnit = fields.next(), TextBytes.equal(bytes, rateUnit, "MB/s") {
                guard let read = TextNumber.number(bytes.extracting(amount), ignoring: UInt8(ascii: ",")) else { return false }
                rate = read
            }
            let benchmark = String(decoding: bytes.extracting(name), as: UTF8.self)
            try add(benchmark, unit: "ns", direction: .lowerIsBetter, sample: median, line: number)
            if let rate { try add(benchmark + ".throughput", unit: "MB/s", direction: .higherIsBetter, sample: rate, line: number) }
            (lastLine, lastNumber) = (line, number)
            return true
        }

        /// Reads any line (`bytes`: where it is in `text`).
        mutating func read(_ line: Substring, number: Int, bytes: Range<Int>) throws(FormatError) {
            let trimmed = line.trimmedWhitespace
            // The separator is looked for after `test `: in `test ... bench:` the space of `test ` begins one.
            if trimmed.startsWith("test "), !trimmed.startsWith("test result: "),
               case let afterTest = trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: 5)...], let separator = afterTest.byteRange(of: " ... ") {
                // Outside a binary's `running`…`test result:` are criterion's `--output-format bencher` lines.
                let name = afterTest[..<separator.lowerBound].trimmingWhitespace
                try result(name, trimmed[separator.upperBound...], line: number)
            } else if let running = CargoTarget(line: trimmed) {
                try requireClosed(before: number)
                target = targets.name(for: running)
            } else if trimmed.startsWith("running "), trimmed.hasSuffix(" tests") || trimmed.hasSuffix(" test") {
                try requireClosed(before: number)
                openedAt = number
            } else if trimmed.startsWith("test result: ") {
                guard openedAt != nil else {
                    throw context.error("line \(number)", "'test result:' without libtest's 'running N tests' line before it; is the start of the output missing?")
                }
                openedAt = nil
                failureBlock = nil
                recordFailures()
            } else if trimmed.startsWith("---- "), trimmed.hasSuffix(" stdout ----") {
                failureBlock = String(trimmed.dropFirst(5).dropLast(" stdout ----".count))
            } else if let block = failureBlock {
                // `thread 'main' panicked at 'message', src/lib.rs:1:2` before Rust 1.73; since then
                // `thread 'main' panicked at src/lib.rs:1:2:` with the message on the next line.
                if let reason = reasons[block] {
                    if reason.hasSuffix(":"), !trimmed.isEmpty { reasons[block] = "\(reason) \(trimmed)" }
                } else if let at = trimmed.byteRange(of: "panicked at") {
                    reasons[block] = String(trimmed[at.lowerBound...])
                }
            }
            if !trimmed.isEmpty { (lastLine, lastNumber) = (bytes, number) }
        }

        private mutating func result(_ name: String, _ outcome: Substring, line: Int) throws(FormatError) {
            if outcome == "FAILED" {
                failed.append((name, parameters))
                return
            }
            guard let bench = outcome.byteRange(of: "bench:") else {
                // `ok`, `ignored`, `ignored, reason`: tests that ran or were skipped in bench mode.
                if outcome == "ok" || outcome.hasPrefix("ignored") { return }
                throw context.error("line \(line)", "'\(PlainText.singleLine(String(outcome)))' is not a libtest outcome (bench:, ok, ignored or FAILED)")
            }
            var fields = outcome[bench.upperBound...].spaceSeparatedWords
            guard let first = fields.next(), fields.next() == "ns/iter", let median = Self.number(first) else {
                throw context.error("line \(line)", "is not 'test name ... bench: N ns/iter (+/- N)': \(String(outcome).quotedLine)")
            }
            try add(name, unit: "ns", direction: .lowerIsBetter, sample: median, line: line)
            // `= 473 MB/s` after the range, when the bench set `b.bytes`.
            while let field = fields.next(), field != "=" {}
            if let amount = fields.next(), fields.next() == "MB/s" {
                guard let rate = Self.number(amount) else {
                    throw context.error("line \(line)", "'\(amount)' is not a number of MB/s")
                }
                try add(name + ".throughput", unit: "MB/s", direction: .higherIsBetter, sample: rate, line: line)
            }
        }

        /// Stores a series of this binary's parameters, built in the results rather than built, checked and copied in.
        private mutating func add(_ benchmark: consuming String, unit: String, direction: Direction, sample: Double, line: Int) throws(FormatError) {
            // One copy of the parameters, checked, then moved into the result: each use of the property retained it.
            let parameters = self.parameters
            if let earlier = seen.insert(benchmark: benchmark, parameters: parameters, tag: line, inserted: results.inPlace) {
                let name = BenchmarkResult(benchmark: benchmark, parameters: parameters, unit: unit, direction: direction, samples: []).displayName
                let fix = target == nil ? "; capture cargo's stderr too (cargo bench 2>&1) so its 'Running' lines tell the binaries apart" : ""
                throw context.error("line \(line)", "'\(name)' was already reported on line \(earlier)\(fix)")
            }
            results.append(benchmark: benchmark, parameters: parameters, unit: unit, direction: direction, samples: [sample])
        }

        private mutating func recordFailures() {
            for (name, parameters) in failed {
                let benchmark = BenchmarkResult(benchmark: name, parameters: parameters, unit: "ns", direction: .lowerIsBetter, samples: [])
                failures.append(BenchmarkFailure(benchmark: benchmark.displayName, reason: reasons[name] ?? "libtest reported it FAILED"))
            }
            (failed, reasons) = ([], [:])
        }

        /// libtest's numbers: `1,234`, or `1,234.56` from Rust 1.77 on.
        private static func number(_ field: Substring) -> Double? {
            DecimalLiteral.number(field, ignoring: UInt8(ascii: ","))
        }

        private func requireClosed(before line: Int) throws(FormatError) {
            guard let openedAt else { return }
            throw context.error("line \(line)", "the test binary started on line \(openedAt) has no closing 'test result:' line; "
                                + "it crashed or its output was cut after line \(lastNumber)")
        }

        mutating func finish() throws(FormatError) -> ParsedOutput {
            if let openedAt {
                throw context.error("line \(lastNumber)", "is truncated: the test binary started on line \(openedAt) has no closing "
                                    + "'test result:' line; the last line read is \(String(text.utf8Slice(lastLine)).quotedLine)")
            }
            recordFailures()
            guard !results.isEmpty || !failures.isEmpty else {
                throw context.error("-", "holds no libtest 'test name ... bench: N ns/iter' lines; is this `cargo bench` output of #[bench] functions?")
            }
            return ParsedOutput(results: results.take(), failures: failures)
        }
    }
}
