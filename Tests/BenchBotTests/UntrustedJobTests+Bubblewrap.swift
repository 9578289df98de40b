import BenchBot
import Foundation
import Testing

/// The tests that run the wrapper for real: bubblewrap, where it is installed (CI must have it).
extension UntrustedJobTests {
    /// The wrapper README gives, with `/etc/alternatives` for Debian's `cc`.
    static let bubblewrap: [String] = [
        "bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64", "--ro-bind", "/etc/alternatives", "/etc/alternatives", "--proc", "/proc", "--dev", "/dev",
        "--tmpfs", "/tmp", "--bind", "{checkout}", "{checkout}", "--ro-bind", "{scripts}", "{scripts}", "--bind", "{data}", "{data}",
        "--unshare-all", "--die-with-parent", "--new-session", "--",
    ]

    @Test("under bubblewrap, a fork's benchmark reaches neither a loopback server nor the home's config; trusted, the same one does")
    func sandboxed() async throws {
        guard Self.onPath("bwrap") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "bwrap is not on PATH, and CI must test the sandbox: apt-get install bubblewrap")
            print("UntrustedJobTests.sandboxed skipped: bwrap is not on PATH (apt-get install bubblewrap)")
            return
        }
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            let marker = "MARKER_\(UUID().uuidString.prefix(8))"
            let config = fixture.home.appending(path: "config/config.json")
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as! [String: Any]
                runner["pass_environment"] = [marker]
                runner["untrusted_wrapper"] = Self.bubblewrap
                benchbot["runner"] = runner
                benchbot["compare"] = ["paired_rounds": 2]
                config["benchbot"] = benchbot
            }
            let server = try LoopbackListener()
            // The benchmark names itself after what it reached; what it read goes to its log.
            let script = #"""
                if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then net=open; else net=closed; fi
                if cat "$2" >&2; then conf=read; else conf=hidden; fi
                "$BENCHBOT_CHECKOUT/loop" > /dev/null
                printf '{"benchmarks": [{"name": "net_%s_config_%s", "unit": "count", "samples": [1]}]}' "$net" "$conf"
                """#
            try fixture.addExperiment("reach", config: ["active": true, "format": "benchbot-json",
                                                        "command": ["bash", "-c", script, "reach", String(server.port), config]], scripts: [:])
            // Relay stage scripts too, which get their config folder, raw data and results folders as arguments.
            try fixture.addExperiment("stages", scripts: RunnerFixture.timingStages)
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            #expect(check.succeeded && !check.standardError.contains("untrusted_wrapper"), "\(check.standardOutput)\(check.standardError)")

            let main = try await fixture.git.head()
            let fork = try await fixture.pushFork("fork", files: ["fork.txt": "mine\n"])
            try await fixture.enqueueUntrusted(fork, parent: main, baseline: main, branch: "fork")
            let untrusted = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            let untrustedOutput = untrusted.standardOutput + untrusted.standardError
            #expect(untrusted.succeeded && untrusted.standardOutput.contains("done, paired A/B") && untrusted.standardOutput.contains("reach: ok")
                        && untrusted.standardOutput.contains("stages: ok"),
                    "\(untrustedOutput)")
            #expect(!untrustedOutput.contains("unsandboxed"), "\(untrustedOutput)")
            #expect(server.acceptedSince() == 0, "the sandboxed benchmark reached the loopback server")
            // Two rounds, both halves, each launch under the wrapper.
            let logs = try Self.launchLogs(fixture.home.appending(path: "logs/job-1"))
            #expect(logs.count == 4, "\(logs.keys.sorted())")
            for (name, log) in logs { #expect(log.contains("net_closed_config_hidden"), "\(name): \(log)") }
            #expect(!untrustedOutput.contains(marker) && fixture.filesHolding(marker).isEmpty, "\(fixture.filesHolding(marker))")

            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            let trusted = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(trusted.succeeded && trusted.standardOutput.contains("reach: ok"), "\(trusted.standardOutput)\(trusted.standardError)")
            #expect(server.acceptedSince() == 1, "the trusted benchmark, unwrapped, reaches the server")
            let trustedLogs = try Self.launchLogs(fixture.home.appending(path: "logs/job-2"))
            #expect(trustedLogs.count == 1 && trustedLogs.values.allSatisfy { $0.contains("net_open_config_read") && $0.contains(marker) },
                    "\(trustedLogs)")
        }
    }

    @Test("under bubblewrap, an untrusted benchmark that hangs is killed at its deadline with everything it started")
    func sandboxedTimeout() async throws {
        guard Self.onPath("bwrap") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "bwrap is not on PATH, and CI must test the sandbox: apt-get install bubblewrap")
            print("UntrustedJobTests.sandboxedTimeout skipped: bwrap is not on PATH (apt-get install bubblewrap)")
            return
        }
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as! [String: Any]
                runner["untrusted_wrapper"] = Self.bubblewrap
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            let token = "hang-\(UUID().uuidString.prefix(8))"
            // A child left in the background, a daemon in a session of its own, and a foreground sleep.
            try fixture.addExperiment("hang", config: ["active": true, "format": "benchbot-json", "timeout": 2, "command": ["bash", "-c",
                #"(exec -a "$0" sleep 300) & setsid bash -c 'exec -a "$0" sleep 300' "$0" & exec -a "$0" sleep 300"#, token]], scripts: [:])
            try await fixture.enqueueUntrusted(try await fixture.git.head(), parent: try await fixture.git.head("main~1"))
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home])
            #expect(work.standardOutput.contains("hang: failed") && work.standardOutput.contains("timed out after 2 s"), "\(work.standardOutput)\(work.standardError)")
            let left = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).filter { entry in
                guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
                return String(decoding: data, as: UTF8.self).contains(token)
            }
            #expect(left.isEmpty, "processes left running: \(left)")
        }
    }

    /// The launch logs under a job's log folder, its baseline's included, by path.
    static func launchLogs(_ folder: String) throws -> [String: String] {
        var logs: [String: String] = [:]
        for relative in FileManager.default.subpaths(atPath: folder) ?? [] where relative.contains("-launch-") {
            logs[relative] = try String(contentsOfFile: folder.appending(path: relative), encoding: .utf8)
        }
        return logs
    }

    static func onPath(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: String($0).appending(path: program))
        }
    }
}
