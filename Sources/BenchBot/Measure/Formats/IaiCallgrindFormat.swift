import Foundation

/// iai-callgrind's terminal output of `cargo bench`, library and binary benchmarks, 0.3 to 0.16.
///
/// ```
/// lib::bench_group::bench_fibonacci short:10
///   ======= CALLGRIND ====================================================
///   Instructions:                1734|1650            (+5.09090%) [+1.04844x]
///   L1 Hits:                     2359|N/A             (*********)
///   ...
/// Iai-Callgrind result: Ok. 1 without regressions; 0 regressed; 1 benchmarks finished in 0.49s
/// ```
///
/// Each benchmark's header line is its module path (the name), then its `id` and, after a colon,
/// its `args` (parameters). Each metric line is one series of one sample, the new value (left of
/// `|`; before 0.8 the only value), named by ``IaiCallgrindMetric``; the previous run's value and
/// the change are skipped, as are the `Comparison with` blocks, per-process `## pid` parts where
/// a `## Total` follows, cargo's and libtest's lines, and colours. A benchmark whose run failed
/// (a panic, an `Error` line before its metrics) is a ``BenchmarkFailure``; a regression
/// iai-callgrind reports is a warning. Output cut inside a block (a header with no metrics, a
/// block shorter than the one before it, a last line without its line end, or no closing
/// `Iai-Callgrind result:` where the output has one) is refused as truncated.
enum IaiCallgrindFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(text, context, fastLane: true)
    }

    /// `fastLane`: whether the reader's byte lane reads the lines it can (``IaiCallgrindReader/readFast(_:_:number:)``);
    /// off, only to check it against the reader without it.
    static func parse(_ text: String, _ context: FormatContext, fastLane: Bool) throws(FormatError) -> ParsedOutput {
        // By bytes: Foundation's `contains` searched the whole text as UTF-16, a fifth of reading it.
        if hasLineStarting(with: "  L1 Accesses:", in: text) {
            throw context.error("-", "holds bheisler/iai's 'L1 Accesses' counts, not iai-callgrind's; pass --format iai")
        }
        var reader = IaiCallgrindReader(context: context, text: text, fastLane: fastLane)
        try text.withLineBytes { bytes -> Result<Void, FormatError> in
            // Colours are looked for once in the whole text: most outputs have none, and then no line needs the look.
            let coloured = bytes.baseAddress.map { memchr($0, 0x1B, bytes.count) != nil } ?? false
            var number = 0
            for line in ByteLines(bytes) {
                number += 1
                let hasColour = coloured && bytes[line].contains(0x1B)
                do throws(FormatError) {
                    // The lane reads a line where it lies; the rest are cut out, without their colours.
                    if fastLane, !hasColour, try reader.readFast(bytes, line, number: number) { continue }
                    let raw = text.utf8Slice(line)
                    try reader.read(line: hasColour ? Substring(stripColours(raw)) : raw, number: number)
                } catch {
                    return .failure(error)
                }
            }
            return .success(())
        }
        // `hasSuffix("\n")` misses "\r\n", one Character.
        return try reader.finish(endsWithLineEnd: text.utf8.last == UInt8(ascii: "\n"))
    }

    /// Whether a line after the first starts with `prefix`, as a search for `"\n" + prefix` finds it:
    /// by `memchr` from line end to line end, which reads many bytes at a time, rather than byte by byte.
    static func hasLineStarting(with prefix: StaticString, in text: String) -> Bool {
        TextBytes.withBytes(of: text) { bytes in
            guard let base = bytes.baseAddress else { return false }
            var start = 0
            while start < bytes.count, let found = memchr(base + start, Int32(TextBytes.newline), bytes.count - start) {
                let line = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                if bytes.count - line >= prefix.utf8CodeUnitCount, memcmp(base + line, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0 { return true }
                start = line
            }
            return false
        }
    }

    /// The line without ANSI colour sequences (`ESC [ … letter`), which `CARGO_TERM_COLOR=always` leaves.
    static func stripColours(_ line: Substring) -> String {
        var out = ""
        var iterator = line.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\u{1B}" else { out.unicodeScalars.append(scalar); continue }
            guard let next = iterator.next(), next == "[" else { continue }
            while let code = iterator.next(), !(code.properties.isAlphabetic) {}
        }
        return out
    }

    /// A header line's name and parameters, or `nil` when the line is not one: `a::b::c`, then
    /// optionally ` id`, ` id:args` or ` :args`.
    static func header(_ line: Substring) -> (modulePath: String, rest: String)? {
        guard let first = line.first, !first.isWhitespace else { return nil }
        let space = line.utf8.firstIndex(of: TextBytes.space) ?? line.endIndex
        let path = line[..<space]
        // By bytes: Foundation's `contains` searched each line start as UTF-16. A path of the allowed ASCII has the same `::`.
        guard path.byteRange(of: "::") != nil, path.first != ":", path.last != ":",
              path.unicodeScalars.allSatisfy({ $0 == ":" || $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        else { return nil }
        return (String(path), space == line.endIndex ? "" : String(line[line.index(after: space)...]))
    }

    /// iai-callgrind's last line of each bench binary (`Gungraun` since its rename).
    static func isClosing(_ trimmed: Substring) -> Bool {
        trimmed.hasPrefix("Iai-Callgrind result:") || trimmed.hasPrefix("Gungraun result:")
    }

    /// True for text with an iai-callgrind header followed by its metric lines, or its closing line.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard probe.json == nil else { return false }
        let text = probe.text
        if text.contains("\nIai-Callgrind result: ") || text.hasPrefix("Iai-Callgrind result: ") || text.contains("\nGungraun result: ") { return true }
        // bheisler/iai prints `L1 Accesses`, never iai-callgrind's `|` between the new and the old value.
        // By bytes: Foundation's `contains` searched the whole text as UTF-16, a fifth of reading it.
        if text.byteRange(of: "\n  L1 Accesses:") != nil { return false }
        if text.contains("\n  ======= CALLGRIND ==") || text.contains("\n  ======= CACHEGRIND ==") { return true }
        guard let range = text.range(of: "\n  Instructions:") else { return false }
        let line = text[range.upperBound...].prefix { $0 != "\n" }
        // Before the `new|old` layout (0.8), the header and an `L1 Hits`/`L1 Data Hits` line tell it from iai.
        let header = text[..<range.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).last.map { Self.header($0) != nil } ?? false
        return header && (line.contains("|") || text.contains("\n  L1 Hits:") || text.contains("\n  L1 Data Hits:") || !text.contains("\n  Estimated Cycles:"))
    }
}
