public import Foundation

/// What one tool's output holds once read: results, and what the tool itself reported as failed.
public struct ParsedOutput: Sendable, Hashable {
    /// One result per benchmark and parameter set, with every sample.
    public var results: [BenchmarkResult]
    /// Benchmarks the tool marked as failed (Google Benchmark's `error_occurred`, a Go `--- FAIL`).
    /// They are recorded as that benchmark's failure, so one bad benchmark does not refuse the file.
    public var failures: [BenchmarkFailure]
    /// One line for each guess the reader made, such as a custom unit's direction, for the user to check.
    public var warnings: [String]

    public init(results: [BenchmarkResult], failures: [BenchmarkFailure] = [], warnings: [String] = []) {
        self.results = results
        self.failures = failures
        self.warnings = warnings
    }

    /// Every warning led by the file it is about, as most readers write them: a warning printed
    /// among many files' must say which one it came from.
    func namingFile(_ file: String) -> ParsedOutput {
        var named = self
        named.warnings = warnings.map { $0.hasPrefix(file + ": ") ? $0 : "\(file): \($0)" }
        return named
    }
}

/// A benchmark that its tool reported as failed, and the tool's reason.
public struct BenchmarkFailure: Sendable, Hashable, Codable {
    /// The benchmark's name as the results would name it (``BenchmarkResult/displayName``).
    public var benchmark: String
    public var reason: String

    public init(benchmark: String, reason: String) {
        self.benchmark = benchmark
        self.reason = reason
    }
}

/// A file's content as `--format auto` shows it to each format: read and parsed once, not once per format.
public struct FormatProbe: Sendable {
    public let data: Data
    /// The parsed document, or `nil` when the content is not JSON.
    public let json: JSONValue?
    /// The content as text, for text formats, with Windows line endings made `\n`: recognizers
    /// look for markers at line starts, and a file saved on Windows is still the tool's output.
    public let text: String

    public init(_ data: Data) {
        self.data = data
        self.json = try? JSONValue.parse(data)
        self.text = String(decoding: Self.unixLineEndings(data), as: UTF8.self)
    }

    /// `data` with each `\r\n` made `\n`, by bytes: Foundation's search on a large text costs more than
    /// reading it.
    private static func unixLineEndings(_ data: Data) -> Data {
        guard data.contains(UInt8(ascii: "\r")) else { return data }
        let input = [UInt8](data)
        var bytes = [UInt8]()
        bytes.reserveCapacity(input.count)
        for (index, byte) in input.enumerated()
        where !(byte == UInt8(ascii: "\r") && index + 1 < input.count && input[index + 1] == UInt8(ascii: "\n")) {
            bytes.append(byte)
        }
        return Data(bytes)
    }
}
