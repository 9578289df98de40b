import Compare

/// Reads `go test` text one line at a time: results, `--- FAIL`s, and whether each package's
/// output reached its closing `PASS`, `FAIL` or `ok` line. A value, fed by both the text format
/// and `go-test-json` (which hands it each package's reassembled output).
struct GoTestReader {
    /// One package's output, from its first line to its closing line.
    struct Block {
        var package: String?
        /// A `PASS` or `FAIL` line was read; an `ok`/`FAIL <package>` line may still name the package.
        var ended = false
        var hasResults = false
        var failedTests: [Substring] = []
    }

    /// A benchmark whose name is printed and whose result is not yet: its stdout comes in between.
    struct Pending {
        var name: Substring
        var firstOutput: Substring?
    }

    /// A `--- FAIL` or `--- SKIP`, kept until the end so that its name can take the package's procs.
    struct Verdict {
        var package: String?
        var name: Substring
        var failed: Bool
        var reason: Substring?
    }

    /// The package a `pkg:` line does not give, such as `go test -json`'s `Package`.
    var defaultPackage: String?
    private(set) var series = GoTestSeries()
    private var block: Block?
    /// The place of ``block``'s package in ``series`` (``GoTestSeries/id(of:)``), worked out once
    /// for a block rather than for each of its lines; `nil` once the block or its package changes.
    private var blockPackageID: Int?
    private var pending: Pending?
    private var verdicts: [Verdict] = []
    /// The verdict whose reason is the next indented line (`--- FAIL` without `-v` logs after it).
    private var awaitingReason: Int?
    /// The last indented log line since the last benchmark line (`-v` logs before `--- FAIL`).
    private var lastLog: Substring?
    private(set) var warnings: [String] = []
    /// The last line that was not blank, as read, and its number (0 before any): a line read from
    /// its bytes is kept as its place in the text (`lastByteLine`) and cut out of it once the text
    /// is read, not per line: a `String` kept per line cost a retain and a release on each.
    private var lastNumber = 0
    private var lastByteLine: Range<Int>?
    private var lastTextLine: Substring = ""
    /// ``readResult(_:_:number:in:)``'s `value unit` pairs, kept to reuse their storage.
    private var pairs: [(value: Double, unit: Range<Int>)] = []

    private var lastLine: (number: Int, text: Substring)? {
        lastNumber == 0 ? nil : (lastNumber, lastTextLine)
    }

    /// The lines `go test` prints before a package's results, about the machine and the package.
    private static let headers = ["goos:", "goarch:", "pkg:", "cpu:"]

    init(defaultPackage: String? = nil) {
        self.defaultPackage = defaultPackage
    }

    /// Reads one line (without its newline).
    mutating func read(_ rawLine: Substring, number: Int, _ context: FormatContext) throws(FormatError) {
        let line = rawLine.utf8.last == TextBytes.carriageReturn ? rawLine[..<rawLine.utf8.index(before: rawLine.endIndex)] : rawLine
        let trimmed = line.trimmingSpaces
        guard !trimmed.isEmpty else { return }
        (lastNumber, lastByteLine, lastTextLine) = (number, nil, line)
        if let package = GoTestLine.closing(trimmed) {
            if trimmed.hasSuffix("[build failed]") || trimmed.hasSuffix("[setup failed]") {
                warnings.append(PlainText.singleLine("\(package): go test could not build it, so none of its benchmarks ran"))
            }
            close(package.isEmpty ? nil : String(package), final: !package.isEmpty)
        } else if let header = Self.headers.first(where: { trimmed.startsWith($0) }) {
            open()
            if header == "pkg:" { try setPackage(String(trimmed.dropFirst(4).trimmingSpaces), number, context) }
        } else if trimmed.startsWith("=== ") {
            open()
        } else if let verdict = GoTestLine.verdict(trimmed) {
            open()
            record(verdict.kind, verdict.name)
        } else if let result = GoTestLine.result(line), let name = result.name ?? pending?.name {
            open()
            series.add(package: block?.package, name: name, values: result.values)
            block?.hasResults = true
            pending = nil
            lastLog = nil
        } else if let first = line.utf8.first, TextBytes.isBlank(first) {
            if let index = awaitingReason {
                verdicts[index].reason = trimmed
                awaitingReason = nil
            }
            lastLog = trimmed
            if pending != nil, pending?.firstOutput == nil { pending?.firstOutput = trimmed }
        } else if let named = GoTestLine.nameLine(line) {
            open()
            lastLog = nil
            awaitingReason = nil
            let rest = named.rest.trimmingSpaces
            if let verdict = GoTestLine.verdict(rest) {
                record(verdict.kind, verdict.name)
            } else {
                pending = Pending(name: named.name, firstOutput: rest.isEmpty ? nil : rest)
            }
        } else if let name = GoTestLine.nameWord(line), name == line {
            // `-v` prints a benchmark's bare name as it starts; one that panics prints nothing after it.
            open()
            lastLog = nil
            awaitingReason = nil
            pending = Pending(name: name, firstOutput: nil)
        } else if pending != nil, pending?.firstOutput == nil {
            pending?.firstOutput = trimmed
        }
    }

