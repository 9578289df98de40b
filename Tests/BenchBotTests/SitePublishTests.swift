import BenchBot
import Foundation
import Testing

@Suite("Publishing the results site to a gh-pages branch")
struct SitePublishTests {
    @Test("the site is committed to gh-pages and pushed over libgit2: once, on top of others' commits, keeping their CNAME")
    func publishToBranch() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addLoopLengthExperiment(options: ["repeat": 3])
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            let pages = root.appending(path: "pages.git")
            try await fixture.git.git("init", "-q", "--bare", "-b", "main", pages)

            // Without the setting, --publish says which to add.
            let unset = try await BenchBotProcess.run(["site", "--home", fixture.home, "--publish"])
            #expect(unset.status == 1 && unset.standardError.contains("--publish needs benchbot.site.publish"), "\(unset.standardError)")

            try fixture.setBenchBotSection("site", ["publish": ["url": pages, "author_name": "Bench Bot", "author_email": "bot@example.invalid"]])
            let first = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--publish"])
            #expect(first.contains("published to gh-pages as "), "\(first)")
            let files = try await fixture.git.git("-C", pages, "ls-tree", "-r", "--name-only", "gh-pages").standardOutput.split(separator: "\n").map(String.init)
            #expect(files.contains("index.html") && files.contains("benchmark/size.loop.html") && files.contains(".nojekyll"), "\(files)")
            #expect(!files.contains { $0.hasPrefix(".benchbot") }, "the site's own records stay home: \(files)")
            let author = try await fixture.git.git("-C", pages, "log", "-1", "--format=%an <%ae>", "gh-pages").standardOutput
            #expect(author.trimmingCharacters(in: .whitespacesAndNewlines) == "Bench Bot <bot@example.invalid>")

            let again = try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--publish"])
            #expect(again.contains("gh-pages already holds this site"), "\(again)")
            #expect(try await fixture.git.git("-C", pages, "rev-list", "--count", "gh-pages").standardOutput.hasPrefix("1"))

            // Someone sets a custom domain on the branch; then a new commit is measured.
            let clone = root.appending(path: "pages-clone")
            try await fixture.git.git("clone", "-q", "-b", "gh-pages", pages, clone)
            try "bench.example.org\n".write(toFile: clone.appending(path: "CNAME"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", clone, "add", "CNAME")
            try await fixture.git.git("-C", clone, "commit", "-q", "-m", "custom domain")
            try await fixture.git.git("-C", clone, "push", "-q", "origin", "gh-pages")
            let theirs = try await fixture.git.git("-C", clone, "rev-parse", "HEAD").standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await fixture.commitLoopLengths(2...2) { _ in 3000 }
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            try await BenchBotProcess.succeed(["work", "--verbose", "--home", fixture.home])
            #expect(try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--publish"]).contains("published to gh-pages"))
            let parent = try await fixture.git.git("-C", pages, "rev-parse", "gh-pages^").standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(parent == theirs, "committed on top of the branch as it was, never forced")
            let after = try await fixture.git.git("-C", pages, "ls-tree", "-r", "--name-only", "gh-pages").standardOutput.split(separator: "\n").map(String.init)
            #expect(after.contains("CNAME") && after.filter { $0.hasPrefix("commit/") }.count == 2, "\(after)")
        }
    }

    @Test("a token file that cannot be read is named, with the fix, and nothing is pushed")
    func unreadableTokenFile() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let pages = root.appending(path: "pages.git")
            try await fixture.git.git("init", "-q", "--bare", pages)
            try fixture.setBenchBotSection("site", ["publish": ["url": pages, "token_file": "secrets/pages-token"]])
            let result = try await BenchBotProcess.run(["site", "--home", fixture.home, "--publish"])
            #expect(result.status == 1 && result.standardError.contains("benchbot.site.publish.token_file: cannot read")
                    && result.standardError.contains("secrets/pages-token"), "\(result.standardError)")
            let branches = try await fixture.git.git("-C", pages, "branch", "--list").standardOutput
            #expect(branches.isEmpty)
        }
    }

    @Test("a branch that is not a valid name is refused when the config is read")
    func invalidBranch() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setBenchBotSection("site", ["publish": ["url": "https://example.invalid/x.git", "branch": "gh pages..lock"]])
            let result = try await BenchBotProcess.run(["site", "--home", fixture.home])
            #expect(result.status != 0 && result.standardError.contains("benchbot.site.publish.branch"), "\(result.standardError)")
        }
    }
}
