import BenchBot
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("The results site")
struct SiteTests {
    /// Every file of a generated site, relative to its root.
    static func files(in site: String) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: site))
        return enumerator.compactMap { $0 as? String }.filter { file in
            var isFolder: ObjCBool = false
            return !file.hasPrefix(".") && FileManager.default.fileExists(atPath: (site as NSString).appendingPathComponent(file), isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }

    /// Parses a page as XML (the pages are well-formed), collecting its links and plot points.
    final class PageReader: NSObject, XMLParserDelegate {
        var links: [String] = []
        var plotValues: [[Double]] = []
        /// Each plot's tooltips, the JSON `plot.js` shows them from.
        var tips: [String] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            for attribute in ["href", "src"] { if let link = attributes[attribute] { links.append(link) } }
            if name == "svg" { plotValues.append([]) }
            if name == "svg", let data = attributes["data-tips"] { tips.append(data) }
            if name == "circle", let value = attributes["data-value"].flatMap(Double.init) { plotValues[plotValues.count - 1].append(value) }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    static func read(_ path: String) throws -> PageReader {
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        let reader = PageReader()
        parser.delegate = reader
        #expect(parser.parse(), "\(path) is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        return reader
    }

    /// Checks every page: it parses, and every internal link resolves to a generated file.
    static func checkLinks(in site: String) throws -> [String: PageReader] {
        var pages: [String: PageReader] = [:]
        for file in try files(in: site) where file.hasSuffix(".html") {
            let reader = try read((site as NSString).appendingPathComponent(file))
            for link in reader.links where !link.contains("://") {
                let path = String(link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let target = (((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path) as NSString).standardizingPath
                #expect(FileManager.default.fileExists(atPath: (site as NSString).appendingPathComponent(target)), "\(file) links to \(link), which is missing")
            }
            pages[file] = reader
        }
        return pages
    }

    /// A benchmark's medians, from its data index and the files it names.
    static func medians(in site: String, slug: String) throws -> [Double] {
        func object(_ path: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: site.appending(path: path)))) as? [String: Any])
        }
        let files = try #require(try object("data/\(slug).json")["files"] as? [[String: Any]])
        return try files.flatMap { file in
            try (object("data/" + (try #require(file["file"] as? String)))["points"] as? [[String: Any]] ?? []).compactMap { $0["median"] as? Double }
        }
    }

    @Test("an empty store gives a friendly empty site whose pages parse and whose links resolve")
    func emptySite() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let output = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", root.appending(path: "site")])
            #expect(output.hasPrefix("3 page(s), 3 written"), "\(output)")
            let pages = try Self.checkLinks(in: root.appending(path: "site"))
            #expect(pages["index.html"]?.text.contains("Nothing measured yet") == true)

            // A folder of someone else's files is never replaced.
            let refused = try await BenchBotProcess.run(["site", "--home", fixture.home, "--out", fixture.home.appending(path: "config")])
            #expect(refused.status == 1 && refused.standardError.contains("holds files that are not a BenchBot site"), "\(refused.standardError)")
            #expect(FileManager.default.fileExists(atPath: fixture.home.appending(path: "config/config.json")))
        }
    }

    @Test("benchmarks whose names are too long for a file name, or full of line separators, get pages like any other")
    func longBenchmarkNames() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let names = [String(repeating: "n", count: 301), String(repeating: "\u{2028}", count: 40), String(repeating: "n", count: 301) + "2"]
            let file = root.appending(path: "long.json")
            let document: [String: Any] = ["benchmarks": names.map { ["name": $0, "unit": "ns", "samples": [1, 2, 3]] }]
            try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: file))
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--commit", "main", "--format", "benchbot-json", file])
            let site = root.appending(path: "site")
            let output = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(output.contains("page(s)"), "\(output)")
            let pages = try FileManager.default.contentsOfDirectory(atPath: site.appending(path: "benchmark")).filter { $0.hasSuffix(".html") }
            #expect(pages.count == 3, "\(pages)")
            _ = try Self.checkLinks(in: site)
        }
    }

    @Test("a store that is missing or truncated to zero bytes never replaces an existing site")
    func lostStoreKeepsSite() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let index = try String(contentsOfFile: site.appending(path: "index.html"), encoding: .utf8)
            let store = fixture.home.appending(path: "benchbot.sqlite")
            try FileManager.default.moveItem(atPath: store, toPath: store + ".moved")
            let missing = try await BenchBotProcess.run(["site", "--home", fixture.home, "--out", site])
            #expect(missing.status == 1 && missing.standardError.contains("no store here"), "\(missing.standardError)")
            #expect(!FileManager.default.fileExists(atPath: store))
            #expect(FileManager.default.createFile(atPath: store, contents: Data()))
            let empty = try await BenchBotProcess.run(["site", "--home", fixture.home, "--out", site])
            #expect(empty.status == 1 && empty.standardError.contains("empty (0 bytes)"), "\(empty.standardError)")
            #expect(try String(contentsOfFile: site.appending(path: "index.html"), encoding: .utf8) == index)
        }
    }

    @Test("pages parse, links resolve, plots carry every point, text from commits is escaped; a second generation writes nothing, a new commit only what changed")
    func generatedSite() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 5])
            let hostile = #"<script>alert("x")</script> Ünïcødé & “quotes”"#
            try "#define ITERATIONS 2000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", hostile)
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "2"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            #expect(try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site]).contains("written"))

            let pages = try Self.checkLinks(in: site)
            let files = try Self.files(in: site)
            #expect(files.contains("benchmark/size.loop.html") && files.contains("data/size.loop.json") && files.filter { $0.hasPrefix("commit/") }.count == 2)
            let page = try #require(pages["benchmark/size.loop.html"])
            let medians = try Self.medians(in: site, slug: "size.loop")
            #expect(medians == [1000, 2000] && page.plotValues.first == medians, "the all-time plot shows every point of its data")
            let html = try String(contentsOfFile: site.appending(path: "benchmark/size.loop.html"), encoding: .utf8)
            #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(") && html.contains("Ünïcødé &amp;"))
            let subjects = page.tips.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .flatMap { ($0["points"] as? [[Any]] ?? []).compactMap { $0[2] as? String } }
            #expect(subjects.contains { $0.contains(hostile) }, "the reader sees the subject as written, in the plot's tooltips: \(subjects)")
            #expect(html.contains("aria-label=\"size.loop in count over 2 commit(s)\"") && html.contains(">count (k)</text>"), "axis labels and units")
            #expect(!page.text.contains("Parameters:"), "a benchmark without parameters has no variants to choose")

            // Nothing changed: nothing is written; one new commit: its pages and those of what it changes.
            let unchanged = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(unchanged.hasPrefix("\(files.count) page(s), 0 written"), "\(unchanged)")
            try "#define ITERATIONS 3000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "third")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let again = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            // The index, the benchmark's page, its data's index and file, the new commit's page (which holds its comparison), the score,
            // and the experiment's page: its last run is now the paired job that confirmed the new commit's regression.
            #expect(again.hasPrefix("\(files.count + 1) page(s), 7 written"), "\(again)")
            _ = try Self.checkLinks(in: site)
        }
    }

    @Test("a benchmark with a single point shows that point")
    func singlePoint() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 5])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let page = try #require(try Self.checkLinks(in: site)["benchmark/size.loop.html"])
            #expect(page.plotValues.first == [1000])
        }
    }

    @Test("a branch and a paired pull request get comparison pages against their merge base, where notifications link")
    func offBranchComparisons() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let mergeBase = try await fixture.git.head("main")
            var candidates: [String: String] = [:]
            for (branch, length) in [("faster", 500), ("slower", 4000)] {
                try await fixture.git.git("-C", fixture.git.work, "checkout", "-q", "-b", branch, "main")
                try "#define ITERATIONS \(length)UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
                try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "loop of \(length) <b>")
                try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", branch)
                candidates[branch] = try await fixture.git.head()
            }
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "faster"])
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "slower", "--pull-request", "7"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let pages = try Self.checkLinks(in: site)
            let fasterCommit = try #require(candidates["faster"]), slowerCommit = try #require(candidates["slower"])

            let faster = try #require(pages["compare/\(mergeBase)...\(fasterCommit).html"], "the branch's comparison page")
            #expect(faster.text.contains("branch faster") && faster.text.contains("its merge base with the tracked branch"), "\(faster.text)")
            #expect(faster.text.contains("size.loop") && faster.text.contains("-75.0%"), "\(faster.text)")
            #expect(faster.links.contains("../commit/\(mergeBase).html"), "the merge base links to its page")
            let slower = try #require(pages["compare/\(mergeBase)...\(slowerCommit).html"], "the pull request's comparison page")
            #expect(slower.text.contains("pull request #7 (slower)") && slower.text.contains("measured alternately"), "\(slower.text)")
            #expect(slower.text.contains("+100.0%"), "\(slower.text)")
            let index = try #require(pages["index.html"])
            #expect(index.text.contains("Branches and pull requests") && index.text.contains("loop of 4000 <b>"), "\(index.text)")
            #expect(pages["commit/\(fasterCommit).html"]?.text.contains("Compared with") == true)
        }
    }

    @Test("each experiment gets a page with its visualize.sh graphs; the index counts down deadlines; the score is plotted over history")
    func experimentsScoreAndDeadlines() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            // Relay's stages, drawing graphs but measuring nothing, so that the score is the loop's alone.
            var scripts = RunnerFixture.timingStages
            scripts["run.sh"] = "#!/bin/sh\necho '{\"success\": true, \"message\": \"\"}' > \"$2/status.json\""
            scripts["analyze.sh"] = "#!/bin/sh\necho '{}' > \"$3/data.json\"\necho '{\"success\": true, \"message\": \"\"}' > \"$3/status.json\""
            try fixture.addExperiment("stages", config: ["active": true], scripts: scripts)
            let soon = Date().addingTimeInterval(3 * 86_400 + 3_600)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let folder = fixture.home.appending(path: "config/subsystem/deadline")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: ["active": true, "deadlines": ["Paper <draft>": ["date": formatter.string(from: soon)],
                                                                                      "Eclipse": ["date": "2024-04-08 12:00:00"]]])
                .write(to: URL(fileURLWithPath: folder.appending(path: "config.json")))
            _ = try await fixture.commitLoopLengths(2...3) { $0 == 3 ? 500 : 2000 }
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "3"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let pages = try Self.checkLinks(in: site)

            let stages = try #require(pages["experiment/stages.html"])
            #expect(stages.links.contains("../graph/stages/loop.svg") && stages.links.contains("../graph/stages/inputs.txt"), "\(stages.links)")
            #expect(stages.text.contains("passed in the last run"), "\(stages.text)")
            #expect(FileManager.default.contents(atPath: site.appending(path: "graph/stages/loop.svg")) == Data("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".utf8))
            #expect(!FileManager.default.fileExists(atPath: site.appending(path: "graph/stages/status.json")), "the stage's status is not a graph")
            let index = try #require(pages["index.html"])
            #expect(index.links.contains("experiment/stages.html") && index.links.contains("score.html"))
            #expect(index.text.contains("Paper <draft>: ") && index.text.contains("3 day(s) left") && !index.text.contains("Eclipse"), "\(index.text)")
            let html = try String(contentsOfFile: site.appending(path: "index.html"), encoding: .utf8)
            #expect(html.contains("<li class=\"due\">Paper &lt;draft&gt;"), "a deadline within a week is marked")

            // The loop went 1000, 2000, 500: the last commit is twice as fast as the first.
            let score = try #require(pages["score.html"])
            #expect(score.plotValues.first == [1, 0.5, 2], "\(score.plotValues)")
            #expect(score.plotValues.last == [0, 0, 1], "\(score.plotValues)")
        }
    }

    @Test("a benchmark's variants with other parameters link each other")
    func parameterVariants() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addExperiment("sizes", config: ["active": true, "format": "benchbot-json", "command": ["printf", #"""
                {"benchmarks": [{"name": "sort", "parameters": {"n": 10}, "unit": "ns", "samples": [5, 6]},
                                {"name": "sort", "parameters": {"n": 1000}, "unit": "ns", "samples": [500, 600]}]}
                """#]], scripts: [:])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let pages = try Self.checkLinks(in: site)
            let small = try #require(pages["benchmark/sizes.sort~5Bn~3D10~5D.html"], "\(pages.keys.sorted())")
            #expect(small.text.contains("Parameters: n=10 n=1000") && small.links.contains("sizes.sort~5Bn~3D1000~5D.html"), "\(small.text)")
        }
    }

    @Test("two builds of one folder at once take turns, and leave a whole site")
    func concurrentBuilds() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 3)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "3"])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let site = root.appending(path: "site")
            for _ in 0..<3 {
                async let first = BenchBotProcess.run(["site", "--home", fixture.home, "--out", site])
                async let second = BenchBotProcess.run(["site", "--home", fixture.home, "--out", site])
                let results = try await [first, second]
                #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.standardError))")
                let pages = try Self.checkLinks(in: site)
                #expect(pages["index.html"] != nil && pages.keys.filter { $0.hasPrefix("commit/") }.count == 3)
                #expect(!FileManager.default.fileExists(atPath: site + ".building"))
            }
        }
    }
}
