import Foundation

/// The state of reading iai-callgrind's terminal output, one line at a time (see ``IaiCallgrindFormat``).
struct IaiCallgrindReader {
    /// One benchmark's header and what was read of its metrics.
    struct Block {
        var modulePath: String
        var rest: String
        let line: Int
        /// The tool whose section the next metric lines belong to.
        var tool = "callgrind"
        /// `(tool, label)` of every metric line read, to tell a block cut short from the one before it.
        var labels: [String] = []
        /// Whether the header may still go on over more lines (a multi-line description).
        var headerOpen = true
        /// Inside a `Comparison with` block, or a process's part before its `## Total`: not this benchmark's results.
        var skipping = false
        /// Where its results start in the reader's: they are stored there as read, not moved there
        /// when it closes, and a `## Total` replaces the parts' values.
        let firstResult: Int
        /// ``name`` once the header is complete: every metric line of the block needs it.
        var finalName: IaiCallgrindName?

        var name: IaiCallgrindName {
            if let finalName { return finalName }
            // ` id`, ` id:args`, ` :args` (no id): the first colon splits them. In ASCII each byte is
            // a Character, so the colon is found by bytes; elsewhere a mark after it makes another Character.
            let colon = rest.utf8.allSatisfy { $0 < 0x80 } ? rest.utf8.firstIndex(of: UInt8(ascii: ":")) : rest.firstIndex(of: ":")
            guard let colon else {
                return IaiCallgrindName(modulePath: modulePath, id: rest.trimmingWhitespace, details: nil)
            }
            return IaiCallgrindName(modulePath: modulePath, id: rest[..<colon].trimmingWhitespace,
                                    details: String(rest[rest.index(after: colon)...]))
        }
        var display: String { BenchmarkResult(benchmark: name.benchmark, parameters: name.parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName }
    }

    let context: FormatContext
    /// The results of the blocks read, then those of the block being read (``Block/firstResult``).
    var results: [BenchmarkResult] = []
    var failures: [BenchmarkFailure] = []
    var warnings: [String] = []
    var seen = SeriesNames()
    var block: Block?
    /// The labels of the block before, in the same bench binary.
    var previousLabels: [String] = []
    /// Whether some bench binary's output ended with iai-callgrind's closing line, and the line
    /// of the first block read since the last one.
    var closes = false
    var unclosed: Int?
    var inRegressions = false
    /// The benchmark the `Regressions:` lines being read are about.
    var regressed = ""
    /// The last line that was not blank: its place in ``text`` when the byte lane read it there
    /// (else it is ``lastText``), its number, and whether it was a metric's. The lane sets it on
    /// every line it reads: a place is stored without retaining, or releasing, anything.
    var last = (bytes: Range<Int>?.none, number: 0, isMetric: false)
    /// The last line that was not blank, when it was read as text.
    var lastText: Substring = ""
    /// The whole output, whose lines the byte lane reads as places in its bytes.
    let text: String
    /// Each metric label met, normalized (``IaiCallgrindMetric/normalized(_:)``): a file prints a handful, many times over.
    private var labels: [Substring: String] = [:]
    /// Each metric label met, as its series' metric.
    private var metrics: [Substring: IaiCallgrindMetric] = [:]
    /// Whether the lines most of an output is made of are read by ``readFast(_:number:)``
    /// (off only to check that lane against this reader).
    let fastLane: Bool
    /// The known labels met, by their bytes, for ``readFast(_:number:)``.
    var labelsMet: [KnownLabel] = []
    /// Where in ``labelsMet`` the next metric line's label is looked for first: after the last one found.
    var nextLabel = 0

    init(context: FormatContext, text: String = "", fastLane: Bool = true) {
        self.context = context
        self.text = text
        self.fastLane = fastLane
    }

