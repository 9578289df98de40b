public import Foundation
import Notify

/// A parsed JSON document that keeps every value, including fields BenchBot does not know.
///
/// Relay configs carry experiment-specific fields next to the dashboard's own, so configs are
/// read into this tree first and validated field by field, instead of being decoded into a
/// fixed struct that would stop at the first problem.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value) where !value.isFinite:
            // JSONEncoder refuses infinities by failing the whole document: one field must not
            // turn a file into `null`.
            try container.encodeNil()
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Parses a JSON document, reporting syntax errors with a line and column.
    ///
    /// - Parameter data: The document's bytes.
    /// - Throws: ``JSONSyntaxError`` when the bytes are not valid JSON.
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(data)
    }

    /// Renders the value as compact JSON with sorted keys, for storage.
    public func compactJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Renders the value as pretty-printed JSON with sorted keys, ending in a newline.
    public func prettyPrinted() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps onto a JSON value.
        var data = (try? encoder.encode(self)) ?? Data("null".utf8)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

/// A JSON document that does not parse.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// One-based line of the first error.
    public let line: Int
    /// One-based column of the first error, in bytes.
    public let column: Int
    /// What the parser said.
    public let reason: String

    init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        return "invalid JSON at line \(line), column \(column): \(reason)"
    }

}

extension JSONValue {
    /// The value with every string held by a secret-named field masked, for backups.
    public func redactingSecrets() -> JSONValue {
        switch self {
        case .object(let fields):
            .object(Dictionary(uniqueKeysWithValues: fields.map { key, value in
                if SecretRedactor.namesSecret(key), case .string = value { return (key, .string(SecretRedactor.mask)) }
                return (key, value.redactingSecrets())
            }))
        case .array(let items): .array(items.map { $0.redactingSecrets() })
        default: self
        }
    }
}
