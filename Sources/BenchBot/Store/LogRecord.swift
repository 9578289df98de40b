import Crypto
import Foundation

/// The layout of ``DeliveryLog``: a 64-byte header, then records.
///
/// A record is its length (4 bytes, the whole record's, little-endian), a checksum (the first 8
/// bytes of the SHA-256 of what follows), then the delivery: id, event and action, each with a
/// 2-byte length (`0xFFFF` for no action), the time it arrived (the 8 bytes of a `Double`), and
/// the payload to the record's end. The checksum tells a record a crash cut short, or the disk
/// damaged, from a whole one; it costs microseconds against the payload's HMAC.
enum LogRecord {
    static let headerSize = 64
    static let prefixSize = 12
    /// Enough to read a record's delivery without its payload: GitHub's ids, events and actions are short.
    static let longestHead = 1024
    static let version: UInt32 = 1
    private static let magic = Array("BENCHBOT-INTAKE\n".utf8)
    private static let noAction = UInt16.max

    static func header(identity: String) -> [UInt8] {
        var header = magic
        append(version, to: &header)
        header += Array(identity.utf8.prefix(headerSize - header.count))
        return header + [UInt8](repeating: 0, count: headerSize - header.count)
    }

    /// The log's identity, from its header.
    static func identity(inHeader header: [UInt8], path: String) throws(StoreError) -> String {
        guard header.starts(with: magic) else {
            throw StoreError.corrupt(path, detail: "it does not start as BenchBot's delivery intake log does")
        }
        let version = UInt32(header[16]) | UInt32(header[17]) << 8 | UInt32(header[18]) << 16 | UInt32(header[19]) << 24
        guard version <= Self.version else { throw StoreError.newerSchema(path) }
        let identity = String(decoding: header[20...].prefix { $0 != 0 }, as: UTF8.self)
        guard version > 0, !identity.isEmpty else { throw StoreError.corrupt(path, detail: "its header names no version or identity") }
        return identity
    }

    static func encode(_ delivery: WebhookDelivery, into bytes: inout [UInt8]) {
        var fields: [UInt8] = []
        fields.reserveCapacity(delivery.body.count + 128)
        for text in [delivery.id, delivery.event] { appendText(text, to: &fields) }
        if let action = delivery.action { appendText(action, to: &fields) } else { append(noAction, to: &fields) }
        append(delivery.receivedAt.storeValue.bitPattern, to: &fields)
        fields.append(contentsOf: delivery.body)
        append(UInt32(prefixSize + fields.count), to: &bytes)
        bytes.append(contentsOf: SHA256.hash(data: fields).prefix(8))
        bytes.append(contentsOf: fields)
    }

    /// The whole record's length, from its first bytes; `nil` when it cannot be a record.
    static func length(ofPrefix prefix: [UInt8]) -> Int? {
        let length = Int(prefix[0]) | Int(prefix[1]) << 8 | Int(prefix[2]) << 16 | Int(prefix[3]) << 24
        return length >= prefixSize + 14 ? length : nil
    }

    /// The delivery in `bytes`, a record or (without `withBody`) its first bytes; `nil` when they
    /// hold no whole delivery, or `verified` finds the checksum wrong.
    static func decode(_ bytes: [UInt8], withBody: Bool, verified: Bool = false) -> WebhookDelivery? {
        guard bytes.count >= prefixSize, let length = length(ofPrefix: bytes), bytes.count == length || !withBody && !verified else { return nil }
        if verified, !SHA256.hash(data: bytes[prefixSize...]).prefix(8).elementsEqual(bytes[4..<prefixSize]) { return nil }
        var position = prefixSize
        func text() -> String? {
            guard position + 2 <= bytes.count else { return nil }
            let count = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            guard count != Int(noAction), position + 2 + count <= bytes.count else { return nil }
            defer { position += 2 + count }
            return String(decoding: bytes[(position + 2)..<(position + 2 + count)], as: UTF8.self)
        }
        guard let id = text(), let event = text(), position + 2 <= bytes.count else { return nil }
        var action: String?
        if bytes[position] == 0xFF, bytes[position + 1] == 0xFF {
            position += 2
        } else {
            guard let text = text() else { return nil }
            action = text
        }
        guard position + 8 <= bytes.count else { return nil }
        let bits = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << (8 * $1) }
        position += 8
        return WebhookDelivery(id: id, event: event, action: action, body: withBody ? Data(bytes[position...]) : Data(),
                               receivedAt: Date(storeValue: Double(bitPattern: bits)))
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8.prefix(Int(noAction) - 1))
        append(UInt16(utf8.count), to: &bytes)
        bytes += utf8
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
