import BenchBot
import Compare
import Foundation
import Testing

/// A command experiment's tool that marks benchmarks failed, or reports custom units.
@Suite("Command experiments: the tool's failures and custom units")
struct CommandExperimentFormatTests {
    @Test("benchmarks the tool marked failed fail the experiment, named with the tool's reason; the other results are kept")
    func failuresNamed() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let errors = ImportFormatFixesTests.fixture("google-benchmark/errors.1.7.1.json")
            try fixture.addExperiment("gb", config: ["active": true, "format": "google-benchmark", "repeat": 2,
                                                     "command": ["cat", errors]], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("gb: failed at run") && output.contains("2 benchmark(s) failed: BM_Open[arg0=4096]: input too large for the fixture; "
                + "BM_Broken: could not open data.bin; the other 3 result(s) are kept"), "\(output)")
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            #expect(Set(run.results.map(\.displayName)) == ["gb.BM_Sum[arg0=8]", "gb.BM_Sum[arg0=512]", "gb.BM_Open[arg0=16]"])
            #expect(run.results.allSatisfy { $0.samples.count == 6 })
        }
    }

    @Test("a custom unit's guessed direction is said in the experiment's message; \"directions\" sets it; a bad one fails the precheck")
    func customUnitDirections() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let print = ["printf", #"{"benchmarks": [{"name": "sort", "parameters": {"n": "8"}, "unit": "compares/op", "samples": [31, 30]}]}"#]
            try fixture.addExperiment("a_guessed", config: ["active": true, "format": "benchbot-json", "command": print], scripts: [:])
            try fixture.addExperiment("b_set", config: ["active": true, "format": "benchbot-json", "command": print,
                                                        "directions": ["sort*": "higher"]], scripts: [:])
            try fixture.addExperiment("c_bad", config: ["active": true, "format": "benchbot-json", "command": print,
                                                        "directions": ["sort": "up"]], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("a_guessed: ok") && output.contains("unit 'compares/op' of sort[n=8]: guessed lower is better"), "\(output)")
            #expect(output.contains("b_set: ok") && output.split(separator: "\n").filter { $0.contains("b_set") }.allSatisfy { !$0.contains("guessed") }, "\(output)")
            #expect(output.contains("c_bad: failed at precheck") && output.contains("directions.sort: is 'up', expected \"higher\" or \"lower\""), "\(output)")
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            let directions = Dictionary(uniqueKeysWithValues: run.results.map { ($0.displayName, $0.direction) })
            #expect(directions == ["a_guessed.sort[n=8]": .lowerIsBetter, "b_set.sort[n=8]": .higherIsBetter])
        }
    }
}
