import Foundation

/// `go test -json -bench` output: one test2json event per line (`Action`, `Package`, `Test`,
/// `Output`). Results come as `output` events, a line sometimes split across two (`go test`
/// prints a benchmark's name before it runs and its result after), so each package's output is
/// put back together and read as ``GoTestFormat`` reads text: the same samples, units, names
/// (`pkg` from the event's `Package`), failures and warnings. A package without its final `pass`,
/// `fail` or `skip` event is refused as truncated. Lines that are not JSON (stderr captured with
/// `2>&1`, such as a build error) are skipped.
enum GoTestJSONFormat {
    /// One package's output so far: the `output` events' text, one after another, and the number
    /// of the event line that ended each of its lines. Kept as bytes, to be read as one text
    /// (``GoTestReader/read(lines:byteLines:_:number:)`` reads result lines from its bytes), not as a
    /// `String` per line.
    private struct Package {
        var output: [UInt8] = []
        /// The event line of each `\n` in `output`, in order.
        var lineNumbers: [Int] = []
        /// The event line where the text after the last `\n` began.
        var partialNumber = 0
        var ended = false
        var lastNumber = 0

        /// The last whole line read, without its `\r\n` or `\n`, for a message.
        var lastLine: String {
            guard let end = output.lastIndex(of: TextBytes.newline) else { return "" }
            let start = output[..<end].lastIndex(of: TextBytes.newline).map { $0 + 1 } ?? 0
            let line = end > start && output[end - 1] == TextBytes.carriageReturn ? output[start..<(end - 1)] : output[start..<end]
            return String(decoding: line, as: UTF8.self)
        }

        /// Adds an `output` event's text, which `write` appends, returning how many `\n` it holds:
        /// each ends a line, numbered by this event, and the text after the last waits for more.
        mutating func append(number: Int, _ write: (inout [UInt8]) -> Int) {
            let startsLine = output.last.map { $0 == TextBytes.newline } ?? true
            let newlines = write(&output)
            for _ in 0..<newlines { lineNumbers.append(number) }
            if startsLine || newlines > 0 { partialNumber = number }
        }

        /// ``append(number:_:)`` of text the full parser decoded, or that needed repairs.
        mutating func append(_ text: String, number: Int) {
            append(number: number) { output in
                output.append(contentsOf: text.utf8)
                return text.utf8.count { $0 == TextBytes.newline }
            }
        }
    }

    /// The packages met, in the order first met, each with its output.
    private struct Packages {
        /// Each package's place in `list`: one lookup an event.
        var places: [String: Int] = [:]
        var list: [Package] = []
        var order: [String] = []
        var last: (name: String, place: Int)?

        /// The place of the package `name`, added if it is new.
        mutating func place(of name: String) -> Int {
            // Most events are of the package before: a comparison instead of a lookup.
            if let last, last.name == name { return last.place }
            let place = places[name] ?? list.count
            if place == list.count {
                places[name] = place
                list.append(Package())
                order.append(name)
            }
            last = (name, place)
            return place
        }

        /// ``place(of:)`` of a name of plain ASCII, compared as bytes with the one before; a
        /// `String` is made of it only when it is another.
        mutating func place(of name: FlatGoTestEvent.Value) -> Int {
            guard name.isASCII, !name.isEscaped else { return place(of: name.text) }
            if let last, last.name.utf8.withContiguousStorageIfAvailable({ TextBytes.equal(name.bytes, $0) }) == true { return last.place }
            return place(of: name.text)
        }

        /// Reads one event line: a flat one by its bytes, any other by the full parser.
        mutating func read(_ line: Slice<UnsafeBufferPointer<UInt8>>, number: Int, isLast: @autoclosure () -> Bool,
                           _ context: FormatContext) throws(FormatError) {
            if let flat = FlatGoTestEvent(line), let action = flat.action, case let isOutput = action.equals("output"), !isOutput || flat.output != nil {
                guard let package = flat.package else { return }
                let place = place(of: package)
                list[place].lastNumber = number
                if let output = flat.output, isOutput {
                    // Text of plain ASCII is copied as it lies; other text is decoded as the full parser decodes it, repaired alike.
                    if output.isASCII {
                        list[place].append(number: number) { output.unescape(into: &$0) }
                    } else {
                        list[place].append(output.text, number: number)
                    }
                } else if !flat.hasTest, action.equals("pass") || action.equals("fail") || action.equals("skip") {
                    list[place].ended = true
                }
                return
            }
            let event = try fullEvent(line, number: number, isLast: isLast(), context)
            guard let action = event.action, let name = event.package else { return }
            let place = place(of: name)
            list[place].lastNumber = number
            switch action {
            case "output":
                if let text = event.output { list[place].append(text, number: number) }
            case "pass", "fail", "skip":
                if !event.hasTest { list[place].ended = true }
            default:
                break
            }
        }
    }

