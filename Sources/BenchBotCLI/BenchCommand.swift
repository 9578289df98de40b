import ArgumentParser
import BenchBot
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of BenchBot itself, each against a named alternative measured in the same run.",
        subcommands: [IntakeBenchmark.self, RunnerBenchmark.self, ImportBenchmark.self, DetectionBenchmark.self, AABenchmark.self,
                      SiteBenchmark.self, WebhookBenchmark.self, QueueBenchmark.self, QueueBenchmarkWorker.self])
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
        let bench = try BenchWorkspace.temporary()
        defer { bench.remove() }

        print("building a \(commits)-commit repository in \(bench.root) …")
        try await bench.makeLargeRepository(commits: commits, files: 1)
        try await bench.prepareIntakeRepositories()
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

}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
}

private func ms(_ seconds: Double) -> String { String(format: "%8.1f", seconds * 1000) }

private func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%7.2fx", value / baseline) }

/// The throwaway repositories and homes of the benchmarks.
struct BenchWorkspace {
    let root: String
    let benchbot: String
    let gitEnvironment: [String: String?] = [
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    ]

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    /// A new folder under the temporary directory, for one benchmark run; ``remove()`` deletes it.
    static func temporary() throws -> BenchWorkspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return BenchWorkspace(root: root, benchbot: currentExecutable())
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// A bare `origin.git` whose first commit adds `files` files and each later commit changes one.
    func makeLargeRepository(commits: Int, files: Int) async throws {
        try await git(["init", "-q", "--bare", "-b", "main", path("origin.git")])
        var stream = ""
        stream.reserveCapacity(commits * 160 + files * 60)
        for index in 1...commits {
            let message = "commit \(index)\n"
            stream += "commit refs/heads/main\nmark :\(index)\ncommitter Bench <bench@example.invalid> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)"
            if index > 1 { stream += "from :\(index - 1)\n" }
            for file in index == 1 ? Array(0..<files) : [index % files] {
                let content = "file \(file), commit \(index)\n"
                stream += "M 644 inline src/file\(file).txt\ndata \(content.utf8.count)\n\(content)\n"
            }
        }
        try await git(["-C", path("origin.git"), "fast-import", "--quiet"], input: stream)
    }

    func prepareIntakeRepositories() async throws {
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
        try "run \(run)\n".write(toFile: path("work/src/file0.txt"), atomically: true, encoding: .utf8)
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

struct RunnerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "BenchBot's own cost per job, and checkout through libgit2 against `git checkout`.",
        discussion: """
            On a large repository, drains a queue of consecutive commits with no build and no experiments, so \
            what is timed is BenchBot's own work per job: lease, checkout, environment record, precheck, \
            storing the run. Then checks the same commits out with the Git layer and with `git checkout -f` \
            plus `git clean -fdx`, alternately, in one run.
            """)

    @Option(name: .long, help: "Commits in the repository (default 10000).")
    var commits = 10_000

    @Option(name: .long, help: "Files in its tree (default 200).")
    var files = 200

    @Option(name: .long, help: "Jobs drained, and commits checked out each way (default 40).")
    var jobs = 40

    func validate() throws {
        guard commits > jobs, jobs >= 2, files >= 1 else { throw ValidationError("need --commits > --jobs >= 2 and --files >= 1") }
    }

