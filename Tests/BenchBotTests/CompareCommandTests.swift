import BenchBot
import Foundation
import Testing

@Suite("benchbot compare")
struct CompareCommandTests {
    /// Ten samples around `center` with a fixed ±0.5% jitter.
    static func samples(_ center: Double) -> String {
        [0.004, -0.003, 0.001, -0.005, 0.002, 0.0, -0.001, 0.003, -0.002, 0.005].map { String(center * (1 + $0)) }.joined(separator: ", ")
    }

    static func importRun(home: String, root: String, commit: String, parse: Double, render: Double = 50) async throws {
        let file = root.appending(path: "run-\(commit).json")
        try #"{"commit": "\#(commit)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(samples(parse))]}, {"name": "render", "unit": "ms", "samples": [\#(samples(render))]}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", file])
    }

    @Test("named commits, the nearest measured ancestor, and a branch against its merge base (queued first when unmeasured)")
    func compare() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 6)
            let main = try await (0..<6).asyncMap { try await fixture.head("main~\(5 - $0)") }
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "feature", main[2])
            let feature = try await fixture.commit("feature work", file: "feature.txt")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "feature")
            let enqueued = try await BenchBotProcess.succeed(["enqueue", "--home", home, "--branch", "feature"])
            #expect(enqueued.contains("its baseline, merge base \(main[2].prefix(10)), queued first"), "\(enqueued)")
            // main[4] regresses parse by 10%; main[2] is not measured yet.
            for (index, parse) in [(0, 100.0), (1, 100), (3, 100), (4, 110), (5, 110)] {
                try await Self.importRun(home: home, root: root, commit: main[index], parse: parse)
            }
            try await Self.importRun(home: home, root: root, commit: feature, parse: 100)

            let named = try await BenchBotProcess.succeed(["compare", "--home", home, main[3], main[4]])
            let parseLine = try #require(named.split(separator: "\n").first { $0.hasPrefix("parse") })
            #expect(parseLine.hasSuffix("regression") && parseLine.contains("+10.0%"), "\(named)")
            #expect(named.split(separator: "\n")[1].hasPrefix("BENCHMARK") && named.split(separator: "\n")[2].hasPrefix("parse"), "regressions first")
            #expect(named.contains("1 regression, 1 unchanged"), "\(named)")

            let automatic = try await BenchBotProcess.succeed(["compare", "--home", home, main[4]])
            #expect(automatic.hasPrefix("baseline \(main[3].prefix(10)) (nearest measured first-parent ancestor)"), "\(automatic)")

            let unmeasured = try await BenchBotProcess.run(["compare", "--home", home, main[2]])
            #expect(unmeasured.status == 1 && unmeasured.standardError.contains("has no run on machine"), "\(unmeasured.standardError)")

            let queued = try await BenchBotProcess.run(["compare", "--home", home, "feature"])
            #expect(queued.status == 1 && queued.standardError.contains("merge base \(main[2].prefix(10)), has no run"), "\(queued.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).contains { $0.commit == main[2] && $0.state == "queued" })

            try await Self.importRun(home: home, root: root, commit: main[2], parse: 100)
            let json = try await BenchBotProcess.succeed(["compare", "--home", home, "feature", "--format", "json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(document["baseline"] as? String == main[2] && document["baseline_reason"] as? String == "merge base with the tracked branch")
            let verdicts = (document["benchmarks"] as? [[String: Any]] ?? []).map { "\($0["name"]!)=\($0["verdict"]!)" }
            // Against main's tip the feature would look 10% faster; against its merge base it is unchanged.
            #expect(verdicts == ["parse=unchanged", "render=unchanged"], "\(json)")

            let markdown = try await BenchBotProcess.succeed(["compare", "--home", home, main[3], main[4], "--format", "markdown"])
            #expect(markdown.contains("| `parse` |") && markdown.contains("**regression**"))
            #expect(markdown.contains("<details><summary>1 unchanged</summary>"), "\(markdown)")
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
