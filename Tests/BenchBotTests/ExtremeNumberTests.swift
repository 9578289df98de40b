import Compare
import Foundation
import GRDB
@testable import BenchBot
import Testing

/// Numbers at the edges of a double: refused where they enter, and survived where they are
/// already stored (a store written before the check, or edited by hand).
@Suite("Extreme numbers")
struct ExtremeNumberTests {
    static let largest = Double.greatestFiniteMagnitude
    static let tiny = Double.leastNonzeroMagnitude
    static let extremes: [Double] = [largest, -largest, tiny, -tiny, -0.0, 0, 2.2250738585072014e-308, 1e100, -1e100, 1.8446744073709552e19]

    @Test("numbers beyond a double are refused by the parser with their line", arguments: ["1e999", "-1e999", "1e+99999999999", "[1,\n2e400]"])
    func overflowRefused(text: String) {
        #expect {
            try JSONValue.parse(Data(text.utf8))
        } throws: { error in
            let syntax = error as? JSONSyntaxError
            return syntax?.reason.contains("beyond the largest double") == true && syntax?.line == (text.contains("\n") ? 2 : 1)
        }
    }

    @Test("underflow, subnormals and -0 parse as the doubles they are")
    func smallNumbers() throws {
        #expect(try JSONValue.parse(Data("1e-400".utf8)) == .number(0))
        #expect(try JSONValue.parse(Data("5e-324".utf8)) == .number(Self.tiny))
        guard case .number(let zero) = try JSONValue.parse(Data("-0".utf8)) else { Issue.record("not a number"); return }
        #expect(zero == 0 && zero.sign == .minus)
        #expect(try JSONValue.parse(Data("1.7976931348623157e308".utf8)) == .number(Self.largest))
    }

    @Test("a data.json with 1e999 is refused naming the file and line; with ±max naming the series and the fix")
    func dataFile() throws {
        #expect {
            try BenchmarkFormat.relayData.parse(Data("{\"cpu\": {\n\"x\": [1, 1e999]}}".utf8), file: "data/x.json")
        } throws: { "\($0)".hasPrefix("data/x.json: relay-data: line 2: column") && "\($0)".contains("beyond the largest double") }
        #expect {
            try BenchmarkFormat.relayData.parse(Data("{\"cpu\": {\"x\": [1, -1.7976931348623157e308]}}".utf8), file: "data/x.json")
        } throws: { "\($0)".hasPrefix("data/x.json: relay-data: cpu.x sample 2: is -1.7976931348623157e+308, beyond ±1e100") }
        let fine = try BenchmarkFormat.relayData.parse(Data("{\"cpu\": {\"x\": [5e-324, -0, 1e100, 0]}}".utf8), file: "data/x.json").results
        #expect(fine.first?.samples == [Self.tiny, 0, 1e100, 0])
    }

    @Test("a parsed value that is not finite never turns a written document into null")
    func encodingKeepsTheDocument() throws {
        let written = JSONValue.object(["a": .number(.infinity), "b": .number(1)]).prettyPrinted()
        #expect(try JSONValue.parse(written) == .object(["a": .null, "b": .number(1)]))
    }

    @Test("statistics, number text and plots take any finite double without trapping")
    func computations() throws {
        for first in Self.extremes {
            for second in Self.extremes {
                let summary = try #require(SampleSummary([first, second, first]))
                #expect(!summary.median.isNaN && !summary.mean.isNaN && !summary.standardDeviation.isNaN, "\(first), \(second): \(summary)")
                _ = NoiseAssessment(summary).canResolve()
                _ = ShiftEstimate(baseline: [first, first, second], candidate: [second, first, second])
                _ = TrimmedMeanTest([first, second, first, second, first, second]).map { $0.interval(confidence: 0.95) }
                _ = HistoricalNoise.estimate(medians: Array(repeating: first, count: 6) + Array(repeating: second, count: 6))
                for value in [first, second, summary.mean, summary.standardDeviation, first - second] {
                    _ = NumberText.compact(value)
                    _ = NumberText.signedPercent(value)
                    _ = NumberText.fixed(value, decimals: 1, trimmingZeros: false)
                    _ = JSONText.number(value)
                }
                let plot = SVGPlot(id: "p", title: "t", unit: "ns", points: [
                    .init(commit: "a", label: "a", median: first, minimum: min(first, second), maximum: max(first, second)),
                    .init(commit: "b", label: "b", median: second, minimum: second, maximum: second),
                ], marks: ["b": .regression])
                let svg = plot.svg()
                #expect(!svg.contains("nan") && !svg.contains("inf"), "\(first), \(second): \(svg)")
            }
        }
        #expect(NumberText.fixed(Self.largest, decimals: 1, trimmingZeros: false).hasPrefix("17976931348623157"))
        #expect(NumberText.fixed(-1e20, decimals: 1, trimmingZeros: true) == "-100000000000000000000")
    }

    /// A home whose store holds, through the store's own API, samples no check would let in now.
    static func homeWithStoredExtremes(in root: String) async throws -> (home: String, commits: [String]) {
        let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 5)
        let commits = try await (0..<5).asyncMap { try await fixture.head("main~\(4 - $0)") }
        for commit in commits.prefix(2) {
            try await CompareCommandTests.importRun(home: home, root: root, commit: commit, parse: 100)
        }
        let store = try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
        let hand: [[Double]] = [[largest, -largest, largest], [largest, largest, largest, tiny], [-0.0, tiny, -largest]]
        for (index, commit) in commits.dropFirst(2).enumerated() {
            let id = try #require(ObjectID(hex: commit))
            let parent = try #require(ObjectID(hex: commits[index + 1]))
            let metadata = CommitMetadata(id: id, parents: [parent], authorName: "A", authorEmail: "a@example.org", authorTime: Date(), subject: "extreme \(index)")
            let request = EnqueueRequest(repository: "origin", repositoryURL: fixture.origin, commits: [metadata], suite: "default",
                                         machine: ProcessInfo.processInfo.hostName, branch: "main", source: .import)
            let results = [BenchmarkResult(benchmark: "parse", unit: "ms", direction: .lowerIsBetter, samples: hand[index]),
                           BenchmarkResult(benchmark: "render", unit: "ms", direction: .lowerIsBetter, samples: hand[(index + 1) % 3])]
            _ = try await store.importRun(request, startedAt: Date(), finishedAt: Date(), environment: [:], results: results, failures: [],
                                          contentDigests: ["extreme-\(index)"], replace: false)
        }
        // What an older version stored for such samples: its NaN statistics became NULL columns.
        let database = try DatabaseQueue(path: home.appending(path: "benchbot.sqlite"))
        try await database.write { db in
            try db.execute(sql: """
                UPDATE result SET standard_deviation = NULL, coefficient_of_variation = NULL, minimum_detectable_change = NULL, mean = NULL
                WHERE run_id = (SELECT MAX(id) FROM run)
                """)
            try db.execute(sql: "UPDATE result SET standard_deviation = NULL WHERE run_id = (SELECT MAX(id) - 1 FROM run)")
        }
        return (home, commits)
    }

    @Test("site, results, compare and changes read ±max, subnormals and -0 from the store without crashing")
    func storedExtremes() async throws {
        try await withTemporaryDirectory { root in
            let (home, commits) = try await Self.homeWithStoredExtremes(in: root)
            let status = try await BenchBotProcess.succeed(["status", "--home", home])
            #expect(status.contains("extreme 2"), "the hand-made runs belong to this home's repository and machine: \(status)")
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])
            _ = try SiteTests.checkLinks(in: site)
            for commit in commits {
                for format in ["text", "json"] {
                    let results = try await BenchBotProcess.succeed(["results", "--home", home, commit, "--format", format])
                    if format == "json" { #expect((try? JSONSerialization.jsonObject(with: Data(results.utf8))) != nil, "\(results)") }
                }
            }
            for (baseline, candidate) in zip(commits, commits.dropFirst()) {
                for format in ["text", "markdown", "json"] {
                    let compared = try await BenchBotProcess.succeed(["compare", "--home", home, baseline, candidate, "--format", format])
                    if format == "json" { #expect((try? JSONSerialization.jsonObject(with: Data(compared.utf8))) != nil, "\(compared)") }
                }
            }
            try await BenchBotProcess.succeed(["changes", "--home", home])
            try await BenchBotProcess.succeed(["changes", "--home", home, "--format", "json"])
        }
    }

    @Test("importing a data.json with ±max or 1e999 fails naming the file, and stores nothing")
    func importRefused() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let commit = try await fixture.head()
            for (name, text) in [("max.json", "{\"x\": [1.7976931348623157e308, -1.7976931348623157e308]}"), ("inf.json", "{\"x\": [1e999]}")] {
                let file = root.appending(path: name)
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                let result = try await BenchBotProcess.run(["import", "--home", home, "--format", "relay-data", "--commit", commit, file])
                #expect(result.status == 1 && result.standardError.contains(file), "\(result.status): \(result.standardError)")
                #expect(result.standardError.split(separator: "\n").count == 1, "one line: \(result.standardError)")
                #expect(try String(contentsOfFile: file, encoding: .utf8) == text, "the file is left as it was")
            }
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("an experiment whose data.json holds 1e999 or ±max fails at analysis naming the file and the fix; no data file becomes null")
    func experimentData() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            for (name, document) in [("a_inf", #"{"loop": {"us": [2, 1e999]}}"#), ("b_max", #"{"loop": {"us": [2, -1.7976931348623157e308]}}"#)] {
                var stages = RunnerFixture.timingStages
                stages["analyze.sh"] = """
                    #!/bin/sh
                    printf '%s' '\(document)' > "$3/data.json"
                    echo '{"success": true, "message": ""}' > "$3/status.json"
                    """
                try fixture.addExperiment(name, scripts: stages)
            }
            try fixture.addExperiment("c_loop", scripts: RunnerFixture.timingStages)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            let text = output.standardOutput + output.standardError
            #expect(text.contains("a_inf: failed at analysis") && text.contains("b_max: failed at analysis") && text.contains("c_loop: ok"), "\(text)")
            #expect(text.contains("data.json: invalid JSON at line 1, column 21") && text.contains("beyond the largest double"), "\(text)")
            #expect(text.contains("loop.us sample 2: is -1.7976931348623157e+308, beyond ±1e100"), "\(text)")
            let data = fixture.home.appending(path: "results/experiments/data")
            for file in (FileManager.default.enumerator(atPath: data)?.compactMap { $0 as? String } ?? []) where file.hasSuffix(".json") {
                let content = try String(contentsOfFile: data.appending(path: file), encoding: .utf8)
                #expect(content.trimmingCharacters(in: .whitespacesAndNewlines) != "null", "\(file) was written as null")
                #expect(!file.hasPrefix("a_inf") && !file.hasPrefix("b_max"), "\(file): a refused data.json is not kept as a result")
            }
        }
    }
}
