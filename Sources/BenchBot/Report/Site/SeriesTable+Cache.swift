import Compare
import Foundation

/// The table as the site keeps it between builds (`.benchbot-series` in the site's folder), so
/// that a build after one new commit reads that commit's results from the store, not every
/// commit's. Rows are checked against their run and commit, so a rewritten history or a new
/// store only costs a full read; a file that does not decode is ignored the same way.
///
/// Layout, little-endian: a magic line; the strings (names, units, directions); the rows (run,
/// commit); then each column, a presence byte per row followed, when present, by the median,
/// minimum, maximum, sample count, and unit and direction as string indices.
extension SeriesTable {
    static let cacheName = ".benchbot-series"
    private static let magic = Array("benchbot-series 1\n".utf8)

    func encoded() -> Data {
        var strings: [String] = [], stringIndex: [String: UInt32] = [:]
        func intern(_ text: String) -> UInt32 {
            if let known = stringIndex[text] { return known }
            strings.append(text)
            stringIndex[text] = UInt32(strings.count - 1)
            return UInt32(strings.count - 1)
        }
        var body = ByteWriter()
        body.append(UInt32(rows.count))
        for row in rows {
            body.append(UInt64(bitPattern: row.run))
            body.append(intern(row.commit))
        }
        body.append(UInt32(columns.count))
        for (name, column) in zip(names, columns) {
            body.append(intern(name))
            for cell in column {
                guard let cell else { body.append(UInt8(0)); continue }
                body.append(UInt8(1))
                body.append(cell.median.bitPattern)
                body.append(cell.minimum.bitPattern)
                body.append(cell.maximum.bitPattern)
                body.append(UInt32(clamping: cell.sampleCount))
                body.append(intern(cell.unit))
                body.append(intern(cell.direction.rawValue))
            }
        }
        var head = ByteWriter()
        head.bytes += Self.magic
        head.append(UInt32(strings.count))
        for text in strings {
            let utf8 = Array(text.utf8)
            head.append(UInt32(utf8.count))
            head.bytes += utf8
        }
        return Data(head.bytes + body.bytes)
    }

    /// - Returns: `nil` when `data` is not a table this version wrote.
    static func decoded(_ data: Data) -> SeriesTable? {
        var reader = ByteReader(bytes: [UInt8](data))
        guard let head = reader.take(magic.count), Array(head) == magic else { return nil }
        var strings: [String] = []
        guard let stringCount = reader.read(UInt32.self) else { return nil }
        for _ in 0..<stringCount {
            guard let length = reader.read(UInt32.self), let utf8 = reader.take(Int(length)) else { return nil }
            strings.append(String(decoding: utf8, as: UTF8.self))
        }
        guard let rowCount = reader.read(UInt32.self) else { return nil }
        var rows: [RowKey] = []
        for _ in 0..<rowCount {
            guard let run = reader.read(UInt64.self), let commit = reader.string(in: strings) else { return nil }
            rows.append(RowKey(run: Int64(bitPattern: run), commit: commit))
        }
        var table = SeriesTable(rows: rows)
        guard let columnCount = reader.read(UInt32.self) else { return nil }
        for _ in 0..<columnCount {
            guard let name = reader.string(in: strings) else { return nil }
            var cells = [SeriesPoint?](repeating: nil, count: rows.count)
            for row in 0..<rows.count {
                guard let present = reader.read(UInt8.self) else { return nil }
                if present == 0 { continue }
                guard let median = reader.read(UInt64.self), let minimum = reader.read(UInt64.self), let maximum = reader.read(UInt64.self),
                      let samples = reader.read(UInt32.self), let unit = reader.string(in: strings), let direction = reader.string(in: strings).flatMap(Direction.init(rawValue:))
                else { return nil }
                cells[row] = SeriesPoint(median: Double(bitPattern: median), sampleCount: Int(samples), unit: unit, direction: direction,
                                         minimum: Double(bitPattern: minimum), maximum: Double(bitPattern: maximum))
            }
            guard table.append(column: cells, named: name) else { return nil }
        }
        return reader.isAtEnd ? table : nil
    }
}

private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - position >= count else { return nil }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// An index into `strings`, read as the string it names.
    mutating func string(in strings: [String]) -> String? {
        guard let index = read(UInt32.self), strings.indices.contains(Int(index)) else { return nil }
        return strings[Int(index)]
    }

    mutating func read<Value: FixedWidthInteger>(_ type: Value.Type) -> Value? {
        guard let slice = take(MemoryLayout<Value>.size) else { return nil }
        return Value(littleEndian: slice.withUnsafeBytes { $0.loadUnaligned(as: Value.self) })
    }
}
