import Foundation

/// The formats read as text: their file is read straight into the string they are parsed from.
extension BenchmarkFormat {
    /// Whether the format's output is parsed as one `String`.
    var readsText: Bool {
        switch self {
        case .goTest, .benchmarkJS, .cargoBench, .criterionText, .criterionJSON, .iai, .iaiCallgrind: true
        default: false
        }
    }

    /// ``parse(_:file:)`` of text already read: the same checks, results and messages.
    func parse(text: String, file: String) throws(FormatError) -> ParsedOutput {
        let context = FormatContext(file: file, format: self)
        guard !text.utf8.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) else {
            throw context.error("-", "is empty; the benchmark wrote nothing there")
        }
        let parsed = try textOutput(text, context)
        try ResultValidation.validate(parsed, context, namesChecked: readerChecksNames)
        return parsed.namingFile(file)
    }

    /// A text format's reading of `text`, before validation.
    func textOutput(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        switch self {
        case .goTest: try GoTestFormat.parse(text, context)
        case .benchmarkJS: try BenchmarkJSFormat.parse(text, context)
        case .cargoBench: try CargoBenchFormat.parse(text, context)
        case .criterionText: try CriterionTextFormat.parse(text, context)
        case .criterionJSON: try CriterionJSONFormat.parse(text, context)
        case .iai: try IaiFormat.parse(text, context)
        case .iaiCallgrind: try IaiCallgrindFormat.parse(text, context)
        default: throw context.error("-", "is not read as text; \(rawValue) output is parsed from its bytes")
        }
    }

    /// The file's bytes as text, invalid UTF-8 repaired as `String(decoding:as:)` repairs it, or
    /// `nil` when it cannot be read. A regular file is read into the string's own storage: reading a large output
    /// into `Data` and decoding that copied it, and touched twice the fresh memory.
    static func readText(atPath path: String) -> String? {
        // Anything but a regular file (a pipe, a device) is read by Foundation, as it always was.
        let decoded = { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return decoded() }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return decoded() }
        // One byte more than the size: a file that grew since is read by the slower way, whole.
        let size = Int(status.st_size)
        var complete = true
        let text = String(unsafeUninitializedCapacity: size + 1) { buffer in
            var filled = 0
            while filled < buffer.count {
                let read = Foundation.read(file, buffer.baseAddress! + filled, buffer.count - filled)
                if read < 0, errno == EINTR { continue }
                guard read > 0 else {
                    complete = read == 0
                    break
                }
                filled += read
            }
            if filled == buffer.count { complete = false }
            return filled
        }
        return complete ? text : decoded()
    }
}
