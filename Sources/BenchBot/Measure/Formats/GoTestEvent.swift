import Foundation

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
        /// invalid UTF-8 for a decoder to repair.
        let isASCII: Bool

        /// The text, as the full parser decodes it (the simple escapes; bytes as they are, invalid UTF-8 repaired).
        var text: String {
            guard isEscaped else { return String(decoding: bytes, as: UTF8.self) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            _ = unescape(into: &decoded)
            return String(decoding: decoded, as: UTF8.self)
        }

        /// Whether the unescaped value is `word`, byte for byte.
        func equals(_ word: StaticString) -> Bool {
            guard isEscaped else { return TextBytes.equal(bytes.base, bytes.startIndex..<bytes.endIndex, word) }
            var text = self.text
            return text.withUTF8 { TextBytes.equal($0, 0..<$0.count, word) }
        }

        /// Appends the unescaped value to `output`, the stretches between escapes as they lie;
        /// returns how many line ends (`\n`) it holds, all of them escaped (a raw one is refused).
        func unescape(into output: inout [UInt8]) -> Int {
            var newlines = 0
            var start = bytes.startIndex
            while isEscaped, start < bytes.endIndex,
                  let found = memchr(bytes.base.baseAddress! + start, Int32(UInt8(ascii: "\\")), bytes.endIndex - start) {
                let escape = bytes.base.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<escape]))
                // Checked when the value was read: a simple escape follows every `\`.
                let byte = JSONParser.simpleEscape(bytes[escape + 1])!
                output.append(byte)
                if byte == TextBytes.newline { newlines += 1 }
                start = escape + 2
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            return newlines
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
        // Runs between escapes are passed eight bytes at a time, as the full parser passes them,
        // their bytes' high bits gathered on the way.
        let line = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.base[..<bytes.endIndex]))
        var high: UInt64 = 0
        while true {
            while position + 8 <= bytes.endIndex {
                let word = line.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                if JSONParser.mayEndPlainRun(word) { break }
                high |= word
                position += 8
            }
            guard position < bytes.endIndex else { return nil }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return FlatGoTestEvent.Value(bytes: bytes.base[start..<(position - 1)], isEscaped: isEscaped,
                                             isASCII: high & 0x8080_8080_8080_8080 == 0)
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.endIndex, JSONParser.simpleEscape(bytes[position + 1]) != nil else { return nil }
                isEscaped = true
                position += 2
            default:
                // A control character ends the line's reading; any other byte is the string's.
                guard byte >= 0x20 else { return nil }
                high |= UInt64(byte)
                position += 1
            }
        }
    }
}
