import CGit2

/// A full 40-character commit hash.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// Lower-case hexadecimal, 40 characters.
    public let hex: String

    /// The all-zero hash git uses for "no object" in hook input.
    public static let zero = ObjectID(uncheckedHex: String(repeating: "0", count: 40))

    /// Parses a full hash.
    ///
    /// - Parameter hex: 40 hexadecimal characters, either case.
    /// - Returns: `nil` for anything else; abbreviated hashes are resolved by ``GitRepository/resolve(_:)``.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.allSatisfy(\.isHexDigit) else { return nil }
        self.hex = hex.lowercased()
    }

    init(_ oid: git_oid) {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_fmt(&buffer, &oid)
        self.hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private init(uncheckedHex: String) { self.hex = uncheckedHex }

    public var isZero: Bool { self == .zero }
    /// The first 10 characters, for people.
    public var short: String { String(hex.prefix(10)) }
    public var description: String { hex }

    var oid: git_oid {
        var oid = git_oid()
        git_oid_fromstr(&oid, hex)
        return oid
    }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let hex = try decoder.singleValueContainer().decode(String.self)
        guard let id = ObjectID(hex: hex) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 40-character hash: \(hex)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
