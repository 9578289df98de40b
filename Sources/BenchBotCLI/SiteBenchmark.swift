import ArgumentParser
import BenchBot
import Foundation
import Logging
import Synchronization

struct SiteBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "`benchbot site` on a store of many commits × benchmarks × 5 samples: full and incremental generation, with peak memory.",
        discussion: """
            The store is built with `benchbot import`. The alternative, measured in the same run, is python3 reading \
            every benchmark's medians from the same store with its sqlite3 module and writing one JSON file per \
            benchmark: the floor for any generator that splits the data per benchmark, with no page and no plot.
            """)

    @Option(name: .long, help: "Commits with results (default 10000).")
    var commits = 10_000

    @Option(name: .long, help: "Benchmarks per commit, 5 samples each (default 100).")
    var benchmarks = 100

    @Flag(name: .long, help: "Keep the home, its store and the site afterwards, for profiling `benchbot site` on them.")
    var keep = false

    @Option(name: .long, help: "Also generate from a copy of the store in this PostgreSQL database (emptied first), and compare.")
    var postgres: String?

    @Option(name: .long, help: "The variable holding that database's password.")
    var passwordEnv: String?

    func validate() throws {
        guard commits >= 2, benchmarks >= 1 else { throw ValidationError("need --commits >= 2 and --benchmarks >= 1") }
        if let postgres {
            do { _ = try PostgresLocation(url: postgres) } catch { throw ValidationError("--postgres \(error.message)") }
        }
    }

    func run() async throws {
        let bench = try BenchWorkspace.temporary()
        defer { if keep { print("kept: the home is \(bench.path("home")), the site \(bench.path("site"))") } else { bench.remove() } }
        print("building a \(commits)-commit repository and a store of \(commits) × \(benchmarks) results in \(bench.root) …")
        try await bench.makeLargeRepository(commits: commits, files: 1)
        let homePath = bench.path("home")
        try await bench.run(bench.benchbot, ["init", "--home", homePath, "--repo", bench.path("origin.git")])
        try await bench.run(bench.benchbot, ["poll", "--home", homePath])
        let shas = try await bench.output("git", ["-C", bench.path("origin.git"), "rev-list", "--reverse", "main"]).split(separator: "\n").map(String.init)
        let exports = bench.path("exports")
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        for (index, sha) in shas.enumerated() { try export(sha, index: index, into: exports) }
        let imported = try await bench.time(bench.benchbot, ["import", "--home", homePath, "--format", "benchbot-json", exports])

        let home = Home.resolve(option: homePath)
        let config = try HomeConfig.load(from: home)
        let store = try SQLiteStore.open(path: home.resolvePath(config.benchbot.store.path), busyTimeout: config.benchbot.store.busyTimeout)
        let generator = SiteGenerator(home: home, settings: config.benchbot, store: store)
        let site = bench.path("site")
        resetPeakMemory()
        let (full, fullSummary) = try await timed { try await generator.generate(into: site) }
        let peak = peakMemoryMegabytes()
        let (unchanged, unchangedSummary) = try await timed { try await generator.generate(into: site) }
        let onPostgres = try await postgresGeneration(bench, home: home, config: config, store: store, sqlite: full)

        // One more commit, measured: what a nightly run adds.
        let tree = try await bench.output("git", ["-C", bench.path("origin.git"), "rev-parse", "main^{tree}"])
        let newCommit = try await bench.output("git", ["-C", bench.path("origin.git"), "commit-tree", tree, "-p", "main", "-m", "one more"])
        try await bench.git(["-C", bench.path("origin.git"), "update-ref", "refs/heads/main", newCommit])
        try await bench.run(bench.benchbot, ["poll", "--home", homePath])
        let single = bench.path("single")
        try FileManager.default.createDirectory(atPath: single, withIntermediateDirectories: true)
        try export(newCommit, index: shas.count, into: single)
        try await bench.run(bench.benchbot, ["import", "--home", homePath, "--format", "benchbot-json", single])
        let (incremental, incrementalSummary) = try await timed { try await generator.generate(into: site) }
        let worker = try await workerUpdate(bench, home: home, site: site, after: newCommit)

        let browser = try await pageInBrowser(site: site)
        let floor = try await bench.time("python3", ["-c", Self.pythonFloor, home.resolvePath(config.benchbot.store.path), bench.path("floor")])
        print("""

            BenchBot site benchmark: \(commits) commits × \(benchmarks) benchmarks × 5 samples, one run each, milliseconds

            full generation           \(ms(full))   \(fullSummary.pages) pages, \(fullSummary.written) written   peak memory \(Int(peak)) MB
              python3 sqlite3 + json  \(ms(floor))   one JSON file per benchmark   \(ratio(full, floor))
            \(onPostgres)
            again, nothing new        \(ms(unchanged))   \(unchangedSummary.written) written
            after one new commit      \(ms(incremental))   \(incrementalSummary.written) written   \(ratio(incremental, floor))
            worker's update after a job \(ms(worker.seconds))   \(worker.written) written   \(ratio(worker.seconds, floor))   load \(loadAverage())
            (benchbot import of the store: \(ms(imported)))
            \(browser)
            """)
    }

    /// The same full generation from a verified copy of the store in PostgreSQL, as a line of the table.
    private func postgresGeneration(_ bench: BenchWorkspace, home: Home, config: HomeConfig, store: SQLiteStore, sqlite: Double) async throws -> String {
        guard let postgres else { return "  on PostgreSQL          skipped: pass --postgres postgres://user@host:port/database" }
        var settings = StoreSettings()
        settings.url = try PostgresLocation(url: postgres)
        settings.passwordEnvironment = passwordEnv
        return try await settings.withStore(home: home, logger: Logger(label: "benchbot.bench")) { copy in
            guard let target = copy as? PostgresStore else { return "" }
            try await target.removeEverything()
            _ = try await StoreMigration(source: store, target: target).run { _ in }
            let generator = SiteGenerator(home: home, settings: config.benchbot, store: target)
            let (seconds, _) = try await timed { try await generator.generate(into: bench.path("site-postgres")) }
            return "  on PostgreSQL          \(ms(seconds))   the same store copied with store migrate   \(ratio(seconds, sqlite)) of SQLite's"
        }
    }

    /// One more commit measured by a real job of the worker (its experiment prints the same
    /// results as an import would store), and the worker's own site update after it, timed
    /// where the worker times it: what `work` does after each job, on this home and this site.
    private func workerUpdate(_ bench: BenchWorkspace, home: Home, site: String, after parent: String) async throws -> (seconds: Double, written: Int) {
        let tree = try await bench.output("git", ["-C", bench.path("origin.git"), "rev-parse", "main^{tree}"])
        let commit = try await bench.output("git", ["-C", bench.path("origin.git"), "commit-tree", tree, "-p", parent, "-m", "measured by the worker"])
        try await bench.git(["-C", bench.path("origin.git"), "update-ref", "refs/heads/main", commit])
        let results = bench.path("job")
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        // The experiment `suite` names its benchmarks `suite.<name>`, as the import named them.
        try export(commit, index: commits + 1, into: results, prefix: "")
        guard let file = try FileManager.default.contentsOfDirectory(atPath: results).first else { throw ValidationError("no results exported to \(results)") }
        // The job's only experiment prints those results; the site is the one timed above.
        for folder in ["config/experiments", "experiments", "config/subsystem", "subsystem"] { try? FileManager.default.removeItem(atPath: home.path(folder)) }
        try FileManager.default.createDirectory(atPath: home.path("config/experiments/suite"), withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["active": true, "format": "benchbot-json", "command": ["cat", results + "/" + file]])
            .write(to: URL(fileURLWithPath: home.path("config/experiments/suite/config.json")))
        let configFile = home.path("config/config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configFile))) as? [String: Any] else {
            throw ValidationError("\(configFile) is not a JSON object")
        }
        var benchbot = config["benchbot"] as? [String: Any] ?? [:]
        benchbot["site"] = ["folder": site]
        benchbot["compare"] = ["confirm": "none"]
        config["benchbot"] = benchbot
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))
        try await bench.run(bench.benchbot, ["poll", "--home", home.root])
        try await bench.run(bench.benchbot, ["enqueue", "--home", home.root, "--commit", commit, "--priority", "1000000"])

        let loaded = try HomeConfig.load(from: home)
        let store = try SQLiteStore.open(path: home.resolvePath(loaded.benchbot.store.path), busyTimeout: loaded.benchbot.store.busyTimeout)
        let reports = Mutex<[Worker.JobReport]>([])
        try await Worker(home: home, config: loaded, store: store, logger: Logger(label: "benchbot.bench")).run(.once) { report in
            reports.withLock { $0.append(report) }
        }
        let all = reports.withLock { $0 }
        guard let report = all.first, report.job.commit.hex == commit, let update = report.siteUpdate else {
            throw ValidationError("the worker's job of \(commit) did not update the site: \(all.map(\.lines))")
        }
        return (Double(update.duration.components.seconds) + Double(update.duration.components.attoseconds) / 1e18, update.written)
    }

    /// A benchmark page of the whole history: its weight, and how soon headless Chromium has it
    /// interactive (its script set up, from navigation), with its self-test's verdict.
    private func pageInBrowser(site: String) async throws -> String {
        let pages = (try? FileManager.default.contentsOfDirectory(atPath: site + "/benchmark"))?.filter { $0.hasSuffix(".html") }.sorted() ?? []
        guard let first = pages.first else { return "no benchmark page to weigh" }
        let page = site + "/benchmark/" + first
        let size = (try? FileManager.default.attributesOfItem(atPath: page)[.size] as? Int) ?? 0
        let weight = "benchmark page of \(commits) points: \(size / 1024) KiB (\(first))"
        guard let chromium = HeadlessChromium.find() else { return weight + "; no chromium on PATH, so not opened" }
        var times: [Double] = [], walls: [Double] = []
        var problems: [String] = []
        for _ in 0..<3 {
            let verdict = try await chromium.selfTest(file: page, width: 1280)
            times.append(verdict.interactiveMilliseconds)
            walls.append(verdict.wallMilliseconds)
            problems += verdict.errors + verdict.overlaps + (verdict.hovered == verdict.plots ? [] : ["a hover showed no tooltip"])
        }
        return weight + String(format: "; interactive in headless Chromium after %.0f ms (median of 3; Chromium's whole run %.0f ms)",
                               times.sorted()[1], walls.sorted()[1]) + (problems.isEmpty ? "" : "; problems: \(problems)")
    }

    /// - Parameter prefix: Before each benchmark's name: `suite.`, the experiment's name, for an import.
    private func export(_ sha: String, index: Int, into folder: String, prefix: String = "suite.") throws {
        let results = (0..<benchmarks).map { benchmark in
            // Two level shifts per benchmark, so that plots have change points to keep.
            let level = 1000 + (index * 3 > commits ? 150 : 0) - (index * 3 > commits * 2 ? 300 : 0) + benchmark
            let samples = (0..<5).map { String(level + (index * 7 + benchmark * 13 + $0 * 3) % 29) }.joined(separator: ", ")
            return "{\"name\": \"\(prefix)group\(benchmark % 10)/case\(benchmark)\", \"unit\": \"ns\", \"samples\": [\(samples)]}"
        }
        try "{\"commit\": \"\(sha)\", \"benchmarks\": [\(results.joined(separator: ", "))]}"
            .write(toFile: (folder as NSString).appendingPathComponent(String(format: "%05d.json", index)), atomically: false, encoding: .utf8)
    }

    static let pythonFloor = """
        import json, os, sqlite3, sys
        db = sqlite3.connect(sys.argv[1]); os.makedirs(sys.argv[2], exist_ok=True); series = {}
        for name, sha, median in db.execute("SELECT result.benchmark, run.sha, result.median FROM result JOIN run ON run.id = result.run_id ORDER BY run.id"):
            series.setdefault(name, []).append({"commit": sha, "median": median})
        for index, (name, points) in enumerate(series.items()):
            json.dump({"benchmark": name, "points": points}, open(os.path.join(sys.argv[2], "%d.json" % index), "w"))
        """

    private func timed<T>(_ body: () async throws -> T) async rethrows -> (Double, T) {
        let start = ContinuousClock.now
        let value = try await body()
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, value)
    }

    /// Linux lets a process reset its peak resident size, so that the next peak is the generation's.
    private func resetPeakMemory() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private func peakMemoryMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}

/// The machine's load over the last minute, from `/proc/loadavg`: figures of one run are read beside it.
private func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
}

private func ms(_ seconds: Double) -> String { String(format: "%8.1f", seconds * 1000) }

private func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%7.2fx", value / baseline) }
