/// The fields of one test2json event that `go-test-json` reads: `Action`, `Package`, `Output`
/// and whether it names a `Test`, as the full JSON parser reads them.
struct GoTestEvent {
    var action: String?
    var package: String?
    var output: String?
    var hasTest = false
}

/// One test2json event read from its line's bytes, its string values left where they lie.
///
/// Nearly every event is a flat object of strings (`{"Time":"…","Action":"output","Package":"…",
/// "Output":"…"}`); building a whole ``JSONValue`` tree for each of 100,000 lines was most of
/// reading a large file, and building a `String` of each field it keeps was most of the rest.
/// ``init(_:)`` reads such a line by its bytes and notes where these fields' values are. It
/// accepts only lines the full parser would read to the same values (a strict subset of JSON: an
/// object whose values are strings with the simple escapes); any other line, a bad one included,
/// is left to ``JSONValue/parse(_:)``, so every refusal keeps its message.
struct FlatGoTestEvent {
    /// A string value's content between its quotes, still escaped.
    struct Value {
        let bytes: Slice<UnsafeBufferPointer<UInt8>>
        /// Whether it holds a `\` escape.
        let isEscaped: Bool

        /// Whether every byte is ASCII: then its bytes are its text's UTF-8 once unescaped, with no
        /// invalid UTF-8 for a decoder to repair. Told eight bytes at a time.
        var isASCII: Bool {
            let raw = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes))
            var seen: UInt64 = 0
            var offset = 0
            while offset + 8 <= raw.count {
                seen |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            while offset < raw.count {
                seen |= UInt64(raw[offset])
                offset += 1
            }
            return seen & 0x8080_8080_8080_8080 == 0
        }

        /// The text, as the full parser decodes it (the simple escapes; bytes as they are, invalid UTF-8 repaired).
        var text: String {
            guard isEscaped else { return String(decoding: bytes, as: UTF8.self) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            unescape { decoded.append(contentsOf: $0) }
            return String(decoding: decoded, as: UTF8.self)
        }

        /// Whether the unescaped value is `word`, byte for byte.
        func equals(_ word: StaticString) -> Bool {
            guard isEscaped else { return TextBytes.equal(bytes.base, bytes.startIndex..<bytes.endIndex, word) }
            var text = self.text
            return text.withUTF8 { TextBytes.equal($0, 0..<$0.count, word) }
        }

        /// Hands the unescaped value to `body` in runs: the stretches between escapes as they lie,
        /// and each escape's byte.
        func unescape(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            var start = bytes.startIndex, position = start
            while position < bytes.endIndex {
                guard bytes[position] == UInt8(ascii: "\\") else { position += 1; continue }
                body(UnsafeBufferPointer(rebasing: bytes[start..<position]))
                // Checked when the value was read: a simple escape follows every `\`.
                let byte = JSONParser.simpleEscape(bytes[position + 1])!
                withUnsafePointer(to: byte) { body(UnsafeBufferPointer(start: $0, count: 1)) }
                position += 2
                start = position
            }
            body(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    var action: Value?
    var package: Value?
    var output: Value?
    var hasTest = false

    /// The event on `line`, when it is a flat object of string values; `nil` for any other line.
    init?(_ line: Slice<UnsafeBufferPointer<UInt8>>) {
        var reader = FlatObjectReader(bytes: line)
        guard reader.open() else { return nil }
        repeat {
            // A key that holds an escape or a byte beyond ASCII is none of these four once decoded.
            guard let key = reader.string(), reader.colon(), let value = reader.string() else { return nil }
            // A repeated field keeps its last value, as the full parser keeps it.
            if key.equals("Action") {
                action = value
            } else if key.equals("Package") {
                package = value
            } else if key.equals("Output") {
                output = value
            } else if key.equals("Test") {
                hasTest = true
            }
        } while reader.comma()
        guard reader.close() else { return nil }
    }
}

/// A reader of `{"key":"value",…}` on one line, refusing (with `nil`/`false`) anything else.
private struct FlatObjectReader {
    let bytes: Slice<UnsafeBufferPointer<UInt8>>
    var position: Int

    init(bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// JSON's whitespace, as the full parser skips it.
    private mutating func skipWhitespace() {
        while position < bytes.endIndex, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x0D || bytes[position] == 0x09 {
            position += 1
        }
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

    /// A string with no escapes but `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r` and `\t` and no
    /// control character, where it lies; `nil` for any other (`\u…`, a bad escape: the full parser's).
    mutating func string() -> FlatGoTestEvent.Value? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = position
        var isEscaped = false
        // The runs between escapes are found eight bytes at a time, as the full parser finds them.
        let line = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.base[..<bytes.endIndex]))
        while true {
            position = JSONParser.plainEnd(of: line, from: position)
            guard position < bytes.endIndex else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return FlatGoTestEvent.Value(bytes: bytes.base[start..<(position - 1)], isEscaped: isEscaped)
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.endIndex, JSONParser.simpleEscape(bytes[position + 1]) != nil else { return nil }
                isEscaped = true
                position += 2
            default:
                // A control character.
                return nil
            }
        }
    }
}
