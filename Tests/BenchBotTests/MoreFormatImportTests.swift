import BenchBot
import Foundation
import Testing

/// `benchbot import` of the formats in ``MoreFormatTests``: a real output is stored; a truncated,
/// empty or wrong-format file stops the import with one line naming the file, and stores nothing.
@Suite("benchbot import: more formats")
struct MoreFormatImportTests {
    /// A good output of each format, a cut of it the reader must refuse, and another tool's output.
    static let cases: [(format: String, fixture: String, cutAt: Double, wrong: String, imported: Int)] = [
        ("gab-custom", "gab-custom/smaller.from-docs.json", 0.5, "bencher-json/metrics.from-docs.json", 3),
        ("gab-custom-bigger", "gab-custom/bigger.from-docs.json", 0.5, "julia-benchmarktools/suite.from-docs.json", 2),
        ("bencher-json", "bencher-json/metrics.from-docs.json", 0.5, "gab-custom/smaller.from-docs.json", 6),
        ("catch2", "catch2/xml.2.13.10.xml", 0.5, "benchmark-js/suite.2.1.4.txt", 4),
        ("catch2", "catch2/console.2.13.10.txt", 0.6, "google-benchmark.json", 4),
        ("benchmark-js", "benchmark-js/suite.2.1.4.txt", 0.3, "catch2/console.2.13.10.txt", 4),
        ("julia-benchmarktools", "julia-benchmarktools/suite.from-docs.json", 0.5, "hyperfine.json", 9),
    ]

    static func fixtures() -> String {
        ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/formats")
    }

    @Test("a real output imports; truncated, empty and wrong-format files exit 1 with one line naming the file, storing nothing",
          arguments: 0..<cases.count)
    func refusals(index: Int) async throws {
        let testCase = Self.cases[index]
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let good = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures().appending(path: testCase.fixture)))
            let cut = root.appending(path: "cut.out"), empty = root.appending(path: "empty.out"), wrong = root.appending(path: "wrong.out")
            try good.prefix(Int(Double(good.count) * testCase.cutAt)).write(to: URL(fileURLWithPath: cut))
            try Data("\n  \n".utf8).write(to: URL(fileURLWithPath: empty))
            try Data(contentsOf: URL(fileURLWithPath: Self.fixtures().appending(path: testCase.wrong))).write(to: URL(fileURLWithPath: wrong))
            for file in [cut, empty, wrong] {
                let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", testCase.format, file])
                let lines = result.standardError.split(separator: "\n")
                #expect(result.status == 1, "\(testCase.format) \(file): \(result.standardError)")
                #expect(lines.count == 1 && lines[0].contains("\(file): \(testCase.format): "), "\(testCase.format): \(result.standardError)")
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", testCase.format,
                                                            Self.fixtures().appending(path: testCase.fixture)])
            #expect(output.contains("imported \(testCase.imported) result(s)"), "\(output)")
        }
    }
}
