@testable import BenchBot
import Foundation
import Testing

@Suite("Updating a large site, and what its benchmark pages draw")
struct SiteUpdateTests {
    /// Results of two benchmarks for each commit, as `import` reads a folder of them.
    private static func export(_ commits: [String], into folder: String, level: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, sha) in commits.enumerated() {
            let benchmarks = (0..<2).map { ["name": "suite.case\($0)", "unit": "ns", "samples": [level + index, level + index + 1, level + index + 2]] }
            try JSONSerialization.data(withJSONObject: ["commit": sha, "benchmarks": benchmarks] as [String: Any])
                .write(to: URL(fileURLWithPath: folder.appending(path: "\(sha).json")))
        }
    }

    private static func inode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    }

    /// Fails the test unless both folders hold the same site files with the same bytes.
    private static func expectSameSite(_ site: String, _ reference: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = try SiteTests.files(in: site)
        #expect(files == (try SiteTests.files(in: reference)), sourceLocation: sourceLocation)
        let differing = try files.filter { file in
            try Data(contentsOf: URL(fileURLWithPath: site.appending(path: file))) != Data(contentsOf: URL(fileURLWithPath: reference.appending(path: file)))
        }
        #expect(differing.isEmpty, "files that differ from a whole build's: \(differing)", sourceLocation: sourceLocation)
    }

    @Test("after a new commit the spare copy is brought up to date and swapped in whole, giving the files a whole build gives; a spare cut short, or an older BenchBot's update in place cut short, is followed by a whole build")
    func updateThroughSpare() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 40)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let commits = try await fixture.git.git("-C", fixture.git.work, "rev-list", "--reverse", "main").standardOutput
                .split(separator: "\n").map(String.init)
            try Self.export(Array(commits.dropLast(2)), into: root.appending(path: "history"), level: 1000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "history")])
            let site = root.appending(path: "site"), spare = root.appending(path: ".site.spare")
            let manifest = "/.benchbot-site"
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let oldCommitPage = "/commit/\(commits[0]).html"
            let firstBuild = try Self.inode(site + oldCommitPage)

            // Each new commit is slower, so the index, both benchmarks and the score change.
            try Self.export([commits[commits.count - 2]], into: root.appending(path: "second"), level: 2000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "second")])
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(try Self.inode(site + oldCommitPage) == firstBuild, "an unchanged page is linked into a whole build, not written")
            let secondManifest = try Data(contentsOf: URL(fileURLWithPath: site + manifest))

            try Self.export([commits[commits.count - 1]], into: root.appending(path: "third"), level: 3000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "third")])
            let updated = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let pages = try SiteTests.files(in: site).count
            #expect(updated.hasPrefix("\(pages) page(s), "), "\(updated)")
            #expect(try Self.inode(site + oldCommitPage) == firstBuild, "the spare's unchanged page is kept, not written")
            #expect(try Data(contentsOf: URL(fileURLWithPath: spare + manifest)) == secondManifest, "the build before is the spare now")
            for folder in [site, spare] {
                #expect(!FileManager.default.fileExists(atPath: folder + "/.benchbot-updating"))
                let leftovers = try #require(FileManager.default.enumerator(atPath: folder)).compactMap { $0 as? String }.filter { $0.hasSuffix(".new") }
                #expect(leftovers.isEmpty, "\(leftovers)")
            }
            _ = try SiteTests.checkLinks(in: site)
            let reference = root.appending(path: "reference")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", reference])
            try Self.expectSameSite(site, reference)
            #expect(FileManager.default.fileExists(atPath: site.appending(path: "commit/\(commits[commits.count - 1]).html")))

            // A spare whose update was killed: its files may be newer than its manifest, so it is not used.
            #expect(FileManager.default.createFile(atPath: spare + "/.benchbot-updating", contents: Data()))
            // Written beside and renamed over, as a build writes: the spare shares its unchanged files with the folder.
            try "stale".write(toFile: spare + "/benchmark/suite.case0.html", atomically: true, encoding: .utf8)
            let afterSpare = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(afterSpare.hasPrefix("\(pages) page(s), 0 written"), "nothing changed for readers: \(afterSpare)")
            try Self.expectSameSite(site, reference)
            #expect(!FileManager.default.fileExists(atPath: spare + "/.benchbot-updating"))

            // An older BenchBot's update of the folder in place, killed: the folder's manifest cannot be trusted.
            #expect(FileManager.default.createFile(atPath: site + "/.benchbot-updating", contents: Data()))
            try "stale".write(toFile: site + "/benchmark/suite.case0.html", atomically: true, encoding: .utf8)
            let whole = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(whole.hasPrefix("\(pages) page(s), \(pages) written"), "every page is made again: \(whole)")
            #expect(!FileManager.default.fileExists(atPath: site + "/.benchbot-updating"))
            try Self.expectSameSite(site, reference)
        }
    }

    @Test("a site folder named with a trailing slash keeps its spare and its build under way beside it, not inside it")
    func trailingSlash() {
        let writer = SiteWriter(folder: "/srv/results/site//")
        #expect(writer.folder == "/srv/results/site")
        #expect(writer.spareFolder == "/srv/results/.site.spare")
        #expect(SiteWriter(folder: "/").folder == "/")
    }

    @Test("a benchmark page draws the last 2 weeks apart only when the history is longer; otherwise one plot, and a line saying why")
    func recentPlot() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            for (index, date) in ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "now"].enumerated() {
                try "\(index)\n".write(toFile: fixture.git.work.appending(path: "notes.txt"), atomically: true, encoding: .utf8)
                try await fixture.git.git("-C", fixture.git.work, "add", "notes.txt")
                try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "--date", date, "-m", "dated \(date)")
            }
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let commits = try await fixture.git.git("-C", fixture.git.work, "rev-list", "--reverse", "main").standardOutput
                .split(separator: "\n").map(String.init)
            let site = root.appending(path: "site"), history = root.appending(path: "history")
            // Only the two commits of January: all of that history is within 2 weeks of its newest.
            try Self.export(Array(commits[1...2]), into: history, level: 1000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", history])
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            var page = try SiteTests.read(site.appending(path: "benchmark/suite.case0.html"))
            #expect(page.plotValues.count == 1 && page.text.contains("Every commit above is from the last 2 weeks."), "\(page.plotValues)")

            // Today's commit: January is now more than 2 weeks before the newest point.
            try Self.export([commits[3]], into: root.appending(path: "today"), level: 1000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "today")])
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            page = try SiteTests.read(site.appending(path: "benchmark/suite.case0.html"))
            #expect(page.plotValues.map(\.count) == [3, 1] && !page.text.contains("Every commit above"), "\(page.plotValues)")
            _ = try SiteTests.checkLinks(in: site)
        }
    }
}
