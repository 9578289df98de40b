import ArgumentParser
import BenchBot
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of BenchBot itself, each against a named alternative measured in the same run.",
        subcommands: [IntakeBenchmark.self])
}

struct IntakeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Hook latency for a 1-commit push, and poll time for 1 new commit in a large repository.",
        discussion: """
            Builds throwaway repositories with git in a temporary folder. The hook is compared with a plain \
            `git push` to a bare repository without a hook; the poll with a bare `git fetch` of the same commit.
            """)

    @Option(name: .long, help: "Commits in the large repository (default 10000).")
    var commits = 10_000

    @Option(name: .long, help: "Measured repetitions of each scenario (default 15).")
    var runs = 15

    func validate() throws {
        if commits < 2 { throw ValidationError("--commits must be at least 2") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let bench = BenchWorkspace(root: workspace, benchbot: currentExecutable())

        print("building a \(commits)-commit repository in \(workspace) …")
        try await bench.makeLargeRepository(commits: commits)
        try await bench.prepareHomes()

        var hook: [Double] = [], hookedPush: [Double] = [], plainPush: [Double] = []
        var poll: [Double] = [], fetch: [Double] = []
        for run in 0..<runs {
            let (old, new) = try await bench.commitInWorkClone(run)
            plainPush.append(try await bench.time("git", ["-C", bench.path("work"), "push", "-q", "plain", "HEAD:main"]))
            hookedPush.append(try await bench.time("git", ["-C", bench.path("work"), "push", "-q", "hooked", "HEAD:main"]))
            hook.append(try await bench.time(bench.benchbot, ["hook", "post-receive", "--home", bench.path("direct-home"),
                                                              "--git-dir", bench.path("plain.git")],
                                             input: "\(old) \(new) refs/heads/main\n"))
            try await bench.git(["-C", bench.path("work"), "push", "-q", "origin", "HEAD:main"])
            fetch.append(try await bench.time("git", ["-C", bench.path("fetch-mirror.git"), "fetch", "-q", "origin",
                                                      "+refs/heads/main:refs/heads/main"]))
            poll.append(try await bench.time(bench.benchbot, ["poll", "--home", bench.path("poll-home")]))
        }

        let hookMedian = median(hook), hookedMedian = median(hookedPush), plainMedian = median(plainPush)
        let pollMedian = median(poll), fetchMedian = median(fetch)
        print("""

            BenchBot intake benchmark: \(commits)-commit repository, \(runs) runs, medians in milliseconds

            hook  `benchbot hook post-receive`, 1-commit push        \(ms(hookMedian))   target < 50 ms
                  git push to a bare repository with the hook        \(ms(hookedMedian))
                  git push to a bare repository without a hook       \(ms(plainMedian))
                  push with hook / push without                      \(ratio(hookedMedian, plainMedian))
            poll  `benchbot poll`, 1 new commit                      \(ms(pollMedian))
                  `git fetch` of the same commit alone               \(ms(fetchMedian))
                  poll / fetch                                       \(ratio(pollMedian, fetchMedian))
                  poll minus fetch                                   \(ms(pollMedian - fetchMedian))   target < 200 ms
            """)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }

    private func ms(_ seconds: Double) -> String { String(format: "%8.1f", seconds * 1000) }
    private func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%7.2fx", value / baseline) }
}

/// The throwaway repositories and homes of the intake benchmark.
struct BenchWorkspace {
    let root: String
    let benchbot: String
    let gitEnvironment: [String: String?] = [
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    ]

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    func makeLargeRepository(commits: Int) async throws {
        try await git(["init", "-q", "--bare", "-b", "main", path("origin.git")])
        var stream = ""
        stream.reserveCapacity(commits * 160)
        for index in 1...commits {
            let message = "commit \(index)\n"
            let content = "value \(index)\n"
            stream += "commit refs/heads/main\nmark :\(index)\ncommitter Bench <bench@example.invalid> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)"
            if index > 1 { stream += "from :\(index - 1)\n" }
            stream += "M 644 inline value.txt\ndata \(content.utf8.count)\n\(content)\n"
        }
        try await git(["-C", path("origin.git"), "fast-import", "--quiet"], input: stream)
        try await git(["clone", "-q", path("origin.git"), path("work")])
        try await git(["clone", "-q", "--bare", path("origin.git"), path("plain.git")])
        try await git(["clone", "-q", "--bare", path("origin.git"), path("hooked.git")])
        try await git(["clone", "-q", "--bare", path("origin.git"), path("fetch-mirror.git")])
        try await git(["-C", path("work"), "remote", "add", "plain", path("plain.git")])
        try await git(["-C", path("work"), "remote", "add", "hooked", path("hooked.git")])
    }

    func prepareHomes() async throws {
        for (home, repository) in [("poll-home", "origin.git"), ("hook-home", "hooked.git"), ("direct-home", "plain.git")] {
            try await run(benchbot, ["init", "--home", path(home), "--repo", path(repository), "--branch", "main"])
        }
        try await run(benchbot, ["hook", "install", "--home", path("hook-home"), "--repo", path("hooked.git")])
        // The first poll creates the mirror and records the tip; later polls are the measured case.
        try await run(benchbot, ["poll", "--home", path("poll-home")])
    }

    /// Adds a commit to the work clone and returns the old and new tips.
    func commitInWorkClone(_ run: Int) async throws -> (String, String) {
        let old = try await output("git", ["-C", path("work"), "rev-parse", "HEAD"])
        try "run \(run)\n".write(toFile: path("work/value.txt"), atomically: true, encoding: .utf8)
        try await git(["-C", path("work"), "commit", "-q", "-am", "bench run \(run)"])
        let new = try await output("git", ["-C", path("work"), "rev-parse", "HEAD"])
        return (old, new)
    }

    /// Runs a command and returns its wall time in seconds, process start and exit included.
    func time(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> Double {
        let result = try await run(executable, arguments, input: input)
        return Double(result.duration.components.seconds) + Double(result.duration.components.attoseconds) / 1e18
    }

    func git(_ arguments: [String], input: String? = nil) async throws {
        try await run("git", arguments, input: input)
    }

    func output(_ executable: String, _ arguments: [String]) async throws -> String {
        try await run(executable, arguments).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> CommandResult {
        let result = try await CommandRunner.run(executable, arguments: arguments, environment: gitEnvironment,
                                                 input: input, timeout: .seconds(300))
        guard result.succeeded else {
            throw ValidationError("\(([executable] + arguments).joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
        }
        return result
    }
}
