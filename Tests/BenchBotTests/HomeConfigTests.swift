@testable import BenchBot
import Foundation
import Testing

@Suite("Home directory and config")
struct HomeConfigTests {
    @Test("a freshly initialised home passes check, with working sample experiment and subsystem")
    func initThenCheck() async throws {
        try await withTemporaryDirectory { root in
            let home = Home(root: root.appending(path: "home"))
            let report = try HomeInitializer(home: home).initialize(repositoryURL: "https://example.invalid/org/parser.git",
                                                                   branches: ["main", "release"], buildCommand: "make -j2")
            #expect(report.lines.count == 5)
            let check = HomeCheck(home: home)
            #expect(check.problems.isEmpty, "\(check.problems)")
            let config = try #require(check.config)
            #expect(config.benchbot.repository.name == "parser")
            #expect(config.benchbot.repository.branches == ["main", "release"])
            #expect(config.benchbot.build.command == .shell("make -j2"))
            #expect(config.dashboard.telemetryRate == 15 && config.dashboard.randomize)
            #expect(check.experiments.map(\.name) == ["sample_timing"])
            #expect(check.subsystems.map(\.name) == ["sample_report"])
        }
    }

    @Test("the sample experiment's stages follow the Relay protocol and leave status.json behind")
    func sampleStagesRun() async throws {
        try await withTemporaryDirectory { root in
            let home = Home(root: root.appending(path: "home"))
            _ = try HomeInitializer(home: home).initialize(repositoryURL: "/srv/p.git", branches: [], buildCommand: nil)
            let scripts = home.path("experiments", "sample_timing")
            let configFolder = home.path("config", "experiments", "sample_timing")
            let raw = root.appending(path: "raw"), analysis = root.appending(path: "analysis")
            let stages: [(String, [String])] = [
                ("run.sh", [configFolder, raw]), ("analyze.sh", [configFolder, raw, analysis]),
                ("visualize.sh", [configFolder, analysis, root.appending(path: "graph")]),
                ("summarize.sh", [configFolder, analysis, root.appending(path: "summary")]),
            ]
            for (script, arguments) in stages {
                // The timeout only guards against a hang; a loaded CI machine once took 58 s here.
                let result = try await CommandRunner.run(scripts.appending(path: script), arguments: arguments,
                                                         environment: ["BENCHBOT_CHECKOUT": scripts], workingDirectory: scripts,
                                                         timeout: .seconds(300))
                #expect(result.succeeded, "\(script): \(result.standardError)")
                let status = try String(contentsOfFile: (arguments.last!).appending(path: "status.json"), encoding: .utf8)
                #expect(status.contains("\"success\": true"), "\(script): \(status)")
            }
            let data = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: analysis.appending(path: "data.json"))))
            guard case .array(let samples)? = data["workload"]?["samples"] else {
                Issue.record("data.json has no samples: \(data)")
                return
            }
            #expect(samples.count == 5)
            let summary = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: root.appending(path: "summary/summary.json"))))
            #expect(summary["title"] == .string("Sample timing"))
        }
    }

    @Test("the sample experiment, run by the worker on a real project, summarises the measured mean")
    func sampleThroughWorker() async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 2)
            let home = root.appending(path: "home")
            try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin])
            try await BenchBotProcess.succeed(["poll", "--home", home, "--backfill", "2"])
            let output = try await BenchBotProcess.succeed(["work", "--verbose", "--home", home])
            // This early in its history a suspected change is confirmed whatever the settings say,
            // and whether noise raises one varies: each confirmation is one more (paired) job.
            let confirmations = output.components(separatedBy: "held until a paired A/B job").count - 1
            #expect(output.components(separatedBy: "sample_timing: ok").count == 3 + confirmations, "\(output)")
            let summary = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: home.appending(path: "results/experiments/summary/sample_timing/summary.json"))))
            guard case .string(let value)? = summary["value"] else { Issue.record("no value in \(summary)"); return }
            #expect(value.wholeMatch(of: /workload mean: [0-9.]+ us/) != nil, "\(value)")
            let graph = try String(contentsOfFile: home.appending(path: "results/experiments/graph/sample_timing/workload.svg"), encoding: .utf8)
            #expect(graph.components(separatedBy: "<rect").count == 3 + 2 * confirmations, "one bar per run, and per side of a paired one: \(graph)")
        }
    }

    @Test("relay-bench's sample home loads: every config parses and its real problems are reported", RelayFixture.required)
    func relaySampleHomeLoads() throws {
        let home = Home(root: try RelayFixture.require())
        let check = HomeCheck(home: home)
        #expect(check.experiments.count == 7)
        #expect(check.subsystems.count == 7)
        #expect(check.experiments.first { $0.name == "gluon_rnns" }?.branch == "fix-converter")
        #expect(check.experiments.first { $0.name == "gluon_rnns" }?.remote == "git@github.com:jroesch/tvm.git")
        let lines = check.problems.map(\.description)
        func reported(_ file: String, _ field: String, _ text: String) -> Bool {
            lines.contains { $0.hasPrefix("\(home.display(home.path(file))): \(field): ") && $0.contains(text) }
        }
        #expect(reported("config.json", "benchbot", "benchbot init --repo URL"))
        #expect(reported("config/experiments/treelstm/config.json", "scripts", "set benchbot.experiments_dir"))
        #expect(reported("config/experiments/relay_to_vta/config.json", "scripts", "does not exist"))
        #expect(!lines.contains { $0.contains("char_rnn") }, "inactive experiments need no scripts")
        #expect(reported("config/subsystem/config.json", "-", "belongs to no subsystem"))
        #expect(reported("config/subsystem/deadline/config.json", "slack_client_token", "benchbot.notify.slack.bot_token_env"))
        #expect(!lines.contains { ($0.contains("exp_results") || $0.contains("website")) && $0.contains("scripts") },
                "relay-bench's Slack reporters and website are built in")
        #expect(lines.count == 9, "\(lines.joined(separator: "\n"))")
    }

    @Test("init on a copy of relay-bench's home adds BenchBot's section and keeps every Relay field", RelayFixture.required)
    func initOnRelayHome() async throws {
        try await withTemporaryDirectory { root in
            let copy = root.appending(path: "relay-home")
            try FileManager.default.copyItem(atPath: try RelayFixture.require(), toPath: copy)
            let home = Home(root: copy)
            #expect { try HomeInitializer(home: home).initialize(repositoryURL: nil, branches: [], buildCommand: nil) }
                throws: { "\($0)".contains("pass --repo URL") }
            let report = try HomeInitializer(home: home).initialize(repositoryURL: "https://example.invalid/apache/tvm.git",
                                                                   branches: [], buildCommand: nil)
            #expect(report.lines == ["updated \(home.display(copy.appending(path: "config.json")))"])
            let config = try HomeConfig.load(from: home)
            #expect(config.dashboard.temporaryDataDirectory == "~/test-dashboard-data")
            #expect(config.benchbot.repository.name == "tvm")
            #expect(FileManager.default.fileExists(atPath: copy.appending(path: "config.json.bak")))
            #expect(!FileManager.default.fileExists(atPath: copy.appending(path: "experiments")), "a home with experiments gets no samples")
        }
    }

    @Test("syntax errors carry the line and column")
    func syntaxErrorLocation() {
        #expect { try JSONValue.parse(Data("{\n  \"a\": 1,\n  \"b\": nope\n}".utf8)) } throws: { error in
            let syntax = error as? JSONSyntaxError
            return syntax?.line == 3 && syntax?.column == 8
        }
    }

    @Test("experiment configs accept Relay's tvm_* names and BenchBot's, and reject disagreement")
    func experimentVariantFields() throws {
        var reader = ConfigReader(file: "e.json")
        let document = try JSONValue.parse(Data(#"{"active": true, "remote": "a", "tvm_remote": "b", "process_pinning": {"enable": true}}"#.utf8))
        let config = ExperimentConfig.parse(name: "e", document: document, reader: &reader)
        #expect(config?.remote == "a")
        #expect(reader.problems.map(\.field) == ["remote", "process_pinning.cores"])
    }

    @Test("a missing config says how to create it; the home resolves from option, environment, then directory")
    func missingConfigAndHomeResolution() {
        #expect { try HomeConfig.load(from: Home(root: "/nonexistent/home")) } throws: { "\($0)".contains("benchbot init --home") }
        #expect(Home.resolve(option: "/a", environment: ["BENCHBOT_HOME": "/b"]).root == "/a")
        #expect(Home.resolve(option: nil, environment: ["BENCHBOT_HOME": "/b"]).root == "/b")
        #expect(Home.resolve(option: nil, environment: [:]).root == FileManager.default.currentDirectoryPath)
        #expect(RepositorySettings.defaultName(for: "git@example.invalid:org/fast-json.git") == "fast-json")
    }
}