    /// Reads the lines of `text` in turn, numbered by `number` (given each line's place, from 0, and
    /// its bytes; `nil` stops before it).
    ///
    /// - Parameter byteLines: `false` reads every line as a `Substring`, the rule that
    ///   ``readResult(_:_:number:in:)`` must match (`TextFastPathTests`).
    mutating func read(lines text: String, byteLines: Bool, _ context: FormatContext,
                       number: (_ index: Int, _ line: Range<Int>) -> Int?) throws(FormatError) {
        try text.withLineBytes { bytes -> Result<Void, FormatError> in
            for (index, line) in ByteLines(bytes).enumerated() {
                guard let number = number(index, line) else { break }
                if byteLines, readResult(bytes, line, number: number, in: text) { continue }
                do throws(FormatError) {
                    try read(text.utf8Slice(line), number: number, context)
                } catch {
                    return .failure(error)
                }
            }
            return .success(())
        }
        // The next text (go-test-json's next package) has other bytes: the last line is cut out of this one now.
        if let line = lastByteLine { (lastByteLine, lastTextLine) = (nil, text.utf8Slice(line)) }
    }

    /// Reads a result line of the usual shape from its bytes, as ``read(_:number:_:)`` reads it,
    /// and returns `true`; returns `false`, having changed nothing, for any other line.
    ///
    /// The usual shape is what `testing` prints when the benchmark printed nothing on the line:
    /// `BenchmarkName<spaces>\t<spaces>iterations\t<spaces>value unit` and more `\t`-separated
    /// pairs, every value a plain number. Such a line opens with `B`, so it is none of the
    /// other kinds ``read(_:number:_:)`` looks for first, and ``GoTestLine/result(_:)`` finds the
    /// same pairs, iterations and name in it. Anything else (a `\r`, output glued in front, a name
    /// `testing` would not give, `NaN`) goes the `Substring` way.
    private mutating func readResult(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, number: Int, in text: String) -> Bool {
        guard let last = line.last, bytes[last] != TextBytes.carriageReturn, TextBytes.starts(bytes, line, with: "Benchmark") else { return false }
        // The name: non-blank bytes, then spaces to the first tab.
        var position = TextBytes.firstBlank(bytes, from: line.lowerBound, to: line.upperBound)
        let name = line.lowerBound..<position
        position = TextBytes.skipSpaces(bytes, from: position, to: line.upperBound)
        guard position < line.upperBound, bytes[position] == TextBytes.tab else { return false }
        // `Benchmark` then nothing, or a character that is not lower case: ASCII, to tell by its byte.
        if name.count > 9 {
            let next = bytes[name.lowerBound + 9]
            guard next < 0x80, !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains(next) else { return false }
        }
        // The iterations: spaces, then digits, then the tab before the first pair.
        position = TextBytes.skipSpaces(bytes, from: position + 1, to: line.upperBound)
        let digits = position
        while position < line.upperBound, TextBytes.isDigit(bytes[position]) { position += 1 }
        guard position > digits, position < line.upperBound, bytes[position] == TextBytes.tab else { return false }
        // Each pair: spaces, a plain number, one space, a unit without spaces, up to the next tab or the end.
        // The kept array is taken out of `self` and put back, not copied: a copy (to hand to
        // `series`, another part of `self`) cost a retain and a release on every line. Its pairs
        // are written over in place, and only a line of fewer pairs than the last shortens it:
        // emptying it for each line went through the generic `replaceSubrange`.
        var pairs: [(value: Double, unit: Range<Int>)] = []
        swap(&pairs, &self.pairs)
        defer { swap(&pairs, &self.pairs) }
        var count = 0
        while position < line.upperBound {
            position = TextBytes.skipSpaces(bytes, from: position + 1, to: line.upperBound)
            // A plain number ending at the space is read as its end is found; a space is no number's
            // byte, so the run of number bytes ends there too, and the full rule gives the same value.
            let value: Double
            if let plain = TextNumber.plainNumber(bytes, from: position, to: line.upperBound),
               plain.end < line.upperBound, bytes[plain.end] == TextBytes.space {
                value = plain.value
                position = plain.end
            } else {
                let numberStart = position
                while position < line.upperBound, GoTestLine.isNumberByte(bytes[position]) { position += 1 }
                guard position > numberStart, position < line.upperBound, bytes[position] == TextBytes.space,
                      let number = TextNumber.number(bytes.extracting(numberStart..<position)) else { return false }
                value = number
            }
            position += 1
            let unitStart = position
            while position < line.upperBound, bytes[position] != TextBytes.tab {
                guard bytes[position] != TextBytes.space else { return false }
                position += 1
            }
            guard position > unitStart else { return false }
            if count < pairs.count { pairs[count] = (value, unitStart..<position) } else { pairs.append((value, unitStart..<position)) }
            count += 1
        }
        if count < pairs.count { pairs.removeLast(pairs.count - count) }
        (lastNumber, lastByteLine) = (number, line)
        open()
        let packageID = blockPackageID ?? series.id(of: block?.package)
        blockPackageID = packageID
        if !series.appendRepeat(packageID: packageID, name: name, pairs, in: bytes) {
            series.add(package: block?.package, name: name, pairs, in: bytes, text: text)
        }
        block?.hasResults = true
        // Nearly always `nil` already: set only then, as destroying the old values costs a call on every line.
        if pending != nil { pending = nil }
        if lastLog != nil { lastLog = nil }
        return true
    }

