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
        return enumerator.compactMap { $0 as? String }.filter { !$0.hasPrefix(".") && !($0 as NSString).pathExtension.isEmpty }.sorted()
    }

    /// Parses a page as XML (the pages are well-formed), collecting its links and plot points.
    final class PageReader: NSObject, XMLParserDelegate {
        var links: [String] = []
        var plotValues: [[Double]] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            for attribute in ["href", "src"] { if let link = attributes[attribute] { links.append(link) } }
            if name == "svg" { plotValues.append([]) }
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
                let target = (((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link) as NSString).standardizingPath
                #expect(FileManager.default.fileExists(atPath: (site as NSString).appendingPathComponent(target)), "\(file) links to \(link), which is missing")
            }
            pages[file] = reader
        }
        return pages
    }

    @Test("an empty store gives a friendly empty site whose pages parse and whose links resolve")
    func emptySite() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let output = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", root.appending(path: "site")])
            #expect(output.hasPrefix("2 page(s), 2 written"), "\(output)")
            let pages = try Self.checkLinks(in: root.appending(path: "site"))
            #expect(pages["index.html"]?.text.contains("Nothing measured yet") == true)

            // A folder of someone else's files is never replaced.
            let refused = try await BenchBotProcess.run(["site", "--home", fixture.home, "--out", fixture.home.appending(path: "config")])
            #expect(refused.status == 1 && refused.standardError.contains("holds files that are not a BenchBot site"), "\(refused.standardError)")
            #expect(FileManager.default.fileExists(atPath: fixture.home.appending(path: "config/config.json")))
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
            try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            let site = root.appending(path: "site")
            #expect(try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site]).contains("written"))

            let pages = try Self.checkLinks(in: site)
            let files = try Self.files(in: site)
            #expect(files.contains("benchmark/size.loop.html") && files.contains("data/size.loop.json") && files.filter { $0.hasPrefix("commit/") }.count == 2)
            let page = try #require(pages["benchmark/size.loop.html"])
            let data = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: site.appending(path: "data/size.loop.json")))) as? [String: Any])
            let medians = (data["points"] as? [[String: Any]] ?? []).compactMap { $0["median"] as? Double }
            #expect(medians == [1000, 2000] && page.plotValues.first == medians, "the all-time plot shows every point of its data")
            let html = try String(contentsOfFile: site.appending(path: "benchmark/size.loop.html"), encoding: .utf8)
            #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(") && html.contains("Ünïcødé &amp;"))
            #expect(page.text.contains(hostile), "the reader sees the subject as written")
            #expect(html.contains("aria-label=\"size.loop in count over 2 commit(s)\"") && html.contains(">count</text>"), "axis labels and units")

            // Nothing changed: nothing is written; one new commit: its pages and those of what it changes.
            let unchanged = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(unchanged.hasPrefix("\(files.count) page(s), 0 written"), "\(unchanged)")
            try "#define ITERATIONS 3000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "third")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            let again = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            // The index, the benchmark's page and data, the new commit's page and its comparison.
            #expect(again.hasPrefix("\(files.count + 2) page(s), 5 written"), "\(again)")
            _ = try Self.checkLinks(in: site)
        }
    }

    @Test("a benchmark with a single point shows that point")
    func singlePoint() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 5])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let page = try #require(try Self.checkLinks(in: site)["benchmark/size.loop.html"])
            #expect(page.plotValues.first == [1000])
        }
    }
}
