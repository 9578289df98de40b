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

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
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
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw JSONSyntaxError(locating: error, in: data)
        }
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
    /// One-based line of the first error, when known.
    public let line: Int?
    /// One-based column of the first error, when known.
    public let column: Int?
    /// What the parser said.
    public let reason: String

    init(locating error: any Error, in data: Data) {
        // JSONDecoder does not say where the document breaks; JSONSerialization does.
        var reason = "\(error)"
        var offset: Int?
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch let serializationError as NSError {
            if let detail = serializationError.userInfo[NSDebugDescriptionErrorKey] as? String {
                reason = detail
                offset = Self.characterOffset(in: detail)
                if detail.localizedCaseInsensitiveContains("end of file") { offset = data.count }
            }
        }
        self.reason = reason
        guard let offset else {
            self.line = nil
            self.column = nil
            return
        }
        let prefix = data.prefix(offset)
        let lastNewline = prefix.lastIndex(of: UInt8(ascii: "\n"))
        self.line = prefix.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        self.column = offset - (lastNewline.map { $0 - data.startIndex + 1 } ?? 0) + 1
    }

    public var description: String {
        guard let line, let column else { return "invalid JSON: \(reason)" }
        return "invalid JSON at line \(line), column \(column): \(reason)"
    }

    /// Foundation counts "around character N" from 1.
    private static func characterOffset(in detail: String) -> Int? {
        guard let range = detail.range(of: "character ") else { return nil }
        return Int(detail[range.upperBound...].prefix(while: \.isNumber)).map { max($0 - 1, 0) }
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
