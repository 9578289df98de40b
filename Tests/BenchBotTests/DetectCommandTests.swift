import BenchBot
import Foundation
import Testing

@Suite("benchbot detect")
struct DetectCommandTests {
    @Test("reads histories on stdin and writes each series' change points, with the culprit commits")
    func detect() async throws {
        var points: [String] = []
        for index in 0..<60 {
            let level = index < 25 ? 100.0 : 108.0
            let jitter = Double((index * 37) % 11) / 10 - 0.5
            points.append(#"{"commit": "c\#(index)", "samples": [\#(level + jitter), \#(level - jitter), \#(level)]}"#)
        }
        let flat = (0..<60).map { #"{"samples": [\#(50 + Double($0 % 5) * 0.1)]}"# }
        let input = #"{"series": [{"name": "parse", "direction": "lower_is_better", "points": [\#(points.joined(separator: ","))]},"# +
            #" {"name": "ops", "direction": "higher_is_better", "points": [\#(flat.joined(separator: ","))]}]}"#
        let result = try await BenchBotProcess.run(["detect"], input: input)
        #expect(result.succeeded, "\(result.standardError)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let series = try #require(output["series"] as? [[String: Any]])
        #expect(series.map { $0["name"] as? String } == ["parse", "ops"])
        #expect(series[0]["changepoints"] as? [Int] == [25])
        #expect(series[1]["changepoints"] as? [Int] == [])
        let detail = try #require((series[0]["details"] as? [[String: Any]])?.first)
        #expect(detail["commit"] as? String == "c25" && detail["kind"] as? String == "regression")
        #expect(detail["tentative"] as? Bool == false)
    }

    @Test("bad input names the field and exits 1")
    func badInput() async throws {
        let cases = [
            (#"{"series": [{"name": "a", "points": [{"samples": []}]}]}"#, "standard input: series[0].points[0].samples: missing or empty"),
            (#"{"series": [{"name": "a", "direction": "up", "points": []}]}"#, "standard input: series[0].direction: must be"),
            (#"{"series": [{"name": "a", "points": [{"samples": [1, "x"]}]}]}"#, "standard input: series[0].points[0].samples[1]: is not a finite number"),
            ("{\"series\": [", "standard input: line 1: column 13"),
        ]
        for (input, expected) in cases {
            let result = try await BenchBotProcess.run(["detect"], input: input)
            #expect(result.status == 1 && result.standardError.contains(expected), "\(input): \(result.standardError)")
        }
    }

    @Test("degenerate histories give no change points and no crash: empty, one point, all equal")
    func degenerate() async throws {
        let input = #"{"series": [{"name": "empty", "points": []}, {"name": "one", "points": [{"samples": [5]}]},"# +
            #" {"name": "flat", "points": [\#((0..<40).map { _ in #"{"samples": [7, 7]}"# }.joined(separator: ","))]}]}"#
        let result = try await BenchBotProcess.run(["detect"], input: input)
        #expect(result.succeeded, "\(result.standardError)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect((output["series"] as? [[String: Any]])?.map { $0["changepoints"] as? [Int] } == [[], [], []])
        let nan = try await BenchBotProcess.run(["detect"], input: #"{"series": [{"name": "a", "points": [{"samples": [NaN]}]}]}"#)
        #expect(nan.status == 1 && nan.standardError.contains("standard input: line 1: column"), "\(nan.standardError)")
    }

    @Test("--home gives the home's thresholds, per benchmark too; an explicit --minimum-effect wins")
    func homeThresholds() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setBenchBotSection("compare", ["minimum_effect": 0.05, "minimum_effects": ["steady": 0.5]])
            // A 4% step in both: below the home's 5%, above the default 1%.
            let step = { (name: String) in
                let points = (0..<40).map { index in
                    let level = index < 20 ? 100.0 : 104.0, jitter = Double((index * 37) % 11) / 100
                    return #"{"samples": [\#(level + jitter), \#(level - jitter)]}"#
                }
                return #"{"name": "\#(name)", "points": [\#(points.joined(separator: ","))]}"#
            }
            let input = #"{"series": [\#(step("parse")), \#(step("steady"))]}"#
            func changePoints(_ arguments: [String]) async throws -> [[Int]?] {
                let result = try await BenchBotProcess.run(["detect"] + arguments, input: input)
                #expect(result.succeeded, "\(result.standardError)")
                let output = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
                return (output["series"] as? [[String: Any]] ?? []).map { $0["changepoints"] as? [Int] }
            }
            #expect(try await changePoints([]) == [[20], [20]])
            #expect(try await changePoints(["--home", fixture.home]) == [[], []])
            try fixture.setBenchBotSection("compare", ["minimum_effect": 0.01, "minimum_effects": ["steady": 0.5]])
            #expect(try await changePoints(["--home", fixture.home]) == [[20], []])
            #expect(try await changePoints(["--home", fixture.home, "--minimum-effect", "0.01"]) == [[20], [20]])
            let missing = try await BenchBotProcess.run(["detect", "--home", root.appending(path: "nowhere")], input: input)
            #expect(missing.status == 1 && missing.standardError.contains("config.json"), "\(missing.standardError)")
        }
    }
}