    /// Reads any line; the byte lane, when on, was offered it first.
    mutating func read(line: Substring, number: Int) throws(FormatError) {
        let slice = line.trimmedWhitespace
        guard !slice.isEmpty else { return }
        defer { lastText = line; last.bytes = nil; last.number = number }
        last.isMetric = false
        if let header = IaiCallgrindFormat.header(line) { return try open(modulePath: header.modulePath, rest: header.rest, number: number) }
        let indented = Self.startsWithWhitespace(line)
        if IaiCallgrindFormat.isClosing(slice) {
            try close()
            closes = true
            unclosed = nil
            inRegressions = false
            previousLabels = []
            return
        }
        if slice == "Regressions:" { try close(); inRegressions = true; return }
        if inRegressions {
            // `  module::path id:` then, indented deeper, each metric that exceeded its limit.
            if slice.hasSuffix(":") { regressed = String(slice.dropLast()) } else if indented {
                warnings.append("iai-callgrind reports a regression of \(PlainText.singleLine(regressed)): \(PlainText.singleLine(String(slice)))")
            }
            return
        }
        if slice.startsWith("Performance has regressed") {
            warnings.append("iai-callgrind reports a regression\(block.map { " of \($0.display)" } ?? ""): \(PlainText.singleLine(String(slice)))")
            return
        }
        if indented, CargoTarget(line: slice) != nil {
            try close()
            previousLabels = []
            return
        }
        guard var current = block else { return try stray(slice, indented: indented, number: number) }
        // While this line is read, `current` is the block's only copy: appending to its arrays does not copy them.
        block = nil
        var keep = true
        defer { if keep { block = current } }
        let hasResults = results.count > current.firstResult
        if slice.byteRange(of: "panicked at") != nil || (!hasResults && current.labels.isEmpty && isError(slice)) {
            if !hasResults {
                failures.append(BenchmarkFailure(benchmark: current.display, reason: PlainText.singleLine(String(slice))))
                keep = false
            }
            return
        }
        if !indented {
            // A description over several lines goes on until the first metric or tool line.
            if current.headerOpen { current.rest += "\n" + slice }
            return
        }
        if current.headerOpen {
            current.headerOpen = false
            current.finalName = current.name
        }
        if slice.startsWith("=======") {
            let tool = slice.split(separator: " ").dropFirst().first.map { $0.lowercased() } ?? "callgrind"
            current.tool = tool
            current.skipping = false
        } else if slice.startsWith("Comparison with ") {
            current.skipping = true
        } else if slice.startsWith("## ") {
            // A process's part (`## pid: …`) is summed up by the `## Total` that follows it.
            current.skipping = !slice.startsWith("## Total")
            if !current.skipping { results.removeSubrange(current.firstResult...) }
        } else if case let (label, value)? = metric(slice) {
            last.isMetric = true
            if IaiCallgrindMetric.isKnown(normalized: normalized(label)) { learn(label: label, normalized: normalized(label), metric: metric(named: label)) }
            if current.skipping { return }
            current.labels.append("\(current.tool) \(normalized(label))")
            // The new value of `new|old`; a value that starts with `|` is split as `split(separator:)` splits it.
            let new = value.utf8.first == UInt8(ascii: "|") ? value.split(separator: "|", maxSplits: 1).first ?? ""
                : value.utf8.firstIndex(of: UInt8(ascii: "|")).map { value[..<$0] } ?? value
            if new != "N/A" {
                guard let count = DecimalLiteral.number(new, ignoring: UInt8(ascii: ",")), count.isFinite else {
                    throw context.error("line \(number)", "'\(new)' is not a value of \(label): \(String(line).quotedLine)")
                }
                let result = current.name.result(metric(named: label), tool: current.tool, value: count)
                // One block's results share its parameters: their names tell them apart.
                if results[current.firstResult...].contains(where: { $0.benchmark == result.benchmark }) {
                    throw context.error("line \(number)", "'\(result.displayName)' appears twice in the block of line \(current.line): \(String(line).quotedLine)")
                }
                results.append(result)
            }
        }
    }

    /// Whether a line starts with a whitespace Character (`line.first?.isWhitespace`), told by its
    /// first byte when that is ASCII.
    private static func startsWithWhitespace(_ line: Substring) -> Bool {
        guard let first = line.utf8.first else { return false }
        guard first < 0x80 else { return line.first?.isWhitespace == true }
        return first == TextBytes.space || (0x09...0x0D).contains(first)
    }

    /// ``IaiCallgrindMetric/normalized(_:)`` of a label, worked out once per label.
    /// ``IaiCallgrindMetric/named(_:)``, once per label: a file prints a handful, many times over.
    private mutating func metric(named label: Substring) -> IaiCallgrindMetric {
        if let known = metrics[label] { return known }
        let metric = IaiCallgrindMetric.named(label)
        metrics[label] = metric
        return metric
    }

