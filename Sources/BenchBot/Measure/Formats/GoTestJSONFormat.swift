import Foundation

/// `go test -json -bench` output: one test2json event per line (`Action`, `Package`, `Test`,
/// `Output`). Results come as `output` events, a line sometimes split across two (`go test`
/// prints a benchmark's name before it runs and its result after), so each package's output is
/// put back together and read as ``GoTestFormat`` reads text: the same samples, units, names
/// (`pkg` from the event's `Package`), failures and warnings. A package without its final `pass`,
/// `fail` or `skip` event is refused as truncated. Lines that are not JSON (stderr captured with
/// `2>&1`, such as a build error) are skipped.
enum GoTestJSONFormat {
    /// One package's output so far, as lines with the number of the event line that ended each.
    private struct Package {
        var lines: [(text: Substring, number: Int)] = []
        var partial = ""
        var partialNumber = 0
        var ended = false
        var lastNumber = 0
    }

    static func parse(_ data: Data, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        // Each package's place in `packages`, in the order first seen: one lookup an event.
        var places: [String: Int] = [:]
        var packages: [Package] = []
        var order: [String] = []
        // Lines are found in one pass over the bytes: `Data.split` cost more than parsing them.
        let bytes = [UInt8](data)
        var start = 0
        var number = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { start = end + 1 }
            number += 1
            let raw = bytes[start..<end]
            guard let first = raw.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{") else { continue }
            let event: GoTestEvent
            if let flat = GoTestEvent.flat(raw), flat.action != nil, flat.action != "output" || flat.output != nil {
                event = flat
            } else {
                event = try fullEvent(raw, number: number, isLast: bytes[end...].allSatisfy { [0x20, 0x09, 0x0D, 0x0A].contains($0) }, context)
            }
            guard let action = event.action, let name = event.package else { continue }
            let place: Int
            if let known = places[name] {
                place = known
            } else {
                place = packages.count
                places[name] = place
                packages.append(Package())
                order.append(name)
            }
            packages[place].lastNumber = number
            switch action {
            case "output":
                if let text = event.output { append(text, number: number, to: &packages[place]) }
            case "pass", "fail", "skip":
                if !event.hasTest { packages[place].ended = true }
            default:
                break
            }
        }
        if let cutPlace = packages.firstIndex(where: { !$0.ended }) {
            let cut = order[cutPlace], package = packages[cutPlace]
            let last = package.lines.last.map { PlainText.singleLine(String($0.text.prefix(200))) } ?? ""
            throw context.error("line \(package.lastNumber)", "package \(cut) has no final pass or fail event: truncated? Last output read: '\(last)'")
        }
        var reader = GoTestReader()
        for (name, var package) in zip(order, packages) {
            if !package.partial.isEmpty { package.lines.append((Substring(package.partial), package.partialNumber)) }
            reader.defaultPackage = name
            for (text, number) in package.lines { try reader.read(text, number: number, context) }
        }
        return try GoTestFormat.finish(&reader, context, json: false)
    }

    /// An event read by the full JSON parser, with its checks: a line that starts an object but
    /// is not one is refused (`isLast`: nothing but blank lines follows it, so the file was cut there).
    private static func fullEvent(_ raw: ArraySlice<UInt8>, number: Int, isLast: Bool, _ context: FormatContext) throws(FormatError) -> GoTestEvent {
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

    /// Adds an `output` event's text: what ends a line completes it, and the rest waits for more.
    private static func append(_ text: String, number: Int, to package: inout Package) {
        var parts = Array((package.partial.isEmpty ? text : package.partial + text).outputLines)
        let rest = parts.removeLast()
        for part in parts { package.lines.append((part, number)) }
        if package.partial.isEmpty || !parts.isEmpty { package.partialNumber = number }
        package.partial = String(rest)
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
