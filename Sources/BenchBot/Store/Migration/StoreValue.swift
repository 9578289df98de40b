import Crypto
import Foundation

/// One cell of a table being copied between stores, as the column's declared type reads it.
enum StoreValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A table's rows folded into a count and a SHA-256 that both engines compute the same way from
/// typed values, whatever order they read the rows in: each row is hashed, and the sorted row
/// hashes are hashed again. A copy is verified without trusting either engine's text form of a
/// number, or their collations.
struct TableDigest: Sendable {
    private var rowHashes: [[UInt8]] = []

    var rows: Int { rowHashes.count }

    /// The digest, as hex.
    var hex: String {
        var hash = SHA256()
        for row in rowHashes.sorted(by: { $0.lexicographicallyPrecedes($1) }) { hash.update(data: row) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    mutating func add(_ row: [StoreValue]) {
        var bytes: [UInt8] = []
        for value in row {
            switch value {
            case .null: bytes.append(0)
            case .integer(let number):
                bytes.append(1)
                withUnsafeBytes(of: number.littleEndian) { bytes.append(contentsOf: $0) }
            case .real(let number):
                bytes.append(2)
                withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            case .text(let text):
                bytes.append(3)
                Self.appendLength(text.utf8.count, to: &bytes)
                bytes.append(contentsOf: text.utf8)
            case .blob(let blob):
                bytes.append(4)
                Self.appendLength(blob.count, to: &bytes)
                bytes.append(contentsOf: blob)
            }
        }
        rowHashes.append(Array(SHA256.hash(data: bytes)))
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt64(length).littleEndian) { bytes.append(contentsOf: $0) }
    }

}

extension TableDescription {
    /// The columns that order the table's rows the same way in both engines: its key.
    var orderingColumns: [String] {
        if let key = columns.first(where: \.primaryKey) { return [key.name] }
        return primaryKey ?? columns.map(\.name)
    }

    /// Whether rows are read in pages by a single integer key rather than by offset.
    var integerKey: String? {
        columns.first { $0.primaryKey && $0.type == .integer }?.name
    }
}
