import BenchBot
import Foundation
import Testing

/// A project with a real build step, and a home whose experiments are Relay stage scripts.
struct RunnerFixture {
    let git: GitFixture
    let home: String

    /// A C program whose loop length changes with every commit, built with `cc`.
    static func make(in root: String, commits: Int) async throws -> RunnerFixture {
        let git = try await GitFixture.make(in: root, commits: 0)
        try """
            #include <stdio.h>
            #include "iterations.h"
            int main(void) {
                volatile unsigned long sum = 0;
                for (unsigned long i = 0; i < ITERATIONS; i++) sum += i;
                printf("%lu\\n", (unsigned long)sum);
                return 0;
            }

            """.write(toFile: git.work.appending(path: "loop.c"), atomically: true, encoding: .utf8)
        try await git.git("-C", git.work, "add", "loop.c")
        for index in 1...commits {
            try "#define ITERATIONS \(index * 1000)UL\n".write(toFile: git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await git.git("-C", git.work, "add", "iterations.h")
            try await git.git("-C", git.work, "commit", "-q", "-m", "loop of \(index * 1000)")
        }
        try await git.git("-C", git.work, "push", "-q", "origin", "main")

        let home = root.appending(path: "home")
        try await BenchBotProcess.succeed(["init", "--home", home, "--repo", git.origin, "--build", "cc -O1 -o loop loop.c"])
        let fixture = RunnerFixture(git: git, home: home)
        // The sample experiment and subsystem of `init` are replaced by each test's own.
        for folder in ["config/experiments", "config/subsystem", "experiments", "subsystem"] {
            try? FileManager.default.removeItem(atPath: home.appending(path: folder))
        }
        try fixture.editConfig { config in
            config["randomize"] = false
            var benchbot = config["benchbot"] as! [String: Any]
            benchbot["runner"] = ["stage_timeout": 60, "lease_duration": 30]
            config["benchbot"] = benchbot
        }
        return fixture
    }

    /// A working experiment: `run.sh` times the built program three times; `analyze.sh` reports the samples.
    static let timingStages: [String: String] = [
        "run.sh": """
            #!/bin/sh
            set -e
            for i in 1 2 3; do
                start=$(date +%s%N); "$BENCHBOT_CHECKOUT/loop" > /dev/null; end=$(date +%s%N)
                echo $(( (end - start) / 1000 )) >> "$2/times"
            done
            echo '{"success": true, "message": ""}' > "$2/status.json"
            """,
        "analyze.sh": """
            #!/bin/sh
            samples=$(paste -sd, "$2/times")
            echo "{\\"loop\\": {\\"us\\": [$samples]}}" > "$3/data.json"
            echo '{"success": true, "message": ""}' > "$3/status.json"
            """,
        "visualize.sh": """
            #!/bin/sh
            ls "$2" > "$3/inputs.txt"
            echo '<svg xmlns="http://www.w3.org/2000/svg"/>' > "$3/loop.svg"
            echo '{"success": true, "message": ""}' > "$3/status.json"
            """,
        "summarize.sh": """
            #!/bin/sh
            echo '{"title": "Loop", "value": "timed"}' > "$3/summary.json"
            echo '{"success": true, "message": ""}' > "$3/status.json"
            """,
    ]

    func addExperiment(_ name: String, config: [String: Any] = ["active": true], scripts: [String: String]) throws {
        try write(config, to: home.appending(path: "config/experiments/\(name)/config.json"))
        try writeScripts(scripts, in: home.appending(path: "experiments/\(name)"))
    }

    func addSubsystem(_ name: String, config: [String: Any], script: String) throws {
        try write(config, to: home.appending(path: "config/subsystem/\(name)/config.json"))
        try writeScripts(["run.sh": script], in: home.appending(path: "subsystem/\(name)"))
    }

    func writeScripts(_ scripts: [String: String], in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, body) in scripts {
            let path = folder.appending(path: name)
            try (body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    /// Sets the config's `benchbot.notify` section.
    func setNotify(_ notify: [String: Any]) throws {
        try setBenchBotSection("notify", notify)
    }

    /// Sets one section of the config's `benchbot` object, `site` say.
    func setBenchBotSection(_ name: String, _ value: [String: Any]) throws {
        try editConfig { config in
            var benchbot = config["benchbot"] as? [String: Any] ?? [:]
            benchbot[name] = value
            config["benchbot"] = benchbot
        }
    }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        let file = home.appending(path: "config/config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
        edit(&config)
        try write(config, to: file)
    }

    func store() throws -> SQLiteStore {
        try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
    }

    func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: home.appending(path: relative)))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func write(_ object: [String: Any], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }
}

extension RunnerFixture {
    /// Pushes a `feature` branch whose loop is slower, and measures it as pull request `number`,
    /// so a site gets a comparison page and a benchmark only that branch has a baseline for.
    func measureSlowerPullRequest(_ number: Int) async throws {
        try await git.git("-C", git.work, "checkout", "-q", "-b", "feature", "main")
        try "#define ITERATIONS 4000UL\n".write(toFile: git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
        try await git.git("-C", git.work, "commit", "-q", "-am", "slower")
        try await git.git("-C", git.work, "push", "-q", "origin", "feature")
        try await BenchBotProcess.succeed(["enqueue", "--home", home, "--branch", "feature", "--pull-request", String(number)])
        try await BenchBotProcess.succeed(["work", "--home", home])
    }
}
