/// Every measured commit's results, one column per benchmark and one row per commit, oldest
/// first. Columns keep 10,000 commits × 100 benchmarks in tens of megabytes, where a dictionary
/// per commit took hundreds, and they give a benchmark's series without a lookup per point.
struct SeriesTable: Sendable {
    /// The run each row's results come from, with its commit: what a cached row is checked against.
    struct RowKey: Hashable, Sendable {
        let run: Int64
        let commit: String
    }

    private(set) var rows: [RowKey]
    /// Each row's commit as the mirror described it: kept with the results, so that a build after
    /// one new commit reads one commit from the mirror, not every one.
    var commits: [CommitMetadata?]
    /// Benchmark names, sorted once the table is complete (see ``sortedByName()``).
    private(set) var names: [String] = []
    private var columnOfName: [String: Int] = [:]
    private(set) var columns: [[SeriesPoint?]] = []

    init(rows: [RowKey]) {
        self.rows = rows
        commits = Array(repeating: nil, count: rows.count)
    }

    var rowCount: Int { rows.count }

    mutating func set(_ point: SeriesPoint, benchmark: String, row: Int) {
        let column: Int
        if let known = columnOfName[benchmark] {
            column = known
        } else {
            column = names.count
            names.append(benchmark)
            columnOfName[benchmark] = column
            columns.append(Array(repeating: nil, count: rows.count))
        }
        columns[column][row] = point
    }

    /// Adds a whole column.
    ///
    /// - Returns: `false`, changing nothing, when the name is taken or the column's length is not the table's.
    mutating func append(column: [SeriesPoint?], named name: String) -> Bool {
        guard columnOfName[name] == nil, column.count == rows.count else { return false }
        columnOfName[name] = names.count
        names.append(name)
        columns.append(column)
        return true
    }

    /// The same table with its columns in name order, without columns that have no point left.
    func sortedByName() -> SeriesTable {
        var sorted = SeriesTable(rows: rows)
        sorted.commits = commits
        let order = names.indices.filter { columns[$0].contains { $0 != nil } }.sorted { names[$0] < names[$1] }
        sorted.names = order.map { names[$0] }
        sorted.columns = order.map { columns[$0] }
        sorted.columnOfName = Dictionary(uniqueKeysWithValues: sorted.names.enumerated().map { ($1, $0) })
        return sorted
    }

    func column(named name: String) -> [SeriesPoint?]? {
        columnOfName[name].map { columns[$0] }
    }

    /// One commit's results, by name.
    func row(_ row: Int) -> [(name: String, point: SeriesPoint)] {
        names.indices.compactMap { column in columns[column][row].map { (names[column], $0) } }
    }

    /// A table of `keys`' rows, taking each row this table has for the same run and commit, and
    /// the keys it lacks.
    ///
    /// - Returns: The new table, and the positions of its rows still to be filled.
    func reused(for keys: [RowKey]) -> (table: SeriesTable, missing: [Int]) {
        let oldRow = Dictionary(rows.enumerated().map { ($1, $0) }) { first, _ in first }
        var table = SeriesTable(rows: keys)
        let mapping = keys.map { oldRow[$0] }
        table.names = names
        table.columnOfName = columnOfName
        table.columns = columns.map { old in mapping.map { $0.flatMap { old[$0] } } }
        table.commits = mapping.map { $0.flatMap { commits[$0] } }
        return (table, keys.indices.filter { mapping[$0] == nil })
    }

    /// The rows `range` of this table.
    func slice(_ range: Range<Int>) -> SeriesTable {
        var part = SeriesTable(rows: Array(rows[range]))
        part.commits = Array(commits[range])
        part.names = names
        part.columnOfName = columnOfName
        part.columns = columns.map { Array($0[range]) }
        return part
    }

    /// One table of `parts`' rows, in order.
    static func concatenating(_ parts: [SeriesTable]) -> SeriesTable {
        var table = SeriesTable(rows: parts.flatMap(\.rows))
        table.commits = parts.flatMap(\.commits)
        let names = Set(parts.flatMap(\.names)).sorted()
        for name in names {
            let column = parts.flatMap { part in part.column(named: name) ?? Array(repeating: nil, count: part.rowCount) }
            _ = table.append(column: column, named: name)
        }
        return table
    }
}