    func run() async throws {
        let bench = try BenchWorkspace.temporary()
        defer { bench.remove() }
        print("building a \(commits)-commit, \(files)-file repository in \(bench.root) …")
        try await bench.makeLargeRepository(commits: commits, files: files)

        let home = bench.path("home")
        try await bench.run(bench.benchbot, ["init", "--home", home, "--repo", bench.path("origin.git")])
        for folder in ["config/experiments", "config/subsystem"] {
            try FileManager.default.removeItem(atPath: (home as NSString).appendingPathComponent(folder))
        }
        try await bench.run(bench.benchbot, ["enqueue", "--home", home, "--range", "main~\(jobs)..main"])
        // One job first, so the mirror and work tree exist as they would on a running bot.
        try await bench.run(bench.benchbot, ["work", "--home", home, "--once"])
        let drain = try await bench.time(bench.benchbot, ["work", "--home", home, "--drain"])
        let startup = try await bench.time(bench.benchbot, ["work", "--home", home, "--drain"])
        let perJob = (drain - startup) / Double(jobs - 1)

        let mirror = try GitRepository.open(at: home + "/cache/origin.git")
        let shas = try mirror.commits(from: try mirror.resolve("refs/remotes/origin/main"), firstParent: true, limit: jobs)
        try await bench.git(["clone", "-q", bench.path("origin.git"), bench.path("git-clone")])
        let libgit2Tree = bench.path("libgit2-tree")
        var libgit2: [Double] = [], cli: [Double] = []
        for sha in shas {
            let start = ContinuousClock.now
            try mirror.checkOut(sha, into: libgit2Tree)
            libgit2.append((ContinuousClock.now - start).seconds)
            let checkout = try await bench.time("git", ["-C", bench.path("git-clone"), "checkout", "-q", "-f", "--detach", sha.hex])
            let clean = try await bench.time("git", ["-C", bench.path("git-clone"), "clean", "-q", "-fdx"])
            cli.append(checkout + clean)
        }
        let libgit2Median = median(libgit2), cliMedian = median(cli)
        print("""

            BenchBot runner benchmark: \(commits)-commit repository with \(files) files, \(jobs) jobs, milliseconds

            per job  BenchBot's own work (lease, checkout, record), no build or experiments   \(ms(perJob))   target < 100 ms
                     process start and empty-queue check, once per drain                    \(ms(startup))
            checkout Git layer (libgit2, in process), median per commit                     \(ms(libgit2Median))
                     `git checkout -f` + `git clean -fdx`, median per commit                \(ms(cliMedian))
                     Git layer / git                                                        \(ratio(libgit2Median, cliMedian))
            """)
    }

}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Each format's parser on a large file, and `benchbot import` of a Google Benchmark file and of many commits, against python3.",
        discussion: """
            The alternative, measured in the same run, is python3 reading the same files with json.load (JSON \
            formats) or splitting them into lines (text formats) and nothing else: the floor for any importer. \
            Each parser is timed in this process on a generated file of its format; the target is within 2x.
            """)

    @Option(name: .long, help: "Size of each format's generated file, in MB (default 20).")
    var sizeMB = 20.0

    @Option(name: .long, help: "Repetitions of each parser timing, BenchBot and python3 taking turns of five; the fastest counts (default 3).")
    var `repeat` = 3

    @Option(name: .long, parsing: .upToNextOption, help: "Only these formats' parsers (default: every format).")
    var parsers: [String] = []

    @Flag(name: .long, help: "Time the parsers only, not `benchbot import` of many commits.")
    var parsersOnly = false

    @Option(name: .long, help: "Benchmarks in the Google Benchmark file (default 1000).")
    var benchmarks = 1000

    @Option(name: .long, help: "Commits imported as benchbot-json, one file each (default 10000).")
    var commits = 10_000

    @Option(name: .long, help: "Benchmarks per benchbot-json file (default 10, 5 samples each).")
    var perCommit = 10

    func validate() throws {
        if sizeMB <= 0 || `repeat` < 1 { throw ValidationError("--size-mb must be positive and --repeat at least 1") }
        if let unknown = parsers.first(where: { BenchmarkFormat(rawValue: $0) == nil }) {
            throw ValidationError("unknown format '\(unknown)' in --parsers")
        }
    }

    func run() async throws {
        let bench = try BenchWorkspace.temporary()
        defer { bench.remove() }
        print("timing each format's parser on a \(sizeMB) MB file …")
        let timings = try await compareParsers(in: bench, bytes: Int(sizeMB * 1_048_576), repeat: `repeat`, only: Set(parsers))
        print("\n" + Self.table(timings, repeat: `repeat`) + "\n")
        if parsersOnly { return }
        print("building a \(commits)-commit repository and the result files in \(bench.root) …")
        try await bench.makeLargeRepository(commits: commits, files: 1)
        let home = bench.path("home")
        try await bench.run(bench.benchbot, ["init", "--home", home, "--repo", bench.path("origin.git")])
        try await bench.run(bench.benchbot, ["poll", "--home", home])

        let googleFile = bench.path("google-benchmark.json")
        try googleBenchmarkDocument().write(toFile: googleFile, atomically: true, encoding: .utf8)
        let importGoogle = try await bench.time(bench.benchbot, ["import", "--home", home, "--commit", "main", "--format", "google-benchmark", googleFile])
        let loadGoogle = try await bench.time("python3", ["-c", "import json, sys; json.load(open(sys.argv[1]))", googleFile])

        let folder = bench.path("exports")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let shas = try await bench.output("git", ["-C", bench.path("origin.git"), "rev-list", "main"]).split(separator: "\n")
        for (index, sha) in shas.enumerated() {
            let benchmarks = (0..<perCommit).map { benchmark in
                let samples = (0..<5).map { String(1000 + (index * 7 + benchmark * 13 + $0 * 3) % 97) }.joined(separator: ", ")
                return "{\"name\": \"case\(benchmark)\", \"unit\": \"ns\", \"samples\": [\(samples)]}"
            }
            try "{\"commit\": \"\(sha)\", \"benchmarks\": [\(benchmarks.joined(separator: ", "))]}"
                .write(toFile: (folder as NSString).appendingPathComponent(String(format: "%05d.json", index)), atomically: false, encoding: .utf8)
        }
        let importMany = try await bench.time(bench.benchbot, ["import", "--home", home, "--format", "benchbot-json", folder])
        let loadMany = try await bench.time("python3", ["-c", "import json, os, sys; [json.load(open(os.path.join(sys.argv[1], f))) for f in os.listdir(sys.argv[1])]", folder])

        print("""

            BenchBot import benchmark, one run each, milliseconds

            google-benchmark, \(benchmarks) benchmarks × 3 repetitions   benchbot import \(ms(importGoogle))   python3 json.load \(ms(loadGoogle))   \(ratio(importGoogle, loadGoogle))
            benchbot-json, \(shas.count) commits × \(perCommit) benchmarks     benchbot import \(ms(importMany))   python3 json.load \(ms(loadMany))   \(ratio(importMany, loadMany))
                                                         per commit      \(ms(importMany / Double(shas.count)))
            """)
    }

    /// A Google Benchmark report in the tool's own shape: three repetitions and four aggregates each.
    private func googleBenchmarkDocument() -> String {
        var entries: [String] = []
        for index in 0..<benchmarks {
            let name = "BM_Case\(index % 50)/\(index)"
            for repetition in 0..<3 {
                let time = 100.0 + Double((index * 31 + repetition * 7) % 50)
                entries.append("""
                    {"name": "\(name)", "family_index": \(index), "per_family_instance_index": 0, "run_name": "\(name)", "run_type": "iteration", \
                    "repetitions": 3, "repetition_index": \(repetition), "threads": 1, "iterations": 1000000, \
                    "real_time": \(time), "cpu_time": \(time - 0.5), "time_unit": "ns"}
                    """)
            }
            for aggregate in ["mean", "median", "stddev", "cv"] {
                entries.append("""
                    {"name": "\(name)_\(aggregate)", "family_index": \(index), "per_family_instance_index": 0, "run_name": "\(name)", \
                    "run_type": "aggregate", "repetitions": 3, "threads": 1, "aggregate_name": "\(aggregate)", "aggregate_unit": "time", \
                    "iterations": 3, "real_time": 1.0, "cpu_time": 1.0, "time_unit": "ns"}
                    """)
            }
        }
        return "{\"context\": {\"date\": \"2026-11-22T00:00:00+00:00\", \"num_cpus\": 2, \"library_build_type\": \"release\"}, \"benchmarks\": [\n" + entries.joined(separator: ",\n") + "\n]}\n"
    }
}
