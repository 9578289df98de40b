import Compare
import Foundation

/// benchmark.js's result lines, as `String(bench)` prints them in a suite's `cycle` handler
/// (https://benchmarkjs.com/docs#prototype_toString):
/// `name x 1,234,567 ops/sec ±0.50% (92 runs sampled)`.
///
/// benchmark.js prints only a summary: the mean rate is stored as the benchmark's one sample, in
/// ops/s, higher is better (the ± margin and the run count are not samples). Other lines, such as
/// the suite's `Fastest is …`, are skipped. A benchmark that threw prints `name: ` and its error's
/// enumerable fields (nothing, for a plain `Error`): a line ending in `: ` is recorded as that
/// benchmark's failure. benchmark.js prints no closing line, so only a cut line can show a
/// truncation: a last line without its newline that is not a whole result is refused, and so is
/// any line that mentions ops/sec without being one.
enum BenchmarkJSFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        if let parsed = parseBytes(text) { return parsed }
        return try parseLines(text, context)
    }

    /// Reads every line as a `Substring`: any output, with every refusal's message. The byte
    /// reader answers only for outputs of the usual shape, and must agree with this one.
    static func parseLines(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var output = ParsedOutput(results: [])
        // One line read ahead, to know the last one without an array of them all.
        var lines = text.outputLines
        var upcoming = lines.next()
        var offset = -1
        while let rawLine = upcoming {
            upcoming = lines.next()
            offset += 1
            // A last line without its newline keeps a `\r` that `outputLines` left.
            let line = rawLine.utf8.last == TextBytes.carriageReturn ? rawLine.dropLast() : rawLine
            if let (name, rate) = result(line) {
                output.results.append(BenchmarkResult(benchmark: name, unit: "ops/s", direction: .higherIsBetter, samples: [rate]))
                continue
            }
            let isLast = upcoming == nil
            if isLast, !line.trimmingWhitespace.isEmpty {
                throw context.error("line \(offset + 1)", "the output ends mid-line (\(PlainText.singleLine(String(line.prefix(80))))); truncated?")
            }
            if line.byteRange(of: " ops/sec") != nil {
                throw context.error("line \(offset + 1)", "mentions ops/sec but is not a whole 'name x N ops/sec ±P% (R runs sampled)' line; truncated or edited?")
            }
            if line.endsWith(": "), line.count > 2 {
                output.failures.append(BenchmarkFailure(benchmark: String(line.dropLast(2)), reason: "the benchmark threw (benchmark.js printed no message)"))
            }
        }
        if output.results.isEmpty, output.failures.isEmpty {
            throw context.error("-", "holds no 'name x N ops/sec \u{B1}P% (R runs sampled)' line; is this really benchmark.js output (String(bench) in the suite's cycle handler)?")
        }
        return output
    }

    /// `name x 1,234.5 ops/sec ±0.50% (92 runs sampled)` → (`name`, 1234.5).
    static func result(_ line: Substring) -> (String, Double)? {
        guard line.endsWith(" sampled)"), let opsRange = line.byteRange(of: " ops/sec \u{B1}", backwards: true),
              let xRange = line[..<opsRange.lowerBound].byteRange(of: " x ", backwards: true), xRange.lowerBound > line.startIndex else { return nil }
        // The rate is digits, points and thousands separators only: Double(String) would also take `1e3` or `nan`.
        let number = line[xRange.upperBound..<opsRange.lowerBound]
        guard number.utf8.allSatisfy({ TextBytes.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") }),
              let rate = DecimalLiteral.number(number, ignoring: UInt8(ascii: ",")) else { return nil }
        let tail = line[opsRange.upperBound...]
        guard let percent = tail.utf8.firstIndex(of: UInt8(ascii: "%")), DecimalLiteral.number(tail[..<percent]) != nil,
              tail[percent...].startsWith("% ("), tail.endsWith(" runs sampled)") || tail.endsWith(" run sampled)"),
              tail[tail.utf8.index(percent, offsetBy: 3)...].first?.isNumber == true else { return nil }
        return (String(line[..<xRange.lowerBound]), rate)
    }

    /// A line in benchmark.js's own shape.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard probe.json == nil else { return false }
        return String(probe.text.prefix(65_536)).outputLines.contains { result($0) != nil }
    }
}