    static func parse(_ data: Data, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(data, context, byteLines: true)
    }

    /// `byteLines`: result lines of the usual shape are read from their bytes; `false` reads every
    /// line as a `Substring`, the rule the byte path must match (`TextFastPathTests`).
    static func parse(_ data: Data, _ context: FormatContext, byteLines: Bool) throws(FormatError) -> ParsedOutput {
        let packages = try data.withUnsafeBytes { raw -> Result<Packages, FormatError> in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            var packages = Packages()
            var start = 0
            var number = 0
            // Lines are found by `memchr`, which reads many bytes at a time.
            while start <= bytes.count {
                let end = BenchmarkJSFormat.newline(in: bytes, from: start) ?? bytes.count
                defer { start = end + 1 }
                number += 1
                let line = bytes[start..<end]
                guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{") else { continue }
                do throws(FormatError) {
                    try packages.read(line, number: number, isLast: bytes[end...].allSatisfy { [0x20, 0x09, 0x0D, 0x0A].contains($0) }, context)
                } catch {
                    return .failure(error)
                }
            }
            return .success(packages)
        }.get()
        if let cutPlace = packages.list.firstIndex(where: { !$0.ended }) {
            let cut = packages.order[cutPlace], package = packages.list[cutPlace]
            let last = PlainText.singleLine(String(package.lastLine.prefix(200)))
            throw context.error("line \(package.lastNumber)", "package \(cut) has no final pass or fail event: truncated? Last output read: '\(last)'")
        }
        var reader = GoTestReader()
        for (name, package) in zip(packages.order, packages.list) {
            reader.defaultPackage = name
            try read(package, into: &reader, context, byteLines: byteLines)
        }
        return try GoTestFormat.finish(&reader, context, json: false)
    }

    /// Reads one package's output as ``GoTestFormat`` reads text, each line numbered by the event
    /// that ended it; the text after the last `\n` is a line of its own when there is any.
    private static func read(_ package: Package, into reader: inout GoTestReader, _ context: FormatContext, byteLines: Bool) throws(FormatError) {
        let text = String(decoding: package.output, as: UTF8.self)
        try reader.read(lines: text, byteLines: byteLines, context) { index, line in
            if index < package.lineNumbers.count { return package.lineNumbers[index] }
            return line.isEmpty ? nil : package.partialNumber
        }
    }

    /// An event read by the full JSON parser, with its checks: a line that starts an object but
    /// is not one is refused (`isLast`: nothing but blank lines follows it, so the file was cut there).
    private static func fullEvent(_ raw: Slice<UnsafeBufferPointer<UInt8>>, number: Int, isLast: Bool, _ context: FormatContext) throws(FormatError) -> GoTestEvent {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(Data(raw))
        } catch {
            let cut = isLast ? "; the file ends inside this event: truncated?" : "; is this really go test -json output?"
            throw context.error("line \(number)", "column \(error.column): \(error.reason)\(cut)")
        }
        let fields = try context.object(parsed, "line \(number)")
        var event = GoTestEvent(action: try context.string(fields["Action"], "line \(number).Action"))
        // Go 1.24's build events name an ImportPath, not a Package: no benchmark output.
        guard case .string(let name)? = fields["Package"] else { return event }
        event.package = name
        if event.action == "output" { event.output = try context.string(fields["Output"], "line \(number).Output") }
        event.hasTest = fields["Test"] != nil
        return event
    }

    /// A first line that is a test2json event: an object with a string `Action` and a `Package`, `Time` or `ImportPath`.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        let start = probe.data.firstIndex { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } ?? probe.data.endIndex
        let end = probe.data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? probe.data.endIndex
        guard start < end, probe.data[start] == UInt8(ascii: "{"), case .object(let fields)? = try? JSONValue.parse(Data(probe.data[start..<end])),
              case .string? = fields["Action"] else { return false }
        return fields["Package"] != nil || fields["Time"] != nil || fields["ImportPath"] != nil
    }
}
