@testable import BenchBot
import Foundation
import Testing

/// The site in a real browser: headless Chromium opens the index, a benchmark page, a commit page
/// and a comparison page at a desktop's and a phone's width, with `#selftest`. Skipped, saying
/// so, where Chromium is not installed; CI installs Debian's `chromium`.
@Suite("Site in a browser", .enabled(if: HeadlessChromium.find() != nil, "no chromium, chromium-browser or google-chrome on PATH: install Debian's chromium"))
struct SiteScreenshotTests {
    static func check(_ verdict: HeadlessChromium.Verdict, _ page: String, width: Int, plots: Int) {
        #expect(verdict.errors.isEmpty, "\(page) at \(width) px: JavaScript errors \(verdict.errors)")
        #expect(verdict.overlaps.isEmpty, "\(page) at \(width) px: tick labels overlap: \(verdict.overlaps)")
        #expect(verdict.plots == plots && verdict.hovered == plots, "\(page) at \(width) px: \(verdict.hovered) of \(verdict.plots) plots showed a tooltip on hover")
    }

    @Test("index, benchmark, commit and comparison pages, 1280 and 390 px wide: no JavaScript error, no overlapping tick labels, a hover shows the tooltip, the index filters")
    func pagesInChromium() async throws {
        let chromium = try #require(HeadlessChromium.find())
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 3)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home, "--backfill", "3"])
            try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            try await fixture.measureSlowerPullRequest(3)
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let files = try SiteTests.files(in: site)
            let pages = [
                ("index.html", 0),
                // All of its history is from the last 2 weeks: one plot, not the same one twice.
                (try #require(files.first { $0.hasPrefix("benchmark/") && $0.hasSuffix(".html") }), 1),
                (try #require(files.first { $0.hasPrefix("commit/") }), 0),
                (try #require(files.first { $0.hasPrefix("compare/") }), 0),
            ]
            for width in [1280, 390] {
                for (page, plots) in pages {
                    let verdict = try await chromium.selfTest(file: site.appending(path: page), width: width)
                    Self.check(verdict, page, width: width, plots: plots)
                    if page == "index.html" {
                        #expect(verdict.filter && verdict.filtered && verdict.sorted, "the index filters and sorts: \(verdict)")
                    }
                }
            }
        }
    }

    /// How fast it becomes interactive is `benchbot bench site`'s to measure: under the whole suite on
    /// 2 cores, a second is a claim about the scheduler, not the page.
    @Test("a benchmark page of 10,000 points weighs at most 300 KB and works in Chromium, its tooltip included")
    func tenThousandPoints() async throws {
        let chromium = try #require(HeadlessChromium.find())
        try await withTemporaryDirectory { root in
            let page = try Self.largePage(in: root, points: 10_000)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: page)[.size] as? Int)
            #expect(size <= 300_000, "\(size) bytes")
            let verdict = try await chromium.selfTest(file: page, width: 1280)
            Self.check(verdict, "10,000 points", width: 1280, plots: 2)
            #expect(verdict.interactiveMilliseconds > 0, "the page reports when it became interactive")
        }
    }

    @Test("the self-test catches a script error, overlapping tick labels and a plot without its tooltip")
    func selfTestCatches() async throws {
        let chromium = try #require(HeadlessChromium.find())
        try await withTemporaryDirectory { root in
            let page = try Self.largePage(in: root, points: 50)
            var html = try String(contentsOfFile: page, encoding: .utf8)
            // A second label over the first y tick (x ticks that meet, plot.js hides), and a script that throws.
            let tick = try #require(html.range(of: "<g class=\"ticks y\"[^>]*>", options: .regularExpression))
            let first = try #require(html.range(of: "</text>", range: tick.upperBound..<html.endIndex))
            html.insert(contentsOf: String(html[tick.upperBound..<first.upperBound]), at: tick.upperBound)
            html = html.replacingOccurrences(of: "</body>", with: "<script>benchbotMissingFunction();</script></body>")
            try html.write(toFile: page, atomically: true, encoding: .utf8)
            let verdict = try await chromium.selfTest(file: page, width: 1280)
            #expect(verdict.overlaps.contains { $0.contains("y ticks") }, "\(verdict.overlaps)")
            #expect(verdict.errors.contains { $0.contains("benchbotMissingFunction") }, "\(verdict.errors)")
            // Without its tooltip data the plot shows no tooltip on hover.
            try html.replacingOccurrences(of: " data-tips=", with: " data-none=").write(toFile: page, atomically: true, encoding: .utf8)
            let bare = try await chromium.selfTest(file: page, width: 1280)
            #expect(bare.plots == 2 && bare.hovered == 0, "\(bare)")
        }
    }

    /// A benchmark page as the site makes it, with `points` commits an hour apart and two level shifts, in `root`.
    static func largePage(in root: String, points count: Int) throws -> String {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let points = (0..<count).map { index -> SVGPlot.Point in
            let hex = String(format: "%040x", index * 2_654_435_761 % 0xFFFF_FFFF)
            let level = 1_000_000 + (index > count / 3 ? 150_000 : 0) - (index > 2 * count / 3 ? 300_000 : 0) + Double((index * 7) % 29) * 1000
            return SVGPlot.Point(commit: hex, label: "Commit subject number \(index) with some words (Demo Dev)", median: level, minimum: level * 0.98,
                                 maximum: level * 1.02, link: "../commit/\(hex).html", time: start.addingTimeInterval(Double(index) * 3600), samples: 5)
        }
        let marks = [points[count / 3 + 1].commit: SVGPlot.Mark.regression, points[2 * count / 3 + 1].commit: .improvement]
        let labels = [points[count / 3 + 1].commit: "+15.0%", points[2 * count / 3 + 1].commit: "-26.1%"]
        func plot(_ id: String, _ chosen: [SVGPlot.Point]) -> String {
            SVGPlot(id: id, title: "group/case", unit: "ns", points: chosen, marks: marks, markLabels: labels, noise: 0.03).svg()
        }
        let templates = try SiteTemplates()
        let content = templates.render("benchmark", ["slug": "case", "count": count, "better": "better", "allTime": plot("all-time", points),
                                                     "recent": plot("recent", Array(points.suffix(14 * 24))), "caption": "caption"])
        let html = templates.render("layout", ["title": "group/case", "root": "../", "repository": "demo", "machine": "m", "content": content, "script": true])
        try FileManager.default.createDirectory(atPath: root.appending(path: "benchmark"), withIntermediateDirectories: true)
        try SiteTemplates.script.write(toFile: root.appending(path: "plot.js"), atomically: true, encoding: .utf8)
        try SiteTemplates.style.write(toFile: root.appending(path: "style.css"), atomically: true, encoding: .utf8)
        let page = root.appending(path: "benchmark/case.html")
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        return page
    }
}