    /// The results, failures and warnings, once every line is read.
    mutating func finish(_ context: FormatContext) throws(FormatError) -> ParsedOutput {
        if let block, !block.ended {
            let last = lastLine.map { "line \($0.number)" } ?? "-"
            let text = lastLine.map { PlainText.singleLine(String($0.text.prefix(200))) } ?? ""
            let package = block.package.map { " of \($0)" } ?? ""
            throw context.error(last, "the output\(package) ends before go test's closing PASS, FAIL or ok line: truncated? Last line read: '\(text)'")
        }
        if block != nil { close(nil, final: true) }
        var output = series.output(verdicts: verdicts, file: context.file)
        output.warnings = warnings + output.warnings
        return output
    }

    private mutating func open() {
        if block?.ended == true { close(nil, final: true) }
        if block == nil {
            block = Block(package: defaultPackage)
            blockPackageID = nil
        }
    }

    private mutating func setPackage(_ package: String, _ number: Int, _ context: FormatContext) throws(FormatError) {
        if let current = block?.package, current != package, block?.hasResults == true || pending != nil {
            throw context.error("line \(number)", "package \(package) starts before \(current)'s closing PASS, FAIL or ok line; is the output cut short or two runs interleaved?")
        }
        block?.package = package
        blockPackageID = nil
    }

    private mutating func record(_ kind: Substring, _ name: Substring) {
        switch kind {
        case "FAIL" where name.hasPrefix("Benchmark"):
            verdicts.append(Verdict(package: block?.package, name: name, failed: true, reason: lastLog))
            awaitingReason = lastLog == nil ? verdicts.count - 1 : nil
        case "SKIP" where name.hasPrefix("Benchmark"):
            verdicts.append(Verdict(package: block?.package, name: name, failed: false, reason: lastLog))
            awaitingReason = lastLog == nil ? verdicts.count - 1 : nil
        case "FAIL":
            block?.failedTests.append(name)
            awaitingReason = nil
        default:
            awaitingReason = nil
        }
        pending = nil
        lastLog = nil
    }

    /// A `PASS`/`FAIL` line ends the package's output; `ok`/`FAIL <package>` (`final`) ends the block.
    private mutating func close(_ package: String?, final: Bool) {
        guard var current = block else { return }
        blockPackageID = nil
        if let pending {
            let reason = pending.firstOutput.map { "stopped before printing a result: \($0)" } ?? "printed no result"
            verdicts.append(Verdict(package: current.package, name: pending.name, failed: true, reason: Substring(reason)))
            self.pending = nil
        }
        awaitingReason = nil
        lastLog = nil
        current.ended = true
        if !final {
            block = current
            return
        }
        if !current.failedTests.isEmpty, !current.hasResults {
            let name = current.package ?? package ?? "a package"
            let tests = current.failedTests.prefix(3).joined(separator: ", ") + (current.failedTests.count > 3 ? " and \(current.failedTests.count - 3) more" : "")
            warnings.append(PlainText.singleLine("\(name): \(tests) failed, and go test runs no benchmarks after a failed test"))
        }
        block = nil
    }
}
