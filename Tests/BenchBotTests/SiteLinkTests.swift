import BenchBot
import Foundation
import Testing

/// Every link of every page resolves: to a file of the site, or to the commit's page on its host.
@Suite("Site links")
struct SiteLinkTests {
    /// Each page's links that are neither a file of the site nor a commit on the host `pattern` names.
    static func unresolved(in site: String, pattern: String?) throws -> [String] {
        let host = pattern.map { "^" + NSRegularExpression.escapedPattern(for: $0).replacingOccurrences(of: "\\{sha\\}", with: "[0-9a-f]{40}") + "$" }
        var broken: [String] = []
        for file in try SiteTests.files(in: site) where file.hasSuffix(".html") {
            for link in try SiteTests.read((site as NSString).appendingPathComponent(file)).links {
                if link.contains("://") {
                    if host.map({ link.range(of: $0, options: .regularExpression) == nil }) ?? true { broken.append("\(file): \(link)") }
                    continue
                }
                let path = String(link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let target = (((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path) as NSString).standardizingPath
                if !FileManager.default.fileExists(atPath: (site as NSString).appendingPathComponent(target)) { broken.append("\(file): \(link)") }
            }
        }
        return broken
    }

    @Test("benchbot.site.commit_url links every commit on every page to its host; a local repository links to none; every other link is a file of the site")
    func commitLinks() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 2)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--home", fixture.home])
            try await fixture.measureSlowerPullRequest(3)

            let local = root.appending(path: "local")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", local])
            #expect(try Self.unresolved(in: local, pattern: nil) == [], "a local bare repository has no host to link to")

            let pattern = "https://git.example.invalid/team/project/-/commit/{sha}"
            var site = [String: Any]()
            site["commit_url"] = pattern
            try fixture.setBenchBotSection("site", site)
            let linked = root.appending(path: "linked")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", linked])
            #expect(try Self.unresolved(in: linked, pattern: pattern) == [])
            let commitPages = try SiteTests.files(in: linked).filter { $0.hasPrefix("commit/") }
            #expect(commitPages.count >= 2, "the tracked commit's page and the pull request's: \(commitPages)")
            for page in commitPages {
                let sha = String(page.dropFirst("commit/".count).dropLast(".html".count))
                let links = try SiteTests.read(linked.appending(path: page)).links
                #expect(links.contains(pattern.replacingOccurrences(of: "{sha}", with: sha)), "\(page) links its commit to the host: \(links)")
            }
            let compare = try #require(try SiteTests.files(in: linked).first { $0.hasPrefix("compare/") })
            #expect(try SiteTests.read(linked.appending(path: compare)).links.filter { $0.hasPrefix("https://git.example.invalid/") }.count == 2)

            site["commit_url"] = "git.example.invalid/commit"
            try fixture.setBenchBotSection("site", site)
            let refused = try await BenchBotProcess.run(["site", "--home", fixture.home, "--out", linked])
            #expect(refused.status != 0 && refused.standardError.contains("benchbot.site.commit_url") && refused.standardError.contains("{sha}"),
                    "\(refused.standardError)")
        }
    }

    @Test("the default commit URL comes from a GitHub remote, in any of its spellings")
    func gitHubDefault() {
        var settings = SiteSettings()
        for url in ["https://github.com/octo/bench.git", "git@github.com:octo/bench.git", "ssh://git@github.com/octo/bench"] {
            #expect(settings.commitURLPattern(repositoryURL: url) == "https://github.com/octo/bench/commit/{sha}", "\(url)")
        }
        #expect(settings.commitURLPattern(repositoryURL: "/srv/git/project.git") == nil)
        #expect(settings.commitURLPattern(repositoryURL: "https://notgithub.com/octo/bench.git") == nil)
        settings.commitURL = ""
        #expect(settings.commitURLPattern(repositoryURL: "https://github.com/octo/bench.git") == nil, "an empty setting turns links off")
    }

    @Test("a benchmark's graph is its page, or for one only a pull request has, its comparison page")
    func graphPath() {
        #expect(SiteLayout.graphPath(benchmark: "a/b c", tracked: true, baseline: "1", candidate: "2") == "benchmark/a~2Fb~20c.html")
        #expect(SiteLayout.graphPath(benchmark: "a/b c", tracked: false, baseline: "1", candidate: "2") == "compare/1...2.html")
    }
}
