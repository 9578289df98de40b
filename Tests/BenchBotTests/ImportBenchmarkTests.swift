import BenchBot
import Foundation
import Testing

/// `benchbot bench import`'s per-parser comparison, run small: every generated file is the format's
/// own (its parser reads it), and every format that reads a file has a generator.
@Suite("bench import: parsers against python3")
struct ImportBenchmarkTests {
    @Test("every file format's generated output parses, and the table has one row per format with a ratio")
    func everyParserTimed() async throws {
        let result = try await BenchBotProcess.run(["bench", "import", "--parsers-only", "--size-mb", "0.2", "--repeat", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = result.standardOutput.split(separator: "\n").filter { $0.hasSuffix(" yes") || $0.hasSuffix(" NO") }
        let timed = Set(rows.compactMap { $0.split(separator: " ").first.map(String.init) })
        let expected = Set(BenchmarkFormat.allCases.filter { !$0.readsFolder }.map(\.rawValue))
        #expect(timed == expected, "missing: \(expected.subtracting(timed)); \(result.standardOutput)")
        for row in rows {
            let fields = row.split(separator: " ")
            #expect(fields.contains { $0.hasSuffix("x") && Double($0.dropLast()) != nil }, "no ratio in \(row)")
            #expect(Int(fields[3]).map { $0 > 0 } == true, "no series in \(row)")
        }
    }
}
