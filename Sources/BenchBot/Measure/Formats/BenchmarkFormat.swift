public import Foundation

/// The output formats of benchmark tools that BenchBot reads as they are.
public enum BenchmarkFormat: String, Sendable, Hashable, CaseIterable {
    /// BenchBot's own, documented in the README, with `Schemas/benchbot-results.schema.json`.
    case benchbotJSON = "benchbot-json"
    /// Google Benchmark's `--benchmark_format=json`; aggregates are not samples.
    case googleBenchmark = "google-benchmark"
    /// hyperfine's `--export-json`.
    case hyperfine
    /// pytest-benchmark's `--benchmark-json`.
    case pytestBenchmark = "pytest-benchmark"
    /// `go test -bench` text, with `-benchmem` and `-count`.
    case goTest = "go-test"
    /// `go test -json -bench` events (test2json), each package's output read as `go-test` reads text.
    case goTestJSON = "go-test-json"
    /// airspeed velocity: a results file (`results/<machine>/<commit>-<env>.json`) or `asv run`'s console output.
    case asv
    /// Rust criterion's `target/criterion` folder (`sample.json`, `estimates.json`).
    case criterion
    /// ordo-one/package-benchmark's saved `results.json`.
    case packageBenchmark = "package-benchmark"
    /// JMH's `-rf json`.
    case jmh
    /// BenchmarkDotNet's JSON exporters.
    case benchmarkDotNet = "benchmarkdotnet"
    /// A Relay `data.json`: every numeric field path is a series.
    case relayData = "relay-data"
    /// github-action-benchmark's `customSmallerIsBetter` JSON; `gab-custom-bigger` reads `customBiggerIsBetter`.
    case gabCustom = "gab-custom"
    /// github-action-benchmark's `customBiggerIsBetter` JSON: the same file, where a bigger value is better.
    case gabCustomBigger = "gab-custom-bigger"
    /// The Bencher Metric Format (BMF) JSON of `bencher run --adapter json`.
    case bencherJSON = "bencher-json"
    /// Catch2's console or XML reporter output of `BENCHMARK`s, v2 and v3.
    case catch2
    /// benchmark.js's `String(bench)` lines: `name x 1,234 ops/sec ±0.50% (92 runs sampled)`.
    case benchmarkJS = "benchmark-js"
    /// Julia BenchmarkTools' `BenchmarkTools.save("results.json", results)`.
    case juliaBenchmarkTools = "julia-benchmarktools"

    /// libtest's `cargo bench` text (`test x ... bench: 1,234 ns/iter (+/- 56)`).
    case cargoBench = "cargo-bench"
    /// Rust criterion's terminal output of `cargo bench` (`name  time:   [1.2 µs 1.3 µs 1.4 µs]`).
    case criterionText = "criterion-text"
    /// cargo-criterion's `--message-format=json` messages.
    case criterionJSON = "criterion-json"
    /// bheisler/iai's `cargo bench` text (cachegrind counts).
    case iai
    /// iai-callgrind's `cargo bench` text (callgrind, cachegrind, DHAT and error tools' metrics).
    case iaiCallgrind = "iai-callgrind"
    /// iai-callgrind's `summary.json` (`--save-summary=json`), one benchmark per file.
    case iaiCallgrindJSON = "iai-callgrind-json"

    /// Whether the format's reader refuses a name met twice itself, naming both lines, so that
    /// validation need not look again (the check was a third of reading a large file).
    var readerChecksNames: Bool {
        switch self {
        case .cargoBench, .iai, .criterionText, .iaiCallgrind: true
        default: false
        }
    }

    /// Whether the tool's output is a folder rather than a file.
    public var readsFolder: Bool { self == .criterion }

