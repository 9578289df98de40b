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
            let results = try CriterionFormat.parse(folder: path, context)
            try ResultValidation.validate(results, context)
            return ParsedOutput(results: results)
        }
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
        let results: [BenchmarkResult] = switch self {
        case .benchbotJSON: try BenchBotJSONFormat.parse(try context.json(data), context)
        case .googleBenchmark: try GoogleBenchmarkFormat.parse(try context.json(data), context)
        case .hyperfine: try HyperfineFormat.parse(try context.json(data), context)
        case .pytestBenchmark: try PytestBenchmarkFormat.parse(try context.json(data), context)
        case .goTest: try GoTestFormat.parse(String(decoding: data, as: UTF8.self), context)
        case .packageBenchmark: try PackageBenchmarkFormat.parse(try context.json(data), context)
        case .jmh: try JMHFormat.parse(try context.json(data), context)
        case .benchmarkDotNet: try BenchmarkDotNetFormat.parse(try context.json(data), context)
        case .criterion: throw context.error("-", "criterion output is a folder; read it with parse(contentsOf:) on target/criterion")
        case .relayData: DataFlattening.results(experiment: nil, data: try context.json(data))
        }
        try ResultValidation.validate(results, context)
        return ParsedOutput(results: results)
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

    func object(_ value: JSONValue?, _ path: String) throws(FormatError) -> [String: JSONValue] {
        guard case .object(let fields)? = value else {
            throw error(path, value == nil ? "missing; is this really \(format.rawValue) output?" : "is \(value!.typeName), expected an object")
        }
        return fields
    }

    func array(_ value: JSONValue?, _ path: String) throws(FormatError) -> [JSONValue] {
        guard case .array(let items)? = value else {
            throw error(path, value == nil ? "missing; is this really \(format.rawValue) output?" : "is \(value!.typeName), expected an array")
        }
        return items
    }

    func string(_ value: JSONValue?, _ path: String) throws(FormatError) -> String {
        guard case .string(let text)? = value else { throw error(path, value == nil ? "missing" : "is \(value!.typeName), expected a string") }
        return text
    }

    func number(_ value: JSONValue?, _ path: String) throws(FormatError) -> Double {
        guard case .number(let number)? = value else { throw error(path, value == nil ? "missing" : "is \(value!.typeName), expected a number") }
        return number
    }

    func numbers(_ value: JSONValue?, _ path: String) throws(FormatError) -> [Double] {
        try array(value, path).enumerated().map { index, item throws(FormatError) in try number(item, "\(path)[\(index)]") }
    }
}
