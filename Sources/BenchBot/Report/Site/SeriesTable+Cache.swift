import Compare
import Foundation

/// The table as the site keeps it between builds (`.benchbot-series/<n>` in the site's folder,
/// a file per ``SitePages/rowsPerDataFile`` rows, so that one new commit rewrites one), so
/// that a build after one new commit reads that commit's results from the store and its
/// description from the mirror, not every commit's. Rows are checked against their run and
/// commit, so a rewritten history or a new store only costs a full read; a file that does not
/// decode is ignored the same way.
///
/// Layout, little-endian: a magic line; the strings (commits, authors, subjects, names, units,
/// directions); the rows (run, commit, author, time, subject); then each column: its name, a
/// presence byte per row, and its present cells' medians, minimums, maximums, sample counts,
/// units and directions, each as one array, so that reading is copying.
extension SeriesTable {
    static let cacheFolder = ".benchbot-series"

    /// The table the last build kept in `site`; `nil` when there is none or a file does not read.
    static func cached(in site: String) -> SeriesTable? {
        let folder = site + "/" + cacheFolder
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        var parts: [SeriesTable] = []
        for index in files.compactMap(Int.init).sorted() {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(index)"), let part = decoded(data) else { return nil }
            parts.append(part)
        }
        return parts.isEmpty ? nil : concatenating(parts)
    }
    private static let magic = Array(cacheVersion.utf8)
    /// Part of the file's inputs, so that a new layout is written even where the history did not change.
    static let cacheVersion = "benchbot-series 2\n"

    func encoded() -> Data {
        var strings: [String] = [], stringIndex: [String: UInt32] = [:]
        var last: (text: String, index: UInt32)?
        func intern(_ text: String) -> UInt32 {
            // A column repeats one unit and one direction: comparing with the last is cheaper than hashing.
            if let last, last.text == text { return last.index }
            let index: UInt32
            if let known = stringIndex[text] {
                index = known
            } else {
                strings.append(text)
                index = UInt32(strings.count - 1)
                stringIndex[text] = index
            }
            last = (text, index)
            return index
        }
        var body = ByteWriter()
        body.append(UInt32(rows.count))
        for (row, commit) in zip(rows, commits) {
            body.append(UInt64(bitPattern: row.run))
            body.append(intern(row.commit))
            body.append(intern(commit?.authorName ?? "?"))
            body.append((commit?.authorTime.timeIntervalSince1970 ?? 0).bitPattern)
            body.append(intern(commit?.subject ?? ""))
        }
        body.append(UInt32(columns.count))
        for (name, column) in zip(names, columns) {
            body.append(intern(name))
            body.bytes += column.map { $0 == nil ? 0 : 1 }
            let cells = column.compactMap { $0 }
            body.append(array: cells.map(\.median))
            body.append(array: cells.map(\.minimum))
            body.append(array: cells.map(\.maximum))
            body.append(array: cells.map { UInt32(clamping: $0.sampleCount) })
            body.append(array: cells.map { intern($0.unit) })
            body.append(array: cells.map { intern($0.direction.rawValue) })
        }
        var head = ByteWriter()
        head.bytes += Self.magic
        head.append(UInt32(strings.count))
        for text in strings {
            let utf8 = Array(text.utf8)
            head.append(UInt32(utf8.count))
            head.bytes += utf8
        }
        head.bytes.append(contentsOf: body.bytes)
        return Data(head.bytes)
    }

    /// - Returns: `nil` when `data` is not a table this version wrote.
    static func decoded(_ data: Data) -> SeriesTable? {
        var reader = ByteReader(bytes: [UInt8](data))
        guard let head = reader.take(magic.count), Array(head) == magic else { return nil }
        var strings: [String] = []
        guard let stringCount = reader.read(UInt32.self) else { return nil }
        strings.reserveCapacity(Int(stringCount))
        for _ in 0..<stringCount {
            guard let length = reader.read(UInt32.self), let utf8 = reader.take(Int(length)) else { return nil }
            strings.append(String(decoding: utf8, as: UTF8.self))
        }
        guard let rowCount = reader.read(UInt32.self) else { return nil }
        var rows: [RowKey] = [], commits: [CommitMetadata?] = []
        for _ in 0..<rowCount {
            guard let run = reader.read(UInt64.self), let commit = reader.string(in: strings), let id = ObjectID(hex: commit),
                  let author = reader.string(in: strings), let time = reader.read(UInt64.self), let subject = reader.string(in: strings)
            else { return nil }
            rows.append(RowKey(run: Int64(bitPattern: run), commit: commit))
            commits.append(CommitMetadata(id: id, parents: [], authorName: author, authorEmail: "",
                                          authorTime: Date(timeIntervalSince1970: Double(bitPattern: time)), subject: subject))
        }
        var table = SeriesTable(rows: rows)
        table.commits = commits
        guard let columnCount = reader.read(UInt32.self) else { return nil }
        for _ in 0..<columnCount {
            guard let name = reader.string(in: strings), let presence = reader.take(rows.count) else { return nil }
            let count = presence.count { $0 != 0 }
            guard let medians = reader.array(of: Double.self, count: count), let minimums = reader.array(of: Double.self, count: count),
                  let maximums = reader.array(of: Double.self, count: count), let samples = reader.array(of: UInt32.self, count: count),
                  let units = reader.array(of: UInt32.self, count: count), let directions = reader.array(of: UInt32.self, count: count),
                  (units + directions).allSatisfy({ Int($0) < strings.count })
            else { return nil }
            var cells = [SeriesPoint?](repeating: nil, count: rows.count)
            var next = 0
            for (row, present) in zip(0..<rows.count, presence) where present != 0 {
                guard let direction = Direction(rawValue: strings[Int(directions[next])]) else { return nil }
                cells[row] = SeriesPoint(median: medians[next], sampleCount: Int(samples[next]), unit: strings[Int(units[next])],
                                         direction: direction, minimum: minimums[next], maximum: maximums[next])
                next += 1
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

    /// Numbers as they lie in memory, which is little-endian on every machine Swift runs Linux on.
    mutating func append<Value: BitwiseCopyable>(array: [Value]) {
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
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

    mutating func read<Value: FixedWidthInteger>(_ type: Value.Type) -> Value? {
        guard let slice = take(MemoryLayout<Value>.size) else { return nil }
        return Value(littleEndian: slice.withUnsafeBytes { $0.loadUnaligned(as: Value.self) })
    }

    mutating func array<Value: BitwiseCopyable>(of type: Value.Type, count: Int) -> [Value]? {
        guard let slice = take(count * MemoryLayout<Value>.stride) else { return nil }
        return [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            slice.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    /// An index into `strings`, read as the string it names.
    mutating func string(in strings: [String]) -> String? {
        guard let index = read(UInt32.self), strings.indices.contains(Int(index)) else { return nil }
        return strings[Int(index)]
    }
}
