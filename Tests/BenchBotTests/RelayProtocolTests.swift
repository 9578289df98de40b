import BenchBot
import Foundation
import Testing

/// The Relay Dashboard's experiment and subsystem protocol, file by file, as the seed document lays it out.
@Suite("Relay protocol")
struct RelayProtocolTests {
    /// Every stage, setup included; setup counts its runs so reruns are visible.
    static func completeStages(setupCounter: String) -> [String: String] {
        var stages = RunnerFixture.timingStages
        stages["setup.sh"] = """
            #!/bin/sh
            echo run >> "\(setupCounter)"
            echo "prepared data" > "$2/dataset.txt"
            echo '{"success": true, "message": ""}' > "$2/status.json"
            """
        stages["run.sh"] = """
            #!/bin/sh
            [ -f setup/dataset.txt ] || { echo '{"success": false, "message": "setup/dataset.txt is missing"}' > "$2/status.json"; exit 0; }
            """ + "\n" + stages["run.sh"]!.replacingOccurrences(of: "#!/bin/sh\n", with: "")
        return stages
    }

    @Test("statuses, data, summaries and graphs land where the document says; a failure carries its stage and message")
    func experimentLayout() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            let counter = root.appending(path: "setup-runs")
            try fixture.addExperiment("complete", config: ["active": true, "notify": ["U123"]], scripts: Self.completeStages(setupCounter: counter))
            var failing = RunnerFixture.timingStages
            failing["analyze.sh"] = "#!/bin/sh\necho 'analysis crashed' >&2\nexit 3"
            try fixture.addExperiment("failing", config: ["active": true, "notify": ["U456"]], scripts: failing)
            try fixture.addExperiment("inactive", config: ["active": false], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "2"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])

            for stage in ["precheck", "setup", "run", "analysis", "visualization", "summary"] {
                #expect(try fixture.json("results/experiments/status/complete/\(stage).json")["success"] as? Bool == true, "\(stage)")
            }
            let dataFiles = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "results/experiments/data/complete"))
            #expect(dataFiles.count == 2 && dataFiles.allSatisfy { $0.hasPrefix("data_") && $0.hasSuffix(".json") })
            let data = try fixture.json("results/experiments/data/complete/\(dataFiles.sorted()[0])")
            for field in ["timestamp", "commit", "start_time", "end_time", "time_delta", "loop"] {
                #expect(data[field] != nil, "data.json lacks \(field)")
            }
            #expect(try fixture.json("results/experiments/summary/complete/summary.json")["title"] as? String == "Loop")
            #expect(FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/experiments/graph/complete/loop.svg")))
            let inputs = try String(contentsOfFile: fixture.home.appending(path: "results/experiments/graph/complete/inputs.txt"), encoding: .utf8)
            #expect(inputs.split(separator: "\n").count == 2, "visualize.sh sees every data.json so far")
            #expect(FileManager.default.fileExists(atPath: fixture.home.appending(path: "experiments/complete/setup/dataset.txt")))
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "run\n", "setup reruns only when the experiment changes")

            let analysis = try fixture.json("results/experiments/status/failing/analysis.json")
            #expect(analysis["success"] as? Bool == false)
            #expect((analysis["message"] as? String)?.contains("left no status.json") == true)
            #expect((analysis["message"] as? String)?.contains("exit 3") == true)
            #expect(!FileManager.default.fileExists(atPath: fixture.home.appending(path: "results/experiments/status/inactive")))

            let store = try fixture.store()
            let tip = try #require(ObjectID(hex: try await fixture.git.head()))
            let run = try #require(try await store.runs(repository: "origin", commit: tip).first)
            let failed = try #require(run.experiments.first { $0.experiment == "failing" })
            #expect(failed.failedStage == "analysis" && failed.notify == ["U456"])
            #expect(run.experiments.first { $0.experiment == "complete" }?.succeeded == true)
            let job = try #require(try await BenchBotProcess.jobs(home: fixture.home).last)
            #expect(job.state == "done")

            // A changed script reruns setup on the next job; rerun_setup forces it.
            let visualize = fixture.home.appending(path: "experiments/complete/visualize.sh")
            try (try String(contentsOfFile: visualize, encoding: .utf8) + "# changed\n").write(toFile: visualize, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: visualize)
            let requeued = try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main", "--rerun"])
            let rerun = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            let queue = try await BenchBotProcess.succeed(["status", "--home", fixture.home])
            #expect(try String(contentsOfFile: counter, encoding: .utf8) == "run\nrun\n", "\(requeued)\(rerun)\(queue)")
            let allData = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending(path: "results/experiments/data/complete"))
            #expect(allData.count == 3, "a rerun adds its data.json and keeps the earlier ones: \(allData)")
        }
    }

    @Test("subsystems run by priority, ties by name, after what they need; their output persists")
    func subsystemOrder() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let order = root.appending(path: "order")
            func script(_ name: String) -> String {
                """
                #!/bin/sh
                echo \(name) >> "\(order)"
                [ "$3" = "\(fixture.home)" ] || exit 1
                echo kept >> "$2/history"
                echo '{"success": true, "message": ""}' > "$2/status.json"
                """
            }
            try fixture.addSubsystem("website", config: ["active": true, "priority": 0, "needs": ["score"]], script: script("website"))
            try fixture.addSubsystem("score", config: ["active": true, "priority": -5], script: script("score"))
            try fixture.addSubsystem("deadline", config: ["active": true, "priority": 10], script: script("deadline"))
            try fixture.addSubsystem("alpha", config: ["active": true, "priority": 0], script: script("alpha"))
            try fixture.addSubsystem("reporter", config: ["active": true, "priority": 0], script: "#!/bin/sh\nexit 0")
            try fixture.addSubsystem("off", config: ["active": false], script: script("off"))

            let first = try await BenchBotProcess.run(["run", "--home", fixture.home])
            #expect(first.succeeded, "\(first.standardOutput)\(first.standardError)")
            #expect(try String(contentsOfFile: order, encoding: .utf8) == "deadline\nalpha\nscore\nwebsite\n")
            #expect(first.standardOutput.contains("subsystem reporter: failed at run"))
            #expect(try fixture.json("results/subsystem/status/reporter/run.json")["success"] as? Bool == false)
            #expect(try fixture.json("results/subsystem/status/website/run.json")["success"] as? Bool == true)

            try await BenchBotProcess.succeed(["run", "--home", fixture.home])
            #expect(try String(contentsOfFile: fixture.home.appending(path: "results/subsystem/output/alpha/history"), encoding: .utf8) == "kept\nkept\n")
        }
    }

    @Test("relay-bench's sample home runs to completion: experiments fail cleanly with messages and the subsystems run",
          RelayFixture.required)
    func relaySampleHomeRuns() async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 2)
            let home = root.appending(path: "relay-home")
            try FileManager.default.copyItem(atPath: try RelayFixture.require(), toPath: home)
            try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin])
            // The sample keeps its data under ~; this copy keeps it in the test's folder.
            let file = home.appending(path: "config.json")
            let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "~/test-dashboard-", with: root + "/")
            try text.write(toFile: file, atomically: true, encoding: .utf8)

            let result = try await BenchBotProcess.run(["run", "--home", home])
            #expect(result.succeeded, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("treelstm: failed at precheck"))
            #expect(result.standardOutput.contains("relay_to_vta: failed at precheck"))
            for subsystem in ["score", "stat_alert"] {
                let status = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                    home.appending(path: "results/subsystem/status/\(subsystem)/precheck.json")))) as? [String: Any]
                #expect((status?["message"] as? String)?.contains("run.sh is missing") == true, "\(subsystem)")
            }
            // relay-bench's Slack reporters are built in, and say what they need.
            for subsystem in ["deadline", "exp_results", "subsys_reporter"] {
                let status = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                    home.appending(path: "results/subsystem/status/\(subsystem)/run.json")))) as? [String: Any]
                #expect((status?["message"] as? String)?.contains("is built in and posts through benchbot.notify.slack") == true, "\(subsystem)")
            }
            let website = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
                home.appending(path: "results/subsystem/status/website/run.json")))) as? [String: Any]
            #expect(website?["success"] as? Bool == true && FileManager.default.fileExists(atPath: home.appending(path: "results/subsystem/output/website/index.html")),
                    "relay-bench's website subsystem is `benchbot site`: \(website ?? [:])")
            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.map(\.state) == ["done"])
        }
    }

    @Test("backups archive config and results with secrets masked, and keep the last N")
    func backups() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["runner"] = ["backups_kept": 3]
                config["benchbot"] = benchbot
            }
            try fixture.addSubsystem("notifier", config: ["active": true, "slack_token": "xoxb-very-secret"], script: "#!/bin/sh\nexit 0")
            for _ in 0..<2 { _ = try await BenchBotProcess.run(["run", "--home", fixture.home]) }
            let backups = fixture.home.appending(path: "backups")
            let archives = try FileManager.default.contentsOfDirectory(atPath: backups).sorted()
            #expect(archives.count == 3, "\(archives)")
            let unpacked = root.appending(path: "unpacked")
            try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
            let untar = try await CommandRunner.run("tar", arguments: ["-xzf", backups.appending(path: archives.last!), "-C", unpacked], timeout: .seconds(60))
            #expect(untar.succeeded)
            let config = try String(contentsOfFile: unpacked.appending(path: "config/subsystem/notifier/config.json"), encoding: .utf8)
            #expect(config.contains("[redacted]") && !config.contains("xoxb-very-secret"))
            #expect(FileManager.default.fileExists(atPath: unpacked.appending(path: "results/subsystem/status/notifier/run.json")))
        }
    }
}
