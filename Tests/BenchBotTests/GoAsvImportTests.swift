import BenchBot
import Foundation
import Testing

/// `benchbot import` on bad go-test, go-test-json and asv files: exit 1, one line naming the file, nothing stored.
@Suite("benchbot import: go test and asv refusals")
struct GoAsvImportTests {
    /// A real output of each format, to cut short and to import whole.
    static let realOutputs: [(format: String, fixture: String)] = [
        ("go-test", "go-test/two-packages.go1.19.8.txt"),
        ("go-test-json", "go-test-json/two-packages.go1.19.8.jsonl"),
        ("asv", "asv/results.asv0.6.6.json"),
        ("asv", "asv/console.asv0.6.6.txt"),
    ]

    @Test("a truncated, an empty and a wrong-format file: exit 1, one line naming the file and the reason, nothing stored",
          arguments: realOutputs.map(\.format).enumerated().map { $0.offset })
    func refusals(_ index: Int) async throws {
        let (format, fixture) = Self.realOutputs[index]
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let real = try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: fixture)))
            let lines = String(decoding: real, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let cases: [(name: String, content: String, reason: String)] = [
                ("truncated.txt", lines.prefix(lines.count / 2).joined(separator: "\n") + "\n", "truncated"),
                ("empty.txt", "", "is empty"),
                ("wrong.json", String(decoding: try Data(contentsOf: URL(fileURLWithPath: FuzzCorpus.folder.appending(path: "hyperfine.json"))), as: UTF8.self), "is this really"),
            ]
            for item in cases {
                let file = root.appending(path: item.name)
                try item.content.write(toFile: file, atomically: true, encoding: .utf8)
                let result = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", format, file])
                let message = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(result.status == 1, "\(format) \(item.name): \(result.status) \(message)")
                #expect(message.contains("\(file): \(format): ") && message.contains(item.reason), "\(format) \(item.name): \(message)")
                #expect(!message.contains("\n"), "\(format) \(item.name): \(message)")
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
            // The whole file imports: what was refused was the cut, not the format.
            let whole = root.appending(path: "whole.txt")
            try real.write(to: URL(fileURLWithPath: whole))
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", format, whole])
            #expect(output.contains("imported "), "\(output)")
        }
    }
}
