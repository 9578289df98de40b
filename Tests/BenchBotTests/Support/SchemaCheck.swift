import BenchBot
import Foundation

/// Checks JSON documents against the JSON Schema files in `Schemas/`, for the keywords those
/// files use; a keyword it does not know is a problem too, so a schema cannot silently say more
/// than is checked.
struct SchemaCheck {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appending(path: "Schemas").path

    private static let ignored: Set = ["$schema", "$id", "$defs", "title", "description", "default", "format"]

    /// Every way `document` breaks `file`'s schema, as `path: problem` lines; empty when it conforms.
    static func problems(_ document: JSONValue, against file: String) throws -> [String] {
        var check = SchemaCheck()
        let schema = try check.load(file)
        check.validate(document, schema, file: file, at: "$")
        return check.found
    }

    private var files: [String: JSONValue] = [:]
    private var found: [String] = []

    private mutating func load(_ file: String) throws -> JSONValue {
        if let schema = files[file] { return schema }
        let schema = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: Self.folder.appending(path: file))))
        files[file] = schema
        return schema
    }

    /// The schema a `$ref` names: `other.schema.json`, `other.schema.json#/$defs/x` or `#/$defs/x`.
    private mutating func resolve(_ reference: String, from file: String) -> (JSONValue, String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let target = parts[0].isEmpty ? file : parts[0]
        guard var node = try? load(target) else { return nil }
        for key in (parts.count > 1 ? parts[1] : "").split(separator: "/") {
            guard let next = node[String(key)] else { return nil }
            node = next
        }
        return (node, target)
    }

    private mutating func validate(_ value: JSONValue, _ schema: JSONValue, file: String, at path: String) {
        guard case .object(let keywords) = schema else { return found.append("\(path): schema is not an object") }
        for (keyword, rule) in keywords.sorted(by: { $0.key < $1.key }) where !Self.ignored.contains(keyword) {
            switch keyword {
            case "$ref":
                guard case .string(let reference) = rule, let (target, targetFile) = resolve(reference, from: file) else {
                    found.append("\(path): unresolvable $ref \(rule)")
                    continue
                }
                validate(value, target, file: targetFile, at: path)
            case "type":
                let names: [String] = switch rule {
                case .string(let name): [name]
                case .array(let items): items.compactMap { if case .string(let name) = $0 { name } else { nil } }
                default: []
                }
                if !names.contains(where: { Self.hasType(value, $0) }) { found.append("\(path): \(value.typeName), not \(names.joined(separator: " or "))") }
            case "enum":
                if case .array(let allowed) = rule, !allowed.contains(value) { found.append("\(path): \(value) is not one of \(allowed)") }
            case "pattern":
                if case .string(let text) = value, case .string(let pattern) = rule,
                   (try? NSRegularExpression(pattern: pattern))?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    found.append("\(path): '\(text)' does not match \(pattern)")
                }
            case "minimum", "maximum":
                if case .number(let number) = value, case .number(let bound) = rule, keyword == "minimum" ? number < bound : number > bound {
                    found.append("\(path): \(number) is beyond the \(keyword) \(bound)")
                }
            case "minLength", "maxLength":
                if case .string(let text) = value, case .number(let bound) = rule, keyword == "minLength" ? Double(text.count) < bound : Double(text.count) > bound {
                    found.append("\(path): '\(text)' breaks \(keyword) \(bound)")
                }
            case "minItems", "maxItems":
                if case .array(let items) = value, case .number(let bound) = rule, keyword == "minItems" ? Double(items.count) < bound : Double(items.count) > bound {
                    found.append("\(path): \(items.count) items break \(keyword) \(bound)")
                }
            case "required":
                if case .object(let fields) = value, case .array(let names) = rule {
                    for case .string(let name) in names where fields[name] == nil { found.append("\(path): no \(name)") }
                }
            case "properties":
                if case .object(let fields) = value, case .object(let properties) = rule {
                    for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                        if let property = properties[name] { validate(field, property, file: file, at: "\(path).\(name)") }
                    }
                }
            case "additionalProperties":
                guard case .object(let fields) = value else { continue }
                var declared: Set<String> = []
                if case .object(let properties)? = keywords["properties"] { declared = Set(properties.keys) }
                for (name, field) in fields.sorted(by: { $0.key < $1.key }) where !declared.contains(name) {
                    if rule == .bool(false) { found.append("\(path): unexpected field \(name)") } else { validate(field, rule, file: file, at: "\(path).\(name)") }
                }
            case "items":
                if case .array(let items) = value {
                    for (index, item) in items.enumerated() { validate(item, rule, file: file, at: "\(path)[\(index)]") }
                }
            case "anyOf", "oneOf":
                guard case .array(let options) = rule else { continue }
                let matching = options.filter { option in
                    var inner = self
                    inner.found = []
                    inner.validate(value, option, file: file, at: path)
                    return inner.found.isEmpty
                }.count
                if keyword == "anyOf" ? matching == 0 : matching != 1 { found.append("\(path): \(matching) of the \(keyword) options match") }
            case "not":
                var inner = self
                inner.found = []
                inner.validate(value, rule, file: file, at: path)
                if inner.found.isEmpty { found.append("\(path): matches what `not` forbids") }
            default:
                found.append("\(path): the checker does not know the keyword \(keyword)")
            }
        }
    }

    private static func hasType(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }
}
