import BenchBot
import Foundation
import Notify
import Testing

/// Every link in every message the worker queues resolves: to a file of the site as the worker
/// left it, or to a real commit on its host. Pages' own links are `SiteLinkTests`'.
@Suite("Message links")
struct MessageLinkTests {
    static let siteURL = "https://bench.example.org"
    static let commitPattern = "https://git.example.invalid/team/project/-/commit/{sha}"

    /// The loop's length as benchbot-json, plus a benchmark `only`, when the checkout has
    /// `only.txt`: what a pull request adding a benchmark measures.
    static let command: [String] = ["sh", "-c", #"""
        n=$(sed -n 's/#define ITERATIONS \([0-9]*\)UL/\1/p' iterations.h)
        extra=""
        if [ -f only.txt ]; then extra=', {"name": "only", "unit": "ns", "samples": [2048, 2050, 2049]}'; fi
        printf '{"benchmarks": [{"name": "loop", "unit": "count", "samples": [%s]}%s]}' "$n" "$extra"
        """#]

    /// Every `http(s)` URL in a message body: in any string of its JSON, in Slack's `<url|text>`,
    /// markdown's `(url)` or a field of its own.
    static func urls(in body: Data) throws -> [String] {
        var strings: [String] = []
        func walk(_ value: Any) {
            if let string = value as? String { strings.append(string) }
            if let array = value as? [Any] { array.forEach(walk) }
            if let object = value as? [String: Any] { object.values.forEach(walk) }
        }
        walk(try JSONSerialization.jsonObject(with: body))
        let expression = try NSRegularExpression(pattern: #"https?://[^\s<>|()\[\]"'`]+"#)
        return strings.flatMap { string in
            expression.matches(in: string, range: NSRange(string.startIndex..., in: string)).map { (string as NSString).substring(with: $0.range) }
        }
    }

    /// The links of `messages` that are neither a file of `site` nor a commit of `commits` on the host.
    static func deadLinks(_ messages: [QueuedNotification], site: String, commits: Set<String>) throws -> [String] {
        let host = "^" + NSRegularExpression.escapedPattern(for: commitPattern).replacingOccurrences(of: "\\{sha\\}", with: "([0-9a-f]{40})") + "$"
        var dead: [String] = []
        for queued in messages {
            for url in try urls(in: queued.message.body) {
                let name = "\(queued.message.kind) \(queued.message.key): \(url)"
                if url.hasPrefix(siteURL + "/") {
                    let path = String(url.dropFirst(siteURL.count + 1).prefix { $0 != "#" })
                    var isFolder: ObjCBool = false
                    if path.isEmpty || path.split(separator: "/").contains("..") || !FileManager.default.fileExists(atPath: site.appending(path: path), isDirectory: &isFolder) || isFolder.boolValue {
                        dead.append(name)
                    }
                } else if let match = url.range(of: host, options: .regularExpression) {
                    if !commits.contains(String(url[match].suffix(40))) { dead.append(name + " (no such commit)") }
                } else {
                    dead.append(name + " (neither the site nor the commit host)")
                }
            }
        }
        return dead
    }

    /// Every commit of every branch of `origin`.
    static func commits(of git: GitFixture) async throws -> Set<String> {
        let output = try await git.git("--git-dir", git.origin, "rev-list", "--all").standardOutput
        return Set(output.split(separator: "\n").map(String.init))
    }

    @Test("every link in every queued message (Slack blocks and text, statuses, check runs, PR comments) is a file of the site the worker left, or a real commit on its host")
    func everyMessageLinkResolves() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.addExperiment("size", config: ["active": true, "format": "benchbot-json", "command": Self.command, "repeat": 5], scripts: [:])
            try fixture.setNotify(["site_url": Self.siteURL,
                                   "slack": ["webhook_url_env": "TEST_LINKS_SLACK_WEBHOOK", "mentions": ["<@U024BE7LH>"]],
                                   "github": ["repository": "octo-org/project", "token_env": "TEST_LINKS_GITHUB_TOKEN", "check_runs": true]])
            try fixture.setBenchBotSection("site", ["commit_url": Self.commitPattern])
            let site = fixture.home.appending(path: "results/subsystem/output/website")
            let environment: [String: String?] = ["TEST_LINKS_SLACK_WEBHOOK": nil, "TEST_LINKS_GITHUB_TOKEN": nil]
            let store = try fixture.store()

            /// Runs the queue dry, then checks every message queued so far against the site as it is now.
            func workAndCheck(_ step: String) async throws -> [QueuedNotification] {
                let work = try await BenchBotProcess.run(["work", "--home", fixture.home], environment: environment)
                #expect(work.succeeded, "\(step): \(work.standardOutput)\(work.standardError)")
                let messages = try await store.notifications(in: nil, limit: nil)
                let dead = try Self.deadLinks(messages, site: site, commits: try await Self.commits(of: fixture.git))
                #expect(dead.isEmpty, "\(step): dead links:\n\(dead.joined(separator: "\n"))")
                return messages
            }

            // A regression on the tracked branch: held, confirmed by a paired job, then told on Slack.
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            _ = try await workAndCheck("first commit")
            _ = try await fixture.commitLoopLengths(2...3) { $0 == 2 ? 1000 : 3000 }
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let tracked = try await workAndCheck("a regression on main")
            #expect(tracked.contains { $0.message.kind == "regression" }, "\(tracked.map(\.message.kind))")

            // A pull request that slows the loop and adds a benchmark the tracked branch does not have.
            try await fixture.git.git("-C", fixture.git.work, "checkout", "-q", "-b", "feature", "main")
            try "#define ITERATIONS 9000UL\n".write(toFile: fixture.git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try "new\n".write(toFile: fixture.git.work.appending(path: "only.txt"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "add", "iterations.h", "only.txt")
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-m", "slower, and a new benchmark")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "feature")
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "feature", "--pull-request", "5"])
            _ = try await workAndCheck("a pull request")

            // A commit whose build fails: its messages link too.
            try "this is not C\n".write(toFile: fixture.git.work.appending(path: "loop.c"), atomically: true, encoding: .utf8)
            try await fixture.git.git("-C", fixture.git.work, "commit", "-q", "-am", "broken")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "feature")
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "feature", "--pull-request", "5"])
            let all = try await workAndCheck("a broken build")

            // Not vacuous: each kind of message is there, and links both to the site and to the host.
            let kinds = Set(all.map(\.message.kind))
            for kind in ["regression", "job-failed", "commit-status", "check-run", "pr-comment"] {
                #expect(kinds.contains(kind), "\(kind) in \(kinds)")
            }
            let links = try all.flatMap { try Self.urls(in: $0.message.body) }
            #expect(links.contains { $0.hasPrefix(Self.siteURL + "/benchmark/") } && links.contains { $0.hasPrefix(Self.siteURL + "/compare/") }
                    && links.contains { $0.hasPrefix(Self.siteURL + "/commit/") } && links.contains { $0.hasPrefix("https://git.example.invalid/") },
                    "\(links)")
            let comment = try #require(all.last { $0.message.kind == "pr-comment" && String(decoding: $0.message.body, as: UTF8.self).contains("`size.only`") })
            #expect(try Self.urls(in: comment.message.body).contains { $0.hasPrefix(Self.siteURL + "/compare/") },
                    "the benchmark only the pull request has links to its comparison page")
        }
    }
}