    /// Reads a tool's output file, or folder for ``readsFolder`` formats, and parses it.
    ///
    /// - Parameter path: The file or folder.
    /// - Returns: One result per benchmark and parameter set, with every sample, and the benchmarks the tool marked failed.
    /// - Throws: ``FormatError`` naming the file, the format and the line or field.
    public func parse(contentsOf path: String) throws(FormatError) -> ParsedOutput {
        let context = FormatContext(file: path, format: self)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw context.error("-", "does not exist; did the benchmark write its output somewhere else?")
        }
        if readsFolder {
            guard isFolder.boolValue else { throw context.error("-", "is a file; \(rawValue) output is a folder (target/criterion)") }
            let parsed = try CriterionFormat.parse(folder: path, context)
            try ResultValidation.validate(parsed, context)
            return parsed.namingFile(path)
        }
        if readsText, !isFolder.boolValue, let text = Self.readText(atPath: path) { return try parse(text: text, file: path) }
        guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw context.error("-", isFolder.boolValue ? "is a folder; \(rawValue) output is one file" : "cannot be read")
        }
        return try parse(data, file: path)
    }

    /// Parses a tool's output into results, and checks them.
    ///
    /// - Parameters:
    ///   - data: The output.
    ///   - file: Where it came from, for messages.
    /// - Returns: One result per benchmark and parameter set, with every sample, and the benchmarks the tool marked failed.
    /// - Throws: ``FormatError`` naming the file, the format and the line or field.
    public func parse(_ data: Data, file: String) throws(FormatError) -> ParsedOutput {
        let context = FormatContext(file: file, format: self)
        guard !data.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) else {
            throw context.error("-", "is empty; the benchmark wrote nothing there")
        }
        let parsed: ParsedOutput = switch self {
        case .benchbotJSON: try BenchBotJSONFormat.parse(try context.json(data), context)
        case .googleBenchmark: try GoogleBenchmarkFormat.parse(try context.json(data), context)
        case .hyperfine: try HyperfineFormat.parse(try context.json(data), context)
        case .pytestBenchmark: try PytestBenchmarkFormat.parse(try context.json(data), context)
        case .goTestJSON: try GoTestJSONFormat.parse(data, context)
        case .asv: try AsvFormat.parse(data, context)
        case .packageBenchmark: try PackageBenchmarkFormat.parse(try context.json(data), context)
        case .jmh: try JMHFormat.parse(try context.json(data), context)
        case .benchmarkDotNet: try BenchmarkDotNetFormat.parse(try context.json(data), context)
        case .criterion: throw context.error("-", "criterion output is a folder; read it with parse(contentsOf:) on target/criterion")
        case .relayData: ParsedOutput(results: DataFlattening.results(experiment: nil, data: try context.json(data)))
        case .gabCustom: try GabCustomFormat.parse(try context.json(data), direction: .lowerIsBetter, context)
        case .gabCustomBigger: try GabCustomFormat.parse(try context.json(data), direction: .higherIsBetter, context)
        case .bencherJSON: try BencherJSONFormat.parse(try context.json(data), context)
        case .catch2: try Catch2Format.parse(data, context)
        case .juliaBenchmarkTools: try JuliaBenchmarkToolsFormat.parse(try context.json(data), context)
        case .iaiCallgrindJSON: try IaiCallgrindJSONFormat.parse(try context.json(data), context)
        case .goTest, .benchmarkJS, .cargoBench, .criterionText, .criterionJSON, .iai, .iaiCallgrind:
            try textOutput(String(decoding: data, as: UTF8.self), context)
        }
        try ResultValidation.validate(parsed, context, namesChecked: readerChecksNames)
        return parsed.namingFile(file)
    }
}

/// Output a parser cannot accept, with where and why.
public struct FormatError: Error, Sendable, CustomStringConvertible {
    public let file: String
    /// The format it was read as; `nil` when `--format auto` could not tell which.
    public let format: BenchmarkFormat?
    /// `line N`, a JSON field path such as `benchmarks[3].real_time`, or `-` for the whole file.
    public let location: String
    public let problem: String

    public var description: String { format.map { "\(file): \($0.rawValue): \(location): \(problem)" } ?? "\(file): \(problem)" }
}

/// Where a parser is, for its messages.
struct FormatContext {
    let file: String
    let format: BenchmarkFormat

    func error(_ location: String, _ problem: String) -> FormatError {
        FormatError(file: file, format: format, location: location, problem: problem)
    }

    func json(_ data: Data) throws(FormatError) -> JSONValue {
        do {
            return try JSONValue.parse(data)
        } catch {
            throw self.error("line \(error.line)", "column \(error.column): \(error.reason) (truncated or not JSON?)")
        }
    }

    // Paths are autoclosures: a large file reads a million fields, and formatting each one's path
    // (`results[123].times`) for an error that never comes cost more than reading it.
    func object(_ value: JSONValue?, _ path: @autoclosure () -> String) throws(FormatError) -> [String: JSONValue] {
        guard case .object(let fields)? = value else {
            throw error(path(), value == nil ? "missing; is this really \(format.rawValue) output?" : "is \(value!.typeName), expected an object")
        }
        return fields
    }

    func array(_ value: JSONValue?, _ path: @autoclosure () -> String) throws(FormatError) -> [JSONValue] {
        guard case .array(let items)? = value else {
            throw error(path(), value == nil ? "missing; is this really \(format.rawValue) output?" : "is \(value!.typeName), expected an array")
        }
        return items
    }

    func string(_ value: JSONValue?, _ path: @autoclosure () -> String) throws(FormatError) -> String {
        guard case .string(let text)? = value else { throw error(path(), value == nil ? "missing" : "is \(value!.typeName), expected a string") }
        return text
    }

    func number(_ value: JSONValue?, _ path: @autoclosure () -> String) throws(FormatError) -> Double {
        guard case .number(let number)? = value else { throw error(path(), value == nil ? "missing" : "is \(value!.typeName), expected a number") }
        return number
    }

    func numbers(_ value: JSONValue?, _ path: @autoclosure () -> String) throws(FormatError) -> [Double] {
        let items = try array(value, path())
        var numbers: [Double] = []
        numbers.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .number(let number) = item else { throw error("\(path())[\(index)]", "is \(item.typeName), expected a number") }
            numbers.append(number)
        }
        return numbers
    }
}
