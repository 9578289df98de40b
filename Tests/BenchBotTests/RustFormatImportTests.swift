import BenchBot
import Foundation
import Testing

/// The Rust formats through the real `benchbot import`: a real output is stored; a truncated,
/// empty or other tool's file is refused with one line naming it, exit 1, and nothing stored.
@Suite("benchbot import: Rust formats")
struct RustFormatImportTests {
    static let fixtures = (#filePath as NSString).deletingLastPathComponent.appending(path: "Fixtures/formats")

    /// Each format, a real output of it, and how many lines of it make a cut that the format must refuse.
    static let cases: [(format: String, fixture: String, keptLines: Int, results: Int)] = [
        ("cargo-bench", "cargo-bench/two-binaries.rustc-1.63.txt", 17, 5),
        ("criterion-text", "criterion-text/second-run.criterion-0.3.6.txt", 26, 8),
        ("criterion-json", "criterion-json/groups.from-docs.ndjson", -1, 7),
        ("iai", "iai/second-run.from-docs.txt", 14, 10),
    ]

    @Test("a real output imports; a truncated, an empty and another tool's file are each refused in one line naming the file, storing nothing",
          arguments: cases.map(\.format))
    func refusals(format: String) async throws {
        let entry = try #require(Self.cases.first { $0.format == format })
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let whole = try String(contentsOfFile: Self.fixtures.appending(path: entry.fixture), encoding: .utf8)
            let truncated = root.appending(path: "truncated.txt"), empty = root.appending(path: "empty.txt"), other = root.appending(path: "other.txt")
            // A negative count cuts inside the last line, as a killed writer leaves a file.
            let cut = entry.keptLines >= 0 ? whole.components(separatedBy: "\n").prefix(entry.keptLines).joined(separator: "\n") : String(whole.dropLast(150))
            try cut.write(toFile: truncated, atomically: true, encoding: .utf8)
            try "\n\n".write(toFile: empty, atomically: true, encoding: .utf8)
            try Data(contentsOf: URL(fileURLWithPath: Self.fixtures.appending(path: "go-test.txt"))).write(to: URL(fileURLWithPath: other))
            for (file, reason) in [(truncated, entry.keptLines >= 0 ? "is truncated" : "the message is cut"), (empty, "is empty"), (other, "holds no")] {
                let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", format, file])
                let lines = result.standardError.split(separator: "\n")
                #expect(result.status == 1, "\(file): \(result.standardError)")
                #expect(lines.count == 1 && lines[0].contains("\(file): \(format): ") && lines[0].contains(reason), "\(result.standardError)")
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", format,
                                                            Self.fixtures.appending(path: entry.fixture)])
            #expect(output.contains("imported \(entry.results) result(s)"), "\(output)")
        }
    }
}
