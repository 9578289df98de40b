import BenchBot
import Foundation
import Testing

/// `--format auto`: every fixture is recognised as its own format, and by no other.
@Suite("--format auto")
struct FormatRecognitionTests {
    /// One fixture and the format it is output of.
    struct Fixture: Sendable {
        let path: String
        let format: BenchmarkFormat
        var isFolder: Bool { format.readsFolder }
    }

    static let folder = (#filePath as NSString).deletingLastPathComponent.appending(path: "Fixtures/formats")

    /// Every fixture under `Fixtures/formats`, so each new format's fixtures join these tests.
    ///
    /// A folder `formats/<format>/` (or `formats/<format>-<what>/`) holds that format's files, at any
    /// depth, or, for a format whose output is a folder (criterion), is itself one. A file directly in `formats/` is named after its
    /// format: `<format>.<what>.json`, or `<format>-<what>.json` (`jmh-package-benchmark.json`).
    static func fixtures() throws -> [Fixture] {
        var found: [Fixture] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where !name.hasSuffix(".md") {
            let path = folder.appending(path: name)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            // What is not a tool's results (package-benchmark's thresholds files) is refused, not recognised.
            if name.hasSuffix("-thresholds") { continue }
            if isFolder.boolValue {
                let stem = String(name.split(separator: ".")[0])
                let format = try #require(BenchmarkFormat(rawValue: name)
                    ?? BenchmarkFormat.allCases.filter { stem.hasPrefix($0.rawValue + "-") }.max { $0.rawValue.count < $1.rawValue.count },
                    "formats/\(name)/ is named after no format")
                if format.readsFolder {
                    found.append(Fixture(path: path, format: format))
                    continue
                }
                // Sorted: a directory lists in an order of its own per checkout, and the fuzz cases
                // drawn from these fixtures must be the same in every clone for a seed to replay.
                let walker = try #require(FileManager.default.enumerator(atPath: path))
                var files: [String] = []
                while let relative = walker.nextObject() as? String {
                    var nested: ObjCBool = false
                    let file = path.appending(path: relative)
                    if FileManager.default.fileExists(atPath: file, isDirectory: &nested), !nested.boolValue, !relative.hasSuffix(".md") {
                        files.append(file)
                    }
                }
                found += files.sorted().map { Fixture(path: $0, format: format) }
            } else {
                let stem = String(name.split(separator: ".")[0])
                let format = try #require(BenchmarkFormat(rawValue: stem)
                    ?? BenchmarkFormat.allCases.filter { stem.hasPrefix($0.rawValue + "-") }.max { $0.rawValue.count < $1.rawValue.count },
                    "formats/\(name) is named after no format")
                found.append(Fixture(path: path, format: format))
            }
        }
        // Files kept to be refused (a truncated output, asv's benchmarks.json) are no format's output.
        return found.filter { (try? $0.format.parse(contentsOf: $0.path)) != nil }
    }

    static func probe(_ path: String) throws -> FormatProbe {
        FormatProbe(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("every fixture is recognised as exactly its format, and every format but relay-data and gab-custom-bigger has one")
    func everyFixture() throws {
        let fixtures = try Self.fixtures()
        for fixture in fixtures {
            if fixture.isFolder {
                #expect(BenchmarkFormat.recognizeFolder(fixture.path) == fixture.format, "\(fixture.path)")
            } else {
                #expect(try BenchmarkFormat.recognize(try Self.probe(fixture.path), file: fixture.path) == fixture.format, "\(fixture.path)")
                #expect(BenchmarkFormat.recognizeFolder(fixture.path) == nil)
            }
        }
        let covered = Set(fixtures.map(\.format))
        // gab-custom-bigger reads the same files as gab-custom: only the user can say which it is.
        #expect(BenchmarkFormat.allCases.filter { ![.relayData, .gabCustomBigger].contains($0) && !covered.contains($0) }.isEmpty, "formats without a fixture")
    }

    @Test("no fixture is claimed by two formats")
    func noFixtureClaimedTwice() throws {
        for fixture in try Self.fixtures() where !fixture.isFolder {
            let probe = try Self.probe(fixture.path)
            let claimants = BenchmarkFormat.allCases.filter { $0.recognizes(probe) }
            #expect(claimants == [fixture.format], "\(fixture.path) is claimed by \(claimants.map(\.rawValue))")
        }
    }

    @Test("content two formats claim, and content none claims, are refused naming the file, the candidates or every format")
    func ambiguousAndUnknown() {
        let both = FormatProbe(Data(#"{"machine": {}, "results": [{"target": "t", "name": "n", "command": "c", "times": [1]}]}"#.utf8))
        do {
            _ = try BenchmarkFormat.recognize(both, file: "both.json")
            Issue.record("two formats claim it, and it was recognised")
        } catch {
            #expect(error.description == "both.json: --format auto cannot tell its format: it could be hyperfine or package-benchmark; pass --format with the one it is")
        }
        do {
            _ = try BenchmarkFormat.recognize(FormatProbe(Data(#"{"speed": 1}"#.utf8)), file: "other.json")
            Issue.record("no format claims it, and it was recognised")
        } catch {
            #expect(error.description.hasPrefix("other.json: --format auto cannot tell its format"))
            for format in BenchmarkFormat.allCases { #expect(error.description.contains(format.rawValue), "\(format)") }
            #expect(error.description.contains("relay-data is never guessed") && error.description.contains("pass --format"))
        }
        #expect(throws: FormatError.self) { try BenchmarkFormat.recognize(FormatProbe(Data()), file: "empty.txt") }
    }

    @Test("benchbot import without --format reads each file and folder as its format, says which, and refuses what it cannot tell")
    func importWithoutFormat() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let inputs = root.appending(path: "inputs")
            try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: true)
            for name in ["hyperfine.json", "go-test.txt"] {
                try FileManager.default.copyItem(atPath: Self.folder.appending(path: name), toPath: inputs.appending(path: name))
            }
            let criterion = Self.folder.appending(path: "criterion")
            let output = try await BenchBotProcess.succeed(["import", "--home", home, "--commit", "main", inputs, criterion])
            #expect(output.contains("\(inputs.appending(path: "go-test.txt")): read as go-test\n"), "\(output)")
            #expect(output.contains("\(inputs.appending(path: "hyperfine.json")): read as hyperfine\n"), "\(output)")
            #expect(output.contains("\(criterion): read as criterion\n"), "\(output)")

            let both = root.appending(path: "both.json")
            try #"{"machine": {}, "results": [{"target": "t", "name": "n", "command": "c", "times": [1]}]}"#.write(toFile: both, atomically: true, encoding: .utf8)
            let refused = try await BenchBotProcess.run(["import", "--home", home, "--commit", "main", "--format", "auto", both])
            #expect(refused.status == 1 && refused.standardError.contains("\(both): --format auto cannot tell its format: it could be hyperfine or package-benchmark"),
                    "\(refused.standardError)")
            #expect(refused.standardOutput.isEmpty)
        }
    }
}