    private mutating func normalized(_ label: Substring) -> String {
        if let known = labels[label] { return known }
        let key = IaiCallgrindMetric.normalized(label)
        labels[label] = key
        return key
    }

    /// A `label: value` line whose label iai-callgrind prints, or whose value has its `new|old` shape.
    mutating func metric(_ trimmed: Substring) -> (label: Substring, value: Substring)? {
        guard let colon = trimmed.byteRange(of: ": ") else { return nil }
        let label = trimmed[..<colon.lowerBound]
        var words = trimmed[colon.upperBound...].spaceSeparatedWords
        let value = words.next() ?? ""
        guard !label.isEmpty, !label.utf8.contains(UInt8(ascii: ":")), !value.isEmpty else { return nil }
        if IaiCallgrindMetric.isKnown(normalized: normalized(label)) { return (label, value) }
        // A label a later version added: kept when its value has the `new|old` shape.
        guard let bar = value.firstIndex(of: "|"), value[..<bar] == "N/A" || Double(value[..<bar]) != nil else { return nil }
        return (label, value)
    }

    func isError(_ trimmed: Substring) -> Bool {
        trimmed.hasPrefix("Error") || trimmed.hasPrefix("error:") || trimmed.contains("Error launching benchmark")
    }

    /// A line outside any block: a metric there is out of place; anything else is not iai-callgrind's.
    mutating func stray(_ trimmed: Substring, indented: Bool, number: Int) throws(FormatError) {
        guard indented, let label = metric(trimmed)?.label, IaiCallgrindMetric.isKnown(label) else { return }
        throw context.error("line \(number)", "'\(label)' comes before any benchmark's header line ('module::group::bench id:args')")
    }

    /// Starts the block of a header line, ending the one before it.
    mutating func open(modulePath: String, rest: String, number: Int) throws(FormatError) {
        try close()
        inRegressions = false
        var opened = Block(modulePath: modulePath, rest: rest, line: number, firstResult: results.count)
        // The blocks of a bench binary print the same metrics: room for them at once, rather than grown into.
        opened.labels.reserveCapacity(previousLabels.count)
        block = opened
        if unclosed == nil { unclosed = number }
    }

    /// Ends the block being read: a block with no metric line is refused as truncated.
    mutating func close() throws(FormatError) {
        guard let current = block else { return }
        guard !current.labels.isEmpty else { throw truncated("'\(current.display)' (line \(current.line)) has no metric lines") }
        for index in current.firstResult..<results.count {
            if let earlier = seen.insert(results[index], tag: current.line, inserted: results[..<index]) {
                throw context.error("line \(current.line)", "'\(results[index].displayName)' was already reported by the block on line \(earlier)")
            }
        }
        previousLabels = current.labels
        block = nil
    }

    func truncated(_ why: String) -> FormatError {
        let line = last.bytes.map { text.utf8Slice($0) } ?? lastText
        return context.error("line \(last.number)", "is truncated: \(why); the last line read is \(String(line).quotedLine)")
    }

    mutating func finish(endsWithLineEnd: Bool) throws(FormatError) -> ParsedOutput {
        if let current = block, !current.labels.isEmpty {
            if !endsWithLineEnd, last.isMetric { throw truncated("'\(current.display)' (line \(current.line)) ends inside a metric line") }
            // Cut between two metric lines: shorter than the block before, with the same metrics first.
            if previousLabels.count > current.labels.count, Array(previousLabels.prefix(current.labels.count)) == current.labels {
                throw truncated("'\(current.display)' (line \(current.line)) has \(current.labels.count) of the \(previousLabels.count) metrics the benchmark before it has")
            }
        }
        try close()
        if closes, let unclosed {
            throw truncated("the benchmarks from line \(unclosed) on have no closing 'Iai-Callgrind result:' line, which this output prints")
        }
        guard !results.isEmpty || !failures.isEmpty else {
            throw context.error("-", "holds no iai-callgrind blocks ('module::group::bench id:args' then '  Instructions: N|old'); "
                                + "is this iai-callgrind's `cargo bench` output?")
        }
        return ParsedOutput(results: results, failures: failures, warnings: warnings)
    }
}
