import BenchBot
import Foundation
import Testing

/// A fork's pull request, run on a maintainer's command, runs with no secret, in a checkout of
/// its own, and under `benchbot.runner.untrusted_wrapper` when it is set.
@Suite("Untrusted jobs")
struct UntrustedJobTests {
    /// What the worker's environment holds: secrets by name, one passed through to trusted jobs, and a plain one.
    static let workerEnvironment: [String: String?] = [
        "MY_API_KEY": "v-passed-api-key", "GITHUB_TOKEN": "v-github-token", "BENCHBOT_WEBHOOK_SECRET": "v-webhook-secret",
        "PLAIN_SETTING": "v-plain-setting", "LC_MESSAGES": "C",
    ]

    @Test("an untrusted job's build and stages see no secret, not even pass_environment's; a trusted job's still see it")
    func environmentScrubbed() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            var stages = RunnerFixture.timingStages
            stages["run.sh"] = stages["run.sh"]!.replacingOccurrences(of: "set -e\n", with: "set -e\nenv\n")
            try fixture.addExperiment("stages", scripts: stages)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["build"] = ["command": "env && cc -O1 -o loop loop.c"]
                var runner = benchbot["runner"] as! [String: Any]
                runner["pass_environment"] = ["MY_API_KEY"]
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            let tip = try await fixture.git.head(), parent = try await fixture.git.head("main~1")
            try await fixture.enqueueUntrusted(tip, parent: parent)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", parent])
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: Self.workerEnvironment)
            #expect(work.succeeded && work.standardOutput.contains("job 1 (\(tip.prefix(10)) from a fork): done"), "\(work.standardOutput)\(work.standardError)")
            #expect(work.standardOutput.components(separatedBy: "untrusted code ran unsandboxed").count == 2,
                    "one line, for the untrusted job only: \(work.standardOutput)")

            let privateHome = fixture.home.appending(path: "work/origin~untrusted-job/home")
            for log in ["logs/job-1/build.log", "logs/job-1/stages-run.log"] {
                let seen = try String(contentsOfFile: fixture.home.appending(path: log), encoding: .utf8)
                for (name, value) in Self.workerEnvironment where name != "LC_MESSAGES" {
                    #expect(!seen.contains("\(name)=") && !seen.contains(value!), "\(log) holds \(name): \(seen)")
                }
                #expect(seen.contains("LC_MESSAGES=C") && seen.contains("PATH=") && seen.contains("BENCHBOT_COMMIT=\(tip)"), "\(log): \(seen)")
                #expect(seen.contains("HOME=\(privateHome)\n") && seen.contains("TMPDIR=\(privateHome.dropLast(4))tmp\n"), "\(log): \(seen)")
                #expect(!seen.contains("GIT_AUTHOR_NAME"), "only the allow-list: \(seen)")
            }
            for log in ["logs/job-2/build.log", "logs/job-2/stages-run.log"] {
                let seen = try String(contentsOfFile: fixture.home.appending(path: log), encoding: .utf8)
                #expect(seen.contains("MY_API_KEY=v-passed-api-key") && seen.contains("PLAIN_SETTING=v-plain-setting"), "\(log): \(seen)")
                #expect(!seen.contains("v-github-token") && !seen.contains("v-webhook-secret"), "\(log): \(seen)")
            }
        }
    }

    @Test("an untrusted job builds in a checkout of its own, emptied before each untrusted job: what it drops reaches no other job")
    func ownCheckout() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            let seen = root.appending(path: "seen")
            // The benchmark notes where it runs and what an earlier job left there, then runs the
            // checkout's drop.sh if it has one: the fork's, which poisons the checkout and its git hooks.
            let script = #"""
                printf '%s %s %s\n' "$PWD" "$([ -e poisoned-cache ] && echo cache-left || echo no-cache)" "$([ -e .git/hooks/post-checkout ] && echo hook-left || echo no-hook)" >> "$0"
                if [ -f drop.sh ]; then sh drop.sh; fi
                printf '{"benchmarks": [{"name": "b", "unit": "count", "samples": [1]}]}'
                """#
            try fixture.addExperiment("probe", config: ["active": true, "format": "benchbot-json", "command": ["sh", "-c", script, seen]], scripts: [:])
            try fixture.setBenchBotSection("compare", ["paired_rounds": 2])
            let main = try await fixture.git.head()
            let drop = "touch poisoned-cache\nmkdir -p .git/hooks\necho 'echo pwned' > .git/hooks/post-checkout\n"
            let fork = try await fixture.pushFork("fork", files: ["drop.sh": drop])
            let forkAgain = try await fixture.pushFork("fork-again", files: ["drop.sh": drop, "again.txt": "again\n"])
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main~1"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            try await fixture.enqueueUntrusted(fork, parent: main, branch: "fork")
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            // The fork once more, as another untrusted job, paired: it must not find what the first left.
            try await fixture.enqueueUntrusted(forkAgain, parent: main, baseline: main, branch: "fork-again")
            let paired = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(paired.succeeded && paired.standardOutput.contains("done, paired A/B"), "\(paired.standardOutput)\(paired.standardError)")
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])

            let trusted = fixture.home.appending(path: "work/origin"), untrusted = fixture.home.appending(path: "work/origin~untrusted")
            let lines = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.first == "\(trusted) no-cache no-hook", "\(lines)")
            #expect(lines.dropFirst().first == "\(untrusted) no-cache no-hook", "the untrusted job's own checkout: \(lines)")
            // The paired job: two rounds, its candidate half in a fresh untrusted checkout (its own
            // first launch poisons it for its second), its baseline half in another.
            let pairedLines = Array(lines.dropFirst(2).dropLast())
            #expect(pairedLines.count == 4 && Set(pairedLines.map { String($0.split(separator: " ")[0]) }) == [untrusted, untrusted + "-baseline"], "\(lines)")
            #expect(pairedLines.first { $0.hasPrefix(untrusted + " ") } == "\(untrusted) no-cache no-hook", "emptied before it: \(lines)")
            #expect(pairedLines.filter { $0.hasPrefix(untrusted + "-baseline ") }.allSatisfy { $0.hasSuffix("no-cache no-hook") }, "\(lines)")
            #expect(lines.last == "\(trusted) no-cache no-hook", "the trusted checkout after the fork: \(lines)")
            #expect(!FileManager.default.fileExists(atPath: trusted.appending(path: "poisoned-cache")))
            #expect(!FileManager.default.fileExists(atPath: trusted.appending(path: ".git/hooks/post-checkout")))
        }
    }

    @Test("a file an untrusted benchmark links to the home's config is not read back: its text reaches no result, log or report")
    func outputLinkedOutside() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            let marker = "MARKER_\(UUID().uuidString.prefix(8))"
            let config = fixture.home.appending(path: "config/config.json")
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as! [String: Any]
                runner["pass_environment"] = [marker]
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            // The files BenchBot reads after a command are the job's; the fork makes them links to the config.
            try fixture.addExperiment("linked", config: ["active": true, "format": "benchbot-json", "output": "out.json",
                                                         "command": ["sh", "-c", #"ln -sf "$0" out.json"#, config]], scripts: [:])
            var stages = RunnerFixture.timingStages
            stages["analyze.sh"] = "#!/bin/sh\nln -sf '\(config)' \"$3/data.json\"\necho '{\"success\": true, \"message\": \"\"}' > \"$3/status.json\""
            try fixture.addExperiment("stages", scripts: stages)
            let main = try await fixture.git.head()
            try await fixture.enqueueUntrusted(main, parent: try await fixture.git.head("main~1"))
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.standardOutput.contains("linked: failed") && work.standardOutput.contains("stages: failed"), "\(work.standardOutput)\(work.standardError)")
            #expect(!(work.standardOutput + work.standardError).contains(marker), "\(work.standardOutput)\(work.standardError)")
            #expect(fixture.filesHolding(marker).isEmpty, "\(fixture.filesHolding(marker))")
            let jobs = try await fixture.store().jobs(in: Set(JobState.allCases), limit: nil)
            #expect(jobs.allSatisfy { !($0.message ?? "").contains(marker) }, "\(jobs)")
        }
    }

    @Test("an untrusted job that links its private results to the home's gets BenchBot to write and remove nothing there")
    func resultsLinkedOutside() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.addExperiment("stages", scripts: RunnerFixture.timingStages)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main~1"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let results = fixture.home.appending(path: "results/experiments")
            let before = try Self.snapshot(results)
            #expect(before.keys.contains { $0.hasPrefix("graph/stages/") } && before.keys.contains { $0.hasPrefix("data/stages/") }, "\(before.keys)")
            // Runs first, by name: swaps the job's private Relay folders for a link to the home's.
            try fixture.addExperiment("a-linker", config: ["active": true, "format": "benchbot-json", "command": ["sh", "-c",
                #"rm -rf "$BENCHBOT_HOME/results/experiments" && ln -s "$0" "$BENCHBOT_HOME/results/experiments" && printf '{"benchmarks": [{"name": "b", "unit": "count", "samples": [1]}]}'"#,
                results]], scripts: [:])
            try await fixture.enqueueUntrusted(try await fixture.git.head(), parent: try await fixture.git.head("main~1"))
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.standardOutput.contains("a-linker: ok") && work.standardOutput.contains("stages: failed"), "\(work.standardOutput)\(work.standardError)")
            #expect(work.standardOutput.contains("leads out of the untrusted job's checkout and private folder"), "\(work.standardOutput)")
            let after = try Self.snapshot(results)
            #expect(after == before, "changed: \(Set(after.keys).symmetricDifference(before.keys).sorted()), \(after.keys.filter { after[$0] != before[$0] }.sorted())")
        }
    }

    /// Every file under `folder`, by relative path, with its contents.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for relative in FileManager.default.subpaths(atPath: folder) ?? [] {
            var isDirectory: ObjCBool = false
            let path = folder.appending(path: relative)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    @Test("check warns when untrusted_wrapper is unset, and refuses one that is empty, names an unknown placeholder or a missing program")
    func checkWrapper() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(["github": ["repository": "octo-org/octo-repo", "token_env": "TEST_GITHUB_TOKEN"]])
            let unset = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(unset.succeeded && unset.standardError.contains("warning: ") && unset.standardError.contains("benchbot.runner.untrusted_wrapper: is not set")
                    && unset.standardError.contains("apt-get install bubblewrap"), "\(unset.standardOutput)\(unset.standardError)")
            let cases: [([String], String)] = [
                ([], "benchbot.runner.untrusted_wrapper: is empty"),
                (["{checkout}"], "must name the program"),
                (["bwrap", "--bind", "{home}", "{home}", "--"], "unknown placeholder {home}"),
                (["no-such-sandbox-program", "--"], "its program no-such-sandbox-program is not on PATH"),
            ]
            for (wrapper, expected) in cases {
                try fixture.editConfig { config in
                    var benchbot = config["benchbot"] as! [String: Any]
                    var runner = benchbot["runner"] as! [String: Any]
                    runner["untrusted_wrapper"] = wrapper
                    benchbot["runner"] = runner
                    config["benchbot"] = benchbot
                }
                let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
                #expect(check.status == 1 && check.standardOutput.contains(expected), "\(wrapper): \(check.standardOutput)\(check.standardError)")
                #expect(!check.standardError.contains("is not set"), "\(check.standardError)")
            }
        }
    }
}
