@testable import BenchBot
import Foundation
import Testing

/// Text outputs saved on Windows end their lines with `\r\n`: they read as the same file with `\n`.
@Suite("formats: CRLF line endings")
struct LineEndingTests {
    /// A real or documented output of every text format (and the JSON Lines ones).
    static let textOutputs: [(format: BenchmarkFormat, fixture: String)] = [
        (.goTest, "go-test/two-packages.go1.19.8.txt"), (.goTest, "go-test/failures-v.go1.19.8.txt"), (.goTest, "go-test.txt"),
        (.goTestJSON, "go-test-json/two-packages.go1.19.8.jsonl"), (.goTestJSON, "go-test-json/failures.go1.19.8.jsonl"),
        (.asv, "asv/console.asv0.6.6.txt"), (.asv, "asv/console.asv0.5.1.txt"),
        (.catch2, "catch2/console.2.13.10.txt"), (.catch2, "catch2/failing.2.13.10.txt"), (.catch2, "catch2/sections.2.13.10.txt"),
        (.catch2, "catch2/xml.2.13.10.xml"), (.catch2, "catch2/console-v3.from-docs.txt"),
        (.benchmarkJS, "benchmark-js/suite.2.1.4.txt"),
        (.cargoBench, "cargo-bench/two-binaries.rustc-1.97-nightly.txt"), (.cargoBench, "cargo-bench/panic.rustc-1.63.txt"),
        (.criterionText, "criterion-text/second-run.criterion-0.3.6.txt"), (.criterionText, "criterion-text/panic.criterion-0.3.6.txt"),
        (.criterionJSON, "criterion-json/groups.from-docs.ndjson"),
        (.iai, "iai/second-run.from-docs.txt"), (.iai, "iai/panic.from-docs.txt"),
        (.iaiCallgrind, "iai-callgrind/second-run-regressed.from-docs.txt"), (.iaiCallgrind, "iai-callgrind/failure.from-docs.txt"),
    ]

    /// `text` with every `\n` made `\r\n`.
    static func crlf(_ data: Data) -> Data {
        var out = Data()
        for byte in data {
            if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: "\r")) }
            out.append(byte)
        }
        return out
    }

    @Test("every text format reads a CRLF file as the LF file: the same results, failures and warnings, or the same refusal",
          arguments: textOutputs.indices)
    func sameAsLF(_ index: Int) throws {
        let (format, fixture) = Self.textOutputs[index]
        let lf = FuzzCorpus.fixture(fixture)
        try #require(!lf.isEmpty && !lf.contains(UInt8(ascii: "\r")), "\(fixture)")
        let expected = Result { () throws(FormatError) in try format.parse(lf, file: "out.txt") }
        let read = Result { () throws(FormatError) in try format.parse(Self.crlf(lf), file: "out.txt") }
        switch (expected, read) {
        case (.success(let expected), .success(let read)):
            #expect(read.results == expected.results, "\(fixture)")
            #expect(read.failures == expected.failures, "\(fixture)")
            #expect(read.warnings == expected.warnings, "\(fixture)")
        case (.failure(let expected), .failure(let read)):
            #expect(read.description == expected.description, "\(fixture)")
        default:
            Issue.record("\(fixture): LF \(expected), CRLF \(read)")
        }
    }

    @Test("--format auto recognises every text format's CRLF file as it recognises the LF file", arguments: textOutputs.indices)
    func recognisedAsLF(_ index: Int) throws {
        let (format, fixture) = Self.textOutputs[index]
        let lf = FuzzCorpus.fixture(fixture)
        guard let expected = try? BenchmarkFormat.recognize(FormatProbe(lf), file: fixture) else { return }
        #expect(expected == format, "\(fixture)")
        #expect(try BenchmarkFormat.recognize(FormatProbe(Self.crlf(lf)), file: fixture) == expected, "\(fixture)")
    }

    @Test("go test output saved with CRLF line endings imports as the LF file does, through benchbot import")
    func goTestImport() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let file = root.appending(path: "windows.txt")
            try Self.crlf(FuzzCorpus.fixture("go-test/two-packages.go1.19.8.txt")).write(to: URL(fileURLWithPath: file))
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", "--format", "go-test", file])
            let expected = try BenchmarkFormat.goTest.parse(FuzzCorpus.fixture("go-test/two-packages.go1.19.8.txt"), file: file)
            #expect(output.contains("imported \(expected.results.count) result(s)"), "\(output)")
            let commit = try #require(ObjectID(hex: try await fixture.head("main")))
            let runs = try await SQLiteStore.open(path: home.appending(path: "benchbot.sqlite")).runs(repository: "origin", commit: commit)
            let stored = runs.flatMap(\.results).sorted { $0.displayName < $1.displayName }
            #expect(stored == expected.results.sorted { $0.displayName < $1.displayName })
        }
    }
}
