import Foundation

/// A strict RFC 8259 parser straight from bytes into ``JSONValue``.
///
/// Decoding `JSONValue` through `Codable` tries each type in turn and pays for a thrown error at
/// every miss; on a package-benchmark baseline (nine 21,504-entry histograms) that took seconds.
/// Parsing bytes directly is linear, and it knows exactly where a document breaks.
struct JSONParser {
    /// Deep enough for any benchmark output; shallow enough that hostile nesting cannot exhaust the stack.
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0
    /// The fields of the objects being read, innermost last: each object's are taken off the end
    /// when it closes and built into its dictionary at once, at its final size, instead of
    /// regrowing a dictionary per field (a Google Benchmark run has thirteen).
    private var openFields: [(String, JSONValue)] = []
    /// The items of the arrays being read, innermost last, for the same reason.
    private var openItems: [JSONValue] = []

    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try read(data, field: nil)
    }

    /// Checks that `data` is one JSON document, as strictly as ``parse(_:)``, and returns the value
    /// of its top-level object's field `name` (`.null` when it has none), building nothing else.
    ///
    /// A webhook's answer needs only the payload's `action`: building the whole 10 KB tree of
    /// strings and dictionaries took most of the route's time.
    static func topLevelField(_ name: String, in data: Data) throws(JSONSyntaxError) -> JSONValue {
        try read(data, field: Array(name.utf8))
    }

    private static func read(_ data: Data, field: [UInt8]?) throws(JSONSyntaxError) -> JSONValue {
        let outcome: Result<JSONValue, JSONSyntaxError> = data.withUnsafeBytes { buffer in
            var parser = JSONParser(bytes: buffer, field: field)
            return Result { () throws(JSONSyntaxError) -> JSONValue in
                parser.skipWhitespace()
                let value = try parser.value()
                parser.skipWhitespace()
                guard parser.position == buffer.count else { throw parser.error("unexpected text after the document") }
                return field == nil ? value : parser.found
            }
        }
        return try outcome.get()
    }

    /// The one top-level field to build, when only that one is wanted.
    private let field: [UInt8]?
    /// Whether values are built, or only checked.
    private var building: Bool
    private var found = JSONValue.null

    private init(bytes: UnsafeRawBufferPointer, field: [UInt8]?) {
        self.bytes = bytes
        self.field = field
        building = field == nil
    }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        let end = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(line: line, column: end - lineStart + 1, reason: end == bytes.count ? "\(reason) (the document ends early)" : reason)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""):
            let text = try string()
            return building ? .string(text) : .null
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected \(Self.shown(bytes[position]))")
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count,
              expected.indices.allSatisfy({ bytes[position + $0] == expected[$0] }) else {
            throw error("expected \(word)")
        }
        position += expected.count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) levels deep") }
        position += 1
        skipWhitespace()
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object([:]) }
        let first = openFields.count
        defer { if openFields.count > first { openFields.removeSubrange(first...) } }
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a field name in quotes") }
            // A top-level key is built to be compared with the wanted one, escapes and all.
            let wasBuilding = building
            if depth == 1, field != nil { building = true }
            let key = try string()
            building = wasBuilding
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after the field name") }
            position += 1
            skipWhitespace()
            if building {
                openFields.append((key, try value()))
            } else if depth == 1, let field, key.utf8.elementsEqual(field) {
                building = true
                defer { building = false }
                found = try value()
            } else {
                _ = try value()
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or '}'") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                // Only checked, not built: a webhook's answer reads one field of 10 KB.
                guard building else { return .null }
                // A repeated field keeps its last value, as JSON parsers commonly do.
                return .object(Dictionary(openFields[first...], uniquingKeysWith: { _, last in last }))
            }
            guard bytes[position] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            position += 1
            skipWhitespace()
        }
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array([]) }
        let first = openItems.count
        defer { if openItems.count > first { openItems.removeSubrange(first...) } }
        while true {
            let item = try value()
            if building { openItems.append(item) }
            skipWhitespace()
            guard position < bytes.count else { throw error("expected ',' or ']'") }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return building ? .array(Array(openItems[first...])) : .null
            }
            guard bytes[position] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            position += 1
            skipWhitespace()
        }
    }

    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var literal = DecimalLiteral()
        guard digits(into: &literal, fraction: false) > 0 else { throw error("expected a digit", at: position) }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(into: &literal, fraction: true) > 0 else { throw error("expected a digit after '.'") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            var exponentSign = 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                if bytes[position] == UInt8(ascii: "-") { exponentSign = -1 }
                position += 1
            }
            var exponent = DecimalLiteral()
            guard digits(into: &exponent, fraction: false) > 0 else { throw error("expected a digit in the exponent") }
            literal.addExponent(exponent, sign: exponentSign)
        }
        if let exact = literal.exactValue { return negative ? -exact : exact }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        func shown() -> Substring { text.utf8.count > 40 ? text.prefix(37) + "..." : Substring(text) }
        guard let number = Double(text) else { throw error("'\(shown())' is not a number", at: start) }
        // Double("1e999") is infinity, which JSON cannot hold and no statistic survives.
        guard number.isFinite else {
            throw error("the number \(shown()) is beyond the largest double (±1.8e308); write a smaller value", at: start)
        }
        return number
    }

    /// Reads a run of digits into `literal`; returns how many there were.
    private mutating func digits(into literal: inout DecimalLiteral, fraction: Bool) -> Int {
        let from = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            literal.append(bytes[position] &- UInt8(ascii: "0"), fraction: fraction)
            position += 1
        }
        return position - from
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        // Most strings have no escapes: take their bytes whole.
        position = Self.plainEnd(of: bytes, from: position)
        if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
            let text = building ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) : ""
            position += 1
            return text
        }
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return building ? String(decoding: scalars, as: UTF8.self) : ""
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                if let simple = Self.simpleEscape(escape) {
                    if building { scalars.append(simple) }
                    continue
                }
                switch escape {
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("an unpaired surrogate in \\u escapes") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("an unpaired surrogate in \\u escapes") }
                    if building { scalars.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                default:
                    throw error("unknown escape after '\\': \(Self.shown(escape))", at: position - 2)
                }
            default:
                guard byte >= 0x20 else { throw error("a control character inside a string; escape it") }
                if building { scalars.append(byte) }
                position += 1
            }
        }
        throw error("unterminated string", at: bytes.count)
    }

    /// The byte a one-character escape (`\n`, `\"`, …) stands for; `nil` for `\u` and for what
    /// is no escape.
    static func simpleEscape(_ escape: UInt8) -> UInt8? {
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escape
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// A byte as a message shows it: printable ASCII quoted, anything else (a control character,
    /// ESC, part of a multi-byte character) by its value, so that no message drives a terminal.
    private static func shown(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "character '\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("expected four hex digits after \\u") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("expected four hex digits after \\u")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }
}
