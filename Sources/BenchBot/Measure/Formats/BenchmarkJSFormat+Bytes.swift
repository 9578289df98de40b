import Foundation

/// benchmark.js output read straight from its UTF-8 bytes, for outputs of the usual shape.
///
/// The line reader (``BenchmarkJSFormat/parseLines(_:_:)``) slices a `Substring` per line and
/// searches it several times; on a file of 90,000 results that was most of the parse. This
/// reader walks each line once from its end, in the one shape `String(bench)` prints with
/// plain digits (`name x 1,234.5 ops/sec ±0.50% (92 runs sampled)`), and builds only the
/// results and failures. Whatever else it meets (a line that mentions ops/sec in another
/// shape, a last line without its newline, a number beyond the exact fast path) it does not
/// judge: it returns `nil`, and the line reader, which stays the oracle, reads the whole file. So every refusal keeps its message, and the two agree wherever this one answers
/// (`BenchmarkJSBytesTests`).
extension BenchmarkJSFormat {
    /// What one line is, to this reader.
    private enum Line {
        case result(name: String, rate: Double)
        /// `name: `, a benchmark that threw.
        case failure(name: String)
        /// A line the line reader skips, such as `Fastest is …`.
        case skipped
        /// A line for the line reader to judge.
        case unsure
    }

    /// The results of `text` when every line is a result or a line the line reader skips; `nil` otherwise.
    static func parseBytes(_ text: String) -> ParsedOutput? {
        let parsed: ParsedOutput?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var results: [BenchmarkResult] = []
            var failures: [BenchmarkFailure] = []
            var start = 0
            while start < bytes.count {
                // A last line without its newline may be cut: the line reader says so.
                guard let newline = Self.newline(in: bytes, from: start) else { return nil }
                var end = newline
                if end > start, bytes[end - 1] == TextBytes.carriageReturn { end -= 1 }
                switch line(bytes[start..<end]) {
                case .result(let name, let rate):
                    results.append(BenchmarkResult(benchmark: name, unit: "ops/s", direction: .higherIsBetter, samples: [rate]))
                case .failure(let name):
                    failures.append(BenchmarkFailure(benchmark: name, reason: "the benchmark threw (benchmark.js printed no message)"))
                case .skipped: break
                case .unsure: return nil
                }
                start = newline + 1
            }
            return results.isEmpty && failures.isEmpty ? nil : ParsedOutput(results: results, failures: failures)
        }
        return parsed ?? nil
    }

    /// The offset of the next `\n` at or after `start`, found by `memchr`, which reads many bytes at a time.
    static func newline(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
              let found = memchr(base + start, Int32(TextBytes.newline), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// One line without its line end: a result read backwards from `(N runs sampled)`, or a line
    /// the line reader would skip, or neither.
    private static func line(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Line {
        var cursor = Cursor(bytes: line)
        guard cursor.dropSuffix(" runs sampled)") || cursor.dropSuffix(" run sampled)") else {
            // The line reader refuses any other line that mentions ops/sec, and keeps its own `\r` of a `\r\r\n`.
            if contains(line, " ops/sec") || line.last == TextBytes.carriageReturn { return .unsure }
            guard endsWith(line, ": "), line.count > 2 else { return .skipped }
            // It drops the `: ` as two Characters: after a scalar beyond ASCII (one that prepends, say) they may be fewer.
            let name = line[line.startIndex..<(line.endIndex - 2)]
            guard name.last! < 0x80 else { return .unsure }
            return .failure(name: String(decoding: UnsafeBufferPointer(rebasing: name), as: UTF8.self))
        }
        // `±0.50% (92`, backwards: the run count, the margin, and ` ops/sec ±`.
        guard cursor.dropDigits(allowing: nil) > 0, cursor.dropSuffix("% ("), cursor.dropPlainNumber(),
              cursor.dropSuffix(" ops/sec \u{B1}") else { return .unsure }
        // The rate: digits with thousands separators and at most one point, a digit at each end.
        let rateEnd = cursor.end
        guard cursor.dropDigits(allowing: UInt8(ascii: ",")) > 0 else { return .unsure }
        if cursor.dropSuffix(".") {
            guard cursor.dropDigits(allowing: UInt8(ascii: ",")) > 0 else { return .unsure }
        }
        let rateStart = cursor.end
        guard line[rateStart] != UInt8(ascii: ","), cursor.dropSuffix(" x "), cursor.end > line.startIndex else { return .unsure }
        // As `DecimalLiteral.number(_:ignoring:)` reads it, through the same exact path; longer numbers are the line reader's.
        var literal = DecimalLiteral()
        var fraction = false
        for byte in line[rateStart..<rateEnd] where byte != UInt8(ascii: ",") {
            if byte == UInt8(ascii: ".") { fraction = true; continue }
            literal.append(byte &- UInt8(ascii: "0"), fraction: fraction)
        }
        guard let rate = literal.exactValue else { return .unsure }
        return .result(name: String(decoding: UnsafeBufferPointer(rebasing: line[line.startIndex..<cursor.end]), as: UTF8.self), rate: rate)
    }

    private static func contains(_ line: Slice<UnsafeBufferPointer<UInt8>>, _ word: StaticString) -> Bool {
        TextBytes.offset(of: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount),
                         in: UnsafeBufferPointer(rebasing: line), backwards: false) != nil
    }

    private static func endsWith(_ line: Slice<UnsafeBufferPointer<UInt8>>, _ suffix: StaticString) -> Bool {
        var cursor = Cursor(bytes: line)
        return cursor.dropSuffix(suffix)
    }

    /// A line's bytes, consumed from the end.
    private struct Cursor {
        let bytes: Slice<UnsafeBufferPointer<UInt8>>
        /// Where the part not yet consumed ends.
        private(set) var end: Int

        init(bytes: Slice<UnsafeBufferPointer<UInt8>>) {
            self.bytes = bytes
            end = bytes.endIndex
        }

        /// Consumes `suffix` when the unconsumed part ends with it.
        mutating func dropSuffix(_ suffix: StaticString) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard end - bytes.startIndex >= count else { return false }
            for offset in 0..<count where bytes[end - count + offset] != suffix.utf8Start[offset] { return false }
            end -= count
            return true
        }

        /// Consumes ASCII digits (and `allowing`, a separator); returns how many bytes.
        mutating func dropDigits(allowing separator: UInt8?) -> Int {
            let before = end
            while end > bytes.startIndex, TextBytes.isDigit(bytes[end - 1]) || bytes[end - 1] == separator { end -= 1 }
            return before - end
        }

        /// Consumes `123` or `1.5`: a number `DecimalLiteral.number` reads.
        mutating func dropPlainNumber() -> Bool {
            guard dropDigits(allowing: nil) > 0 else { return false }
            if dropSuffix(".") { return dropDigits(allowing: nil) > 0 }
            return true
        }
    }
}
