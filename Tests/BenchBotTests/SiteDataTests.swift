@testable import BenchBot
import Compare
import Foundation
import Testing

@Suite("The site's numbers and series")
struct SiteDataTests {
    @Test("numbers print digit for digit as printf prints them, decimal ties and signs included")
    func numbersMatchPrintf() {
        var generator = SplitMix64(state: 42)
        var values: [Double] = [0, -0.0, 0.01, 0.00999, 99.95, 99.949_999, 100, 999_999.96, 1_000_000, 1.005, 0.125, 2.5, 12.345, -0.04, .infinity, .nan]
        for step in 0..<20_000 { values += [Double(step) / 1000, Double(step) / 200, -Double(step) / 8] }
        for _ in 0..<50_000 { values.append(pow(10, Double.random(in: -2.5...6.5, using: &generator)) * (Bool.random(using: &generator) ? 1 : -1)) }
        var mismatches: [String] = []
        for value in values {
            let expected = value != 0 && (abs(value) >= 1e6 || abs(value) < 0.01) || !value.isFinite
                ? String(format: "%.3g", value) : String(format: abs(value) >= 100 ? "%.1f" : "%.3g", value)
            if NumberText.compact(value) != expected { mismatches.append("\(value): \(NumberText.compact(value)), printf \(expected)") }
            if NumberText.signedPercent(value / 100) != String(format: "%+.1f%%", value / 100 * 100) {
                mismatches.append("\(value / 100) as a percentage: \(NumberText.signedPercent(value / 100)), printf \(String(format: "%+.1f%%", value / 100 * 100))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }

    static func point(_ median: Double, unit: String = "ns") -> SeriesPoint {
        SeriesPoint(median: median, sampleCount: 5, unit: unit, direction: .lowerIsBetter, minimum: median - 1, maximum: median + 1)
    }

    @Test("the series table survives its file, and reuses exactly the rows whose run and commit it still has")
    func seriesCache() throws {
        let keys = (0..<4).map { SeriesTable.RowKey(run: Int64($0 + 1), commit: String(repeating: "\($0)", count: 40)) }
        var table = SeriesTable(rows: keys)
        for row in 0..<4 { table.set(Self.point(Double(100 + row)), benchmark: "b/one", row: row) }
        table.set(Self.point(7, unit: "µs"), benchmark: "a[size=2]", row: 2)
        table = table.sortedByName()
        #expect(table.names == ["a[size=2]", "b/one"])

        let decoded = try #require(SeriesTable.decoded(table.encoded()))
        #expect(decoded.rows == table.rows && decoded.names == table.names && decoded.columns == table.columns)
        #expect(SeriesTable.decoded(table.encoded().dropLast()) == nil, "a cut file is not read")
        #expect(SeriesTable.decoded(Data("benchbot-series 1\n".utf8) + table.encoded().dropFirst(18)) == nil, "another version's file is not read")

        // Row 1 was measured again (a new run), row 3 left the history, and a new commit came.
        let next = [keys[0], SeriesTable.RowKey(run: 9, commit: keys[1].commit), keys[2], SeriesTable.RowKey(run: 10, commit: String(repeating: "e", count: 40))]
        let (reused, missing) = decoded.reused(for: next)
        #expect(missing == [1, 3])
        #expect(reused.column(named: "b/one") == [Self.point(100), nil, Self.point(102), nil])
        #expect(reused.column(named: "a[size=2]") == [nil, nil, Self.point(7, unit: "µs"), nil])

        // Kept as files of rows, read back whole.
        let parts = [decoded.slice(0..<1), decoded.slice(1..<4)].map { SeriesTable.decoded($0.encoded()) }
        let joined = SeriesTable.concatenating(parts.compactMap { $0 })
        #expect(parts.allSatisfy { $0 != nil } && joined.rows == table.rows && joined.names == table.names && joined.columns == table.columns)
    }

    @Test("names and JSON text are escaped, and file names keep only what every server serves as it is")
    func escaping() throws {
        #expect(SiteLayout.slug("group0/case[size=2]") == "group0~2Fcase~5Bsize~3D2~5D")
        #expect(SiteLayout.slug(".hidden.x") == "~2Ehidden.x" && SiteLayout.slug("é") == "~C3~A9")
        #expect(SiteHTML.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(SiteHTML.escape("Ünïcødé") == "Ünïcødé")
        let text = "tab\there \"quoted\" back\\slash \u{1} Ünï"
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(JSONText.string(text)), \(JSONText.number(0.1)), \(JSONText.number(1e300)), \(JSONText.number(3))]".utf8)) as? [Any]
        #expect(decoded?.first as? String == text && decoded?[1] as? Double == 0.1 && decoded?[2] as? Double == 1e300 && decoded?[3] as? Double == 3)
    }

    @Test("a name too long for a file name gets a short slug that is still unique, and ends on a whole escape")
    func longNames() {
        let long = String(repeating: "a", count: 300), other = long + "b"
        let slugs = [SiteLayout.slug(long), SiteLayout.slug(other), SiteLayout.slug(String(repeating: "\u{2028}", count: 40)),
                     SiteLayout.slug(String(repeating: "é", count: 200)), SiteLayout.slug("x" + String(repeating: "/", count: 100))]
        #expect(slugs.allSatisfy { $0.utf8.count <= SiteLayout.maximumLength }, "\(slugs.map(\.utf8.count))")
        #expect(Set(slugs).count == slugs.count)
        for slug in slugs {
            let start = slug.components(separatedBy: "~~")[0]
            #expect(start.range(of: "~[0-9A-F]?$", options: .regularExpression) == nil, "\(slug)")
        }
        #expect(SiteLayout.slug("short name") == "short~20name")
    }
}
