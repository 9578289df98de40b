import BenchBot
import Foundation
import Testing

/// Experiment options the runner honours: variants, CPU pinning, scripts versioned with the project.
@Suite("Runner options")
struct RunnerOptionsTests {
    /// A run.sh that records one line about its environment, then the usual timing.
    static func recording(_ command: String, into file: String) -> [String: String] {
        var stages = RunnerFixture.timingStages
        stages["run.sh"] = "#!/bin/sh\n\(command) >> \"\(file)\"\n" + stages["run.sh"]!.replacingOccurrences(of: "#!/bin/sh\n", with: "")
        return stages
    }

    @Test("an experiment with branch (Relay's tvm_branch) is measured on that branch's build; raw data is archived")
    func variantBranch() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try await fixture.git.git("-C", fixture.git.work, "checkout", "-q", "-b", "experimental")
            try "#define ITERATIONS 7UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "experimental loop")
            let variantTip = try await fixture.git.head()
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "experimental")
            let seen = root.appending(path: "seen")
            try fixture.addExperiment("on_variant", config: ["active": true, "tvm_branch": "experimental"],
                                      scripts: Self.recording("echo \"$BENCHBOT_COMMIT $(\"$BENCHBOT_CHECKOUT/loop\")\"", into: seen))
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])

            #expect(output.contains("on_variant: ok"), "\(output)")
            // The variant's own build ran: its loop sums 0..<7.
            #expect(try String(contentsOfFile: seen, encoding: .utf8) == "\(variantTip) 21\n")
            let tmp = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "data/tmp"))
            #expect(tmp.count == 1 && tmp[0].hasSuffix("_data.tar.gz"), "\(tmp)")
        }
    }

    @Test("process_pinning runs the stages on the given CPUs")
    func processPinning() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let seen = root.appending(path: "cpus")
            try fixture.addExperiment("pinned", config: ["active": true, "process_pinning": ["enable": true, "cores": "0"]],
                                      scripts: Self.recording("grep Cpus_allowed_list /proc/self/status", into: seen))
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.contains("pinned: ok"), "\(output)")
            #expect(try String(contentsOfFile: seen, encoding: .utf8).hasSuffix("\t0\n"))
        }
    }

    @Test("with scripts_in: checkout, each commit's own experiment scripts run")
    func scriptsInCheckout() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let seen = root.appending(path: "versions")
            for version in 1...2 {
                try fixture.writeScripts(Self.recording("echo version \(version)", into: seen),
                                         in: fixture.git.work.appending(path: "bench/experiments/versioned"))
                try await fixture.git.git("-C", fixture.git.work, "add", "bench")
                try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-m", "benchmark scripts, version \(version)")
            }
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["scripts_in"] = "checkout"
                benchbot["experiments_dir"] = "bench/experiments"
                config["benchbot"] = benchbot
            }
            let configFolder = fixture.home.appending(path: "config/experiments/versioned")
            try FileManager.default.createDirectory(atPath: configFolder, withIntermediateDirectories: true)
            try #"{"active": true}"#.write(toFile: configFolder.appending(path: "config.json"), atomically: true, encoding: .utf8)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "2"])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(output.components(separatedBy: "versioned: ok").count == 3, "\(output)")
            #expect(try String(contentsOfFile: seen, encoding: .utf8) == "version 1\nversion 2\n")
        }
    }
}
