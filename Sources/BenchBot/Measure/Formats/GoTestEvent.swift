/// The fields of one test2json event that `go-test-json` reads: `Action`, `Package`, `Output`
/// and whether it names a `Test`.
///
/// Nearly every event is a flat object of strings (`{"Time":"…","Action":"output","Package":"…",
/// "Output":"…"}`); building a whole ``JSONValue`` tree for each of 100,000 lines was most of
/// reading a large file. ``flat(_:)`` reads such a line by its bytes and takes only these
/// fields. It accepts only lines the full parser would read to the same values (a strict subset
/// of JSON: an object whose values are strings with the simple escapes); any other line, a bad
/// one included, is left to ``JSONValue/parse(_:)``, so every refusal keeps its message.
struct GoTestEvent {
    var action: String?
    var package: String?
    var output: String?
    var hasTest = false

    /// The event on `line`, when it is a flat object of string values; `nil` for any other line.
    static func flat(_ line: ArraySlice<UInt8>) -> GoTestEvent? {
        var reader = FlatObjectReader(bytes: line)
        var event = GoTestEvent()
        guard reader.open() else { return nil }
        repeat {
            guard let key = reader.string(), reader.colon() else { return nil }
            // A repeated field keeps its last value, as the full parser keeps it. Other fields' values
            // (`Time`, `Test`) are checked, not built: a string each per line cost more than the rest.
            switch key {
            case "Action":
                guard let value = reader.string() else { return nil }
                event.action = value
            case "Package":
                guard let value = reader.string() else { return nil }
                event.package = value
            case "Output":
                guard let value = reader.string() else { return nil }
                event.output = value
            default:
                guard reader.skipString() else { return nil }
                if key == "Test" { event.hasTest = true }
            }
        } while reader.comma()
        return reader.close() ? event : nil
    }
}

/// A reader of `{"key":"value",…}` on one line, refusing (with `nil`/`false`) anything else.
private struct FlatObjectReader {
    let bytes: ArraySlice<UInt8>
    var position: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// JSON's whitespace, as the full parser skips it.
    private mutating func skipWhitespace() {
        while position < bytes.endIndex, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.endIndex, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func open() -> Bool { take(UInt8(ascii: "{")) }
    mutating func colon() -> Bool { take(UInt8(ascii: ":")) }
    mutating func comma() -> Bool { take(UInt8(ascii: ",")) }

    /// The closing brace, then nothing but whitespace to the line's end.
    mutating func close() -> Bool {
        guard take(UInt8(ascii: "}")) else { return false }
        skipWhitespace()
        return position == bytes.endIndex
    }

    /// Reads past a string that ``string()`` would read, without building it; `false` where ``string()`` gives `nil`.
    mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        while position < bytes.endIndex {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard position < bytes.endIndex, JSONParser.simpleEscape(bytes[position]) != nil else { return false }
                position += 1
            default:
                guard byte >= 0x20 else { return false }
            }
        }
        return false
    }

    /// A string with no escapes but `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r` and `\t`, decoded as
    /// the full parser decodes it (bytes as they are, invalid UTF-8 repaired alike).
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.endIndex, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
            guard bytes[position] >= 0x20 else { return nil }
            position += 1
        }
        guard position < bytes.endIndex else { return nil }
        if bytes[position] == UInt8(ascii: "\"") {
            position += 1
            return String(decoding: bytes[start..<(position - 1)], as: UTF8.self)
        }
        var decoded = Array(bytes[start..<position])
        while position < bytes.endIndex {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.endIndex else { return nil }
                let escape = bytes[position]
                position += 1
                // `\u…` and bad escapes are the full parser's.
                guard let simple = JSONParser.simpleEscape(escape) else { return nil }
                decoded.append(simple)
            default:
                guard byte >= 0x20 else { return nil }
                decoded.append(byte)
            }
        }
        return nil
    }
}
