import BenchBot
import Foundation
import Testing

@Suite("Command experiments")
struct CommandExperimentTests {
    /// Times the fixture's built program once and prints it as benchbot-json; counts its launches.
    static func timingCommand(counter: String) -> [String] {
        ["sh", "-c", """
            echo launch >> "\(counter)"
            start=$(date +%s%N); ./loop > /dev/null; end=$(date +%s%N)
            printf '{"benchmarks": [{"name": "loop", "unit": "ns", "samples": [%s]}]}' $((end - start))
            """]
    }

    @Test("repeat: 10 stores 10 samples per benchmark; warmup launches run and are discarded")
    func repeatTen() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let counter = root.appending(path: "launches")
            try fixture.addExperiment("timed", config: ["active": true, "command": Self.timingCommand(counter: counter),
                                                        "format": "benchbot-json", "repeat": 10, "warmup": 2], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("timed: ok"), "\(output)")
            #expect(try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count == 12)
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            #expect(run.results.map(\.benchmark) == ["timed.loop"])
            #expect(run.results.first?.samples.count == 10)
            let summary = try fixture.json("results/experiments/summary/timed/summary.json")
            #expect((summary["value"] as? String)?.hasPrefix("1 benchmark(s), 10–10 samples each") == true)
            let dataFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "results/experiments/data/timed"))
            #expect(dataFiles.count == 1)
        }
    }

    @Test("a tool whose output is bad fails its experiment with the file, format and field; the others go on")
    func badOutput() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addExperiment("a_garbled", config: ["active": true, "command": ["sh", "-c", "printf '{\"results\": [{\"command\": \"x\", \"times\": [0.1'"],
                                                            "format": "hyperfine"], scripts: [:])
            try fixture.addExperiment("b_written", config: ["active": true, "format": "google-benchmark", "output": "out.json",
                                                            "command": ["sh", "-c", "echo '{\"benchmarks\": []}' > out.json"]], scripts: [:])
            try fixture.addExperiment("c_good", config: ["active": true, "command": Self.timingCommand(counter: root.appending(path: "n")),
                                                         "format": "benchbot-json", "repeat": 3], scripts: [:])
            try fixture.addExperiment("d_unknown_format", config: ["active": true, "command": ["true"], "format": "csv"], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("a_garbled: failed at run"), "\(output)")
            #expect(output.contains("hyperfine: line 1:"), "\(output)")
            #expect(output.contains("b_written: failed at run") && output.contains("out.json: google-benchmark: -: holds no benchmark results"), "\(output)")
            #expect(output.contains("c_good: ok"), "\(output)")
            #expect(output.contains("d_unknown_format: failed at precheck") && output.contains("format: is 'csv'"), "\(output)")
        }
    }

    @Test("a tool that writes a folder (criterion's target/criterion) is read from the folder, launch after launch")
    func criterionFolder() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let criterion = (((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/formats/criterion"))
            try fixture.addExperiment("rust", config: ["active": true, "format": "criterion", "output": "target/criterion", "repeat": 2,
                                                       "command": ["sh", "-c", "mkdir -p target && cp -r \"$0\" target/criterion", criterion]], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("rust: ok"), "\(output)")
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await fixture.store().runs(repository: "origin", commit: tip).first)
            #expect(run.results.map(\.displayName).sorted() == ["rust.fib 15", "rust.sort/unstable[input=4096]", "rust.sort/unstable[input=64]"])
            #expect(run.results.allSatisfy { $0.samples.count == 20 })
        }
    }

    @Test("a noisy benchmark is flagged as unable to judge a 1% change")
    func noisyFlagged() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let noisy = #"{"benchmarks": [{"name": "jittery", "unit": "ms", "samples": [10, 14, 9, 16, 11]}, {"name": "steady", "unit": "ms", "samples": [10, 10, 10, 10, 10.001]}]}"#
            try fixture.addExperiment("noise", config: ["active": true, "command": ["printf", "%s", noisy], "format": "benchbot-json"], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("noise: ok") && output.contains("too noisy to judge a 1% change (fix the benchmark, not the code): jittery"), "\(output)")
            #expect(!output.contains("steady"), "\(output)")

            let table = try await BenchBotProcess.succeed(["results", "--home", fixture.home])
            let jittery = try #require(table.split(separator: "\n").first { $0.hasPrefix("noise.jittery") }, "\(table)")
            #expect(jittery.split(separator: " ").prefix(5) == ["noise.jittery", "ms", "5", "11", "12"] && jittery.contains("too noisy to judge a 1% change"), "\(jittery)")
            let steady = try #require(table.split(separator: "\n").first { $0.hasPrefix("noise.steady") }, "\(table)")
            #expect(!steady.contains("too noisy"), "\(steady)")
            let json = try JSONSerialization.jsonObject(with: Data(try await BenchBotProcess.succeed(["results", "--home", fixture.home, "--format", "json"]).utf8))
            let rows = try #require((json as? [String: Any])?["benchmarks"] as? [[String: Any]])
            let row = try #require(rows.first { $0["benchmark"] as? String == "noise.jittery" })
            #expect(row["samples"] as? Int == 5 && row["median"] as? Double == 11 && row["minimum"] as? Double == 9 && row["tooNoisy"] as? Bool == true)
            #expect(rows.first { $0["benchmark"] as? String == "noise.steady" }?["tooNoisy"] as? Bool == false)
        }
    }
}
