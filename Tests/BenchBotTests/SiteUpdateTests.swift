import BenchBot
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

    @Test("after one new commit the site's own folder is updated, giving the files a whole build gives; an update cut short is followed by a whole build")
    func updateInPlace() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 40)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let commits = try await fixture.git.git("-C", fixture.git.work, "rev-list", "--reverse", "main").standardOutput
                .split(separator: "\n").map(String.init)
            try Self.export(Array(commits.dropLast()), into: root.appending(path: "history"), level: 1000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "history")])
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let folder = try Self.inode(site)
            let oldCommitPage = site.appending(path: "commit/\(commits[0]).html")
            let oldPage = try Self.inode(oldCommitPage)

            // The new commit is twice as slow, so the index, both benchmarks and the score change.
            try Self.export([commits[commits.count - 1]], into: root.appending(path: "new"), level: 2000)
            try await BenchBotProcess.succeed(["import", "--home", fixture.home, "--format", "benchbot-json", root.appending(path: "new")])
            let updated = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let pages = try SiteTests.files(in: site).count
            #expect(updated.hasPrefix("\(pages) page(s), "), "\(updated)")
            #expect(try Self.inode(site) == folder, "the folder was updated, not replaced")
            #expect(try Self.inode(oldCommitPage) == oldPage, "an unchanged page is left as it was")
            #expect(!FileManager.default.fileExists(atPath: site.appending(path: ".benchbot-updating")))
            let leftovers = try #require(FileManager.default.enumerator(atPath: site)).compactMap { $0 as? String }.filter { $0.hasSuffix(".new") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            _ = try SiteTests.checkLinks(in: site)
            let reference = root.appending(path: "reference")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", reference])
            try Self.expectSameSite(site, reference)
            #expect(FileManager.default.fileExists(atPath: site.appending(path: "commit/\(commits[commits.count - 1]).html")))

            // A marker left by an update that was killed: the manifest may be older than the files.
            #expect(FileManager.default.createFile(atPath: site.appending(path: ".benchbot-updating"), contents: Data()))
            try "stale".write(toFile: site.appending(path: "benchmark/suite.case0.html"), atomically: false, encoding: .utf8)
            let whole = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            #expect(whole.hasPrefix("\(pages) page(s), \(pages) written"), "every page is made again: \(whole)")
            #expect(try Self.inode(site) != folder, "a whole build is swapped in")
            #expect(!FileManager.default.fileExists(atPath: site.appending(path: ".benchbot-updating")))
            try Self.expectSameSite(site, reference)
        }
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
