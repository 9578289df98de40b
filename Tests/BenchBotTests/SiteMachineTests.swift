@testable import BenchBot
import Foundation
import Logging
import Testing

/// A site of several machine classes: a page set per class, each from its own results, and a
/// switch between them in every page's header.
@Suite("The results site, per machine class")
struct SiteMachineTests {
    /// Results of two benchmarks for each commit, the medians `level + index + 1`, as `import` reads a folder of them.
    private static func export(_ commits: [String], into folder: String, level: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, sha) in commits.enumerated() {
            let benchmarks = (0..<2).map { ["name": "suite.case\($0)", "unit": "ns", "samples": [level + index, level + index + 1, level + index + 2]] }
            try JSONSerialization.data(withJSONObject: ["commit": sha, "benchmarks": benchmarks] as [String: Any])
                .write(to: URL(fileURLWithPath: folder.appending(path: "\(sha).json")))
        }
    }

    /// Imports `commits`' results as measured on `machine`, the config's class while it imports.
    private static func importResults(_ fixture: RunnerFixture, _ commits: [String], machine: Any, level: Int, root: String) async throws {
        let folder = root.appending(path: "export-\(UUID().uuidString)")
        try export(commits, into: folder, level: level)
        try fixture.editConfig { config in
            var benchbot = config["benchbot"] as! [String: Any]
            benchbot["machine"] = machine
            config["benchbot"] = benchbot
        }
        try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", folder])
    }

    /// A home whose commits are measured on `x86` and `arm64`: `x86` has all four commits, medians
    /// from 1001; `arm64` the first three, medians from 5001.
    private static func twoClasses(in root: String) async throws -> (fixture: RunnerFixture, commits: [String]) {
        let fixture = try await RunnerFixture.make(in: root, commits: 4)
        try fixture.editConfig { config in
            var benchbot = config["benchbot"] as! [String: Any]
            benchbot["machines"] = ["x86", "arm64"]
            config["benchbot"] = benchbot
        }
        try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
        let commits = try await fixture.git.git("-C", fixture.git.work, "rev-list", "--reverse", "main").standardOutput
            .split(separator: "\n").map(String.init)
        try await importResults(fixture, Array(commits[0..<3]), machine: ["name": "builder-2", "class": "arm64"], level: 5000, root: root)
        try await importResults(fixture, commits, machine: "x86", level: 1000, root: root)
        return (fixture, commits)
    }

    /// Where `link`, on the page at `page`, leads, relative to the site's root.
    private static func target(of link: String, from page: String) -> String {
        // From a root of its own: a relative path's leading `..` is not resolved.
        String(((("/site/" + page as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link) as NSString).standardizingPath.dropFirst("/site/".count))
    }

    /// Every page of the site with the classes in its header: its links to other classes' sets.
    private static func switchLinks(in site: String) throws -> [String: [String]] {
        var found: [String: [String]] = [:]
        for file in try SiteTests.files(in: site) where file.hasSuffix(".html") {
            let html = try String(contentsOfFile: site.appending(path: file), encoding: .utf8)
            guard let header = html.range(of: "<header>").flatMap({ start in html.range(of: "</header>", range: start.upperBound..<html.endIndex).map { html[start.upperBound..<$0.lowerBound] } }),
                  let classes = header.range(of: "<span class=\"machines\">") else { continue }
            let markup = String(header[classes.upperBound...])
            found[file] = markup.components(separatedBy: "href=\"").dropFirst().compactMap { $0.components(separatedBy: "\"").first }
        }
        return found
    }

    @Test("a home of two classes gets a page set per class, each drawn from its own results only, with a switch in every header whose links resolve")
    func twoPageSets() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.twoClasses(in: root)
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let arm = site.appending(path: "machines/arm64")
            for set in [site, arm] {
                for page in ["index.html", "score.html", "benchmark/suite.case0.html", "commit/\(commits[0]).html", "commit/\(commits[2]).html"] {
                    #expect(FileManager.default.fileExists(atPath: set.appending(path: page)), "\(set): \(page)")
                }
            }
            #expect(try SiteTests.medians(in: site, slug: "suite.case0") == [1001, 1002, 1003, 1004])
            #expect(!FileManager.default.fileExists(atPath: arm.appending(path: "commit/\(commits[3]).html")))
            #expect(try SiteTests.medians(in: arm, slug: "suite.case0") == [5001, 5002, 5003])
            #expect(try SiteTests.read(site.appending(path: "benchmark/suite.case1.html")).plotValues.flatMap { $0 }.allSatisfy { $0 < 2000 })
            #expect(try SiteTests.read(arm.appending(path: "benchmark/suite.case1.html")).plotValues.flatMap { $0 }.allSatisfy { $0 > 5000 })
            // A commit's baseline is the class's own previous commit: about 5 µs against 5 µs, never against x86's 1 µs.
            let armCommit = try SiteTests.read(arm.appending(path: "commit/\(commits[2]).html")).text
            #expect(armCommit.contains("5 µs") && !armCommit.contains("1 µs"), "\(armCommit)")
            let x86Commit = try SiteTests.read(site.appending(path: "commit/\(commits[2]).html")).text
            #expect(x86Commit.contains("1 µs") && !x86Commit.contains("5 µs"), "\(x86Commit)")

            #expect(try SiteLinkTests.unresolved(in: site, pattern: nil) == [])
            let switches = try Self.switchLinks(in: site)
            let pages = try SiteTests.files(in: site).filter { $0.hasSuffix(".html") }
            #expect(Set(switches.keys) == Set(pages), "every page has the switch")
            #expect(switches["commit/\(commits[3]).html"].map { $0.map { Self.target(of: $0, from: "commit/\(commits[3]).html") } } == ["machines/arm64/index.html"])
            for (page, links) in switches {
                let onArm = page.hasPrefix("machines/arm64/")
                let inSet = onArm ? String(page.dropFirst("machines/arm64/".count)) : page
                // The same page in the other set where it has one, else its index.
                let other = onArm ? "" : "machines/arm64/"
                let expected = other + (pages.contains(other + inSet) ? inSet : "index.html")
                #expect(links.map { Self.target(of: $0, from: page) } == [expected], "\(page): \(links)")
                let html = try String(contentsOfFile: site.appending(path: page), encoding: .utf8)
                #expect(html.contains("<strong aria-current=\"page\">\(onArm ? "arm64" : "x86")</strong>"), "\(page)")
            }
        }
    }

    /// Each file of the site but the writer's own, by path, with its inode: a file linked from the
    /// last build keeps it, a file written has a new one.
    private static func inodes(in site: String) throws -> [String: Int] {
        var found: [String: Int] = [:]
        for file in try SiteTests.files(in: site) where !file.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            found[file] = try #require(FileManager.default.attributesOfItem(atPath: site.appending(path: file))[.systemFileNumber] as? Int)
        }
        return found
    }

    /// Fails unless both folders hold the same files, hidden ones included, with the same bytes.
    private static func expectSameSite(_ site: String, _ reference: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = try SiteTests.files(in: site).filter { !$0.contains("/.") }
        #expect(files == (try SiteTests.files(in: reference)).filter { !$0.contains("/.") }, sourceLocation: sourceLocation)
        let differing = try files.filter { file in
            try Data(contentsOf: URL(fileURLWithPath: site.appending(path: file))) != Data(contentsOf: URL(fileURLWithPath: reference.appending(path: file)))
        }
        #expect(differing.isEmpty, "files that differ from a whole build's: \(differing)", sourceLocation: sourceLocation)
    }

    @Test("a new commit on one class makes again that class's changed pages and the other class's page that now switches to it, nothing else; each class keeps its own series, and one put in another's place is not taken for it")
    func incrementalPerClass() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await Self.twoClasses(in: root)
            let site = root.appending(path: "site"), arm = site.appending(path: "machines/arm64")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let before = try Self.inodes(in: site)
            let x86Rows = try #require(SeriesTable.cached(in: site)).rows, armRows = try #require(SeriesTable.cached(in: arm)).rows
            #expect(x86Rows.count == 4 && armRows.count == 3 && Set(x86Rows.map(\.run)).isDisjoint(with: armRows.map(\.run)))

            try await Self.importResults(fixture, [commits[3]], machine: ["class": "arm64"], level: 5003, root: root)
            let output = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let after = try Self.inodes(in: site)
            let changed = Set(after.keys.filter { before[$0] != after[$0] })
            let newCommit = "commit/\(commits[3]).html"
            let expected = Set([newCommit, "machines/arm64/" + newCommit, "machines/arm64/index.html", "machines/arm64/score.html"])
                .union(["suite.case0", "suite.case1"].flatMap { ["machines/arm64/benchmark/\($0).html", "machines/arm64/data/\($0).json", "machines/arm64/data/\($0)/0.json"] })
            #expect(changed == expected, "\(output)")
            #expect(output.contains(", \(expected.count) written"), "\(output)")
            #expect(try SiteTests.medians(in: arm, slug: "suite.case0") == [5001, 5002, 5003, 5004])
            #expect(try Self.switchLinks(in: site)[newCommit] == ["../machines/arm64/\(newCommit)"])
            #expect(try #require(SeriesTable.cached(in: arm)).rows.count == 4)

            let reference = root.appending(path: "reference")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", reference])
            try Self.expectSameSite(site, reference)
            // x86's series where arm64's belong: its rows are other runs, so arm64's are read again.
            let armSeries = arm.appending(path: SeriesTable.cacheFolder)
            try FileManager.default.removeItem(atPath: armSeries)
            try FileManager.default.copyItem(atPath: site.appending(path: SeriesTable.cacheFolder), toPath: armSeries)
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(try SiteTests.medians(in: arm, slug: "suite.case0") == [5001, 5002, 5003, 5004])
            try Self.expectSameSite(site, reference)
        }
    }

    @Test("a class named to climb out of the site, or holding markup, gets one folder inside machines/, and its name is shown as text")
    func hostileClassName() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let commits = try await fixture.git.git("-C", fixture.git.work, "rev-list", "--reverse", "main").standardOutput
                .split(separator: "\n").map(String.init)
            // Plain strings are the older form, a host name as its own class, and are not checked as classes are.
            let hostile = ["../../escape<b>&", "a/b"]
            for name in hostile { try await Self.importResults(fixture, [commits[0]], machine: name, level: 7000, root: root) }
            try await Self.importResults(fixture, commits, machine: "x86", level: 1000, root: root)
            let out = root.appending(path: "out"), site = out.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])

            // Beside it only its own hidden siblings: the lock and the spare.
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".site.") } == ["site"])
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: root)).contains { $0.contains("escape") })
            let folders = try FileManager.default.contentsOfDirectory(atPath: site.appending(path: "machines")).sorted()
            #expect(folders == hostile.map { SiteLayout.slug($0) }.sorted(), "\(folders)")
            #expect(folders.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") })
            #expect(try SiteTests.medians(in: site, slug: "suite.case0") == [1001, 1002])
            #expect(try SiteLinkTests.unresolved(in: site, pattern: nil) == [])
            for name in hostile {
                let set = site.appending(path: SiteLayout.machineFolder(name, primary: false))
                #expect(try SiteTests.medians(in: set, slug: "suite.case0") == [7001])
                // The parser gives the text back unescaped: the markup went in as text.
                let page = try SiteTests.read(set.appending(path: "index.html"))
                #expect(page.text.contains("benchmarks on x86, ../../escape<b>&, a/b"), "\(page.text)")
            }
            let index = try String(contentsOfFile: site.appending(path: "index.html"), encoding: .utf8)
            #expect(index.contains("escape&lt;b&gt;&amp;</a>") && !index.contains("<b>"), "\(index)")
        }
    }

    @Test("a class's folder is one name inside machines/, whatever the class is called; the primary class is at the root")
    func machineFolders() {
        #expect(SiteLayout.machineFolder("x86-avx512", primary: true) == "")
        #expect(SiteLayout.machineFolder("x86-avx512", primary: false) == "machines/x86-avx512/")
        #expect(SiteLayout.machineFolder("..", primary: false) == "machines/~2E./")
        #expect(SiteLayout.machineFolder("../x", primary: false) == "machines/~2E.~2Fx/")
        #expect(SiteLayout.machineFolder("", primary: false) == "machines/~/")
        #expect(SiteLayout.root(of: "machines/a/commit/1.html") == "../../../")
    }

    @Test("the classes with runs of a suite are listed once each, by name, apart from other suites' and repositories'",
          arguments: JobQueueContractTests.engines)
    func runMachines(engine: JobQueueContractTests.Engine) async throws {
        let body: @Sendable (any Store) async throws -> Void = { store in
            let runs: [(machine: String, suite: String, repository: String)] = [
                ("m2", "default", "demo"), ("m1", "default", "demo"), ("m1", "default", "demo"), ("m3", "nightly", "demo"), ("m4", "default", "other"),
            ]
            for (index, run) in runs.enumerated() {
                var request = JobQueueContractTests.request(index..<index + 1, machine: run.machine, branch: nil)
                (request.suite, request.repository) = (run.suite, run.repository)
                let result = BenchmarkResult(benchmark: "parse", unit: "ns", direction: .lowerIsBetter, samples: [1, 2, 3])
                _ = try await store.importRun(request, startedAt: Date(), finishedAt: Date(), environment: [:], results: [result], failures: [],
                                              contentDigests: ["\(index)"], replace: false)
            }
            #expect(try await store.runMachines(repository: "demo", suite: "default") == ["m1", "m2"])
            #expect(try await store.runMachines(repository: "demo", suite: "nightly") == ["m3"])
            #expect(try await store.runMachines(repository: "none", suite: "default") == [])
        }
        switch engine {
        case .sqlite:
            try await withTemporaryDirectory { folder in try await body(try SQLiteStore.open(path: folder.appending(path: "store.sqlite"))) }
        case .postgres:
            let location = try PostgresLocation(url: try await PostgresCluster.makeDatabase())
            try await PostgresStore.with(location, password: nil, logger: Logger(label: "benchbot.test.site-machines")) { try await body($0) }
        }
    }
}
