import BenchBot
import Foundation
import Logging
import Notify
import TestHTTPServer
import Testing

/// A home driven by GitHub: a real `origin` repository (with `refs/pull/N/head` as GitHub keeps
/// them), BenchBot's server on 127.0.0.1, and a fake GitHub API it reports to.
struct WebhookHarness: Sendable {
    static let secret = "It's a Secret to Everybody"
    static let token = "ghp_webhooktesttoken123"
    static let repository = "octo-org/octo-repo"

    let fixture: RunnerFixture
    let fake: FakeSlackAndGitHub
    let server: BenchBotServer
    /// BenchBot's base URL.
    let url: String

    var git: GitFixture { fixture.git }

    /// Runs `body` with a home whose main has `commits` measured-loop commits, served on loopback.
    static func with(commits: Int = 1, github: [String: Any] = [:], notify: [String: Any] = [:],
                     _ body: @Sendable (WebhookHarness) async throws -> Void) async throws {
        // Plain JSON values, written to the config before any concurrency starts.
        nonisolated(unsafe) let githubSection = ["webhook_secret_env": "TEST_WEBHOOK_SECRET"].merging(github) { $1 }
        nonisolated(unsafe) let notifyExtra = notify
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: commits)
            try fixture.addLoopLengthExperiment(options: ["repeat": 5])
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { githubURL in
                try fixture.setNotify(["github": ["repository": repository, "token_env": "TEST_GITHUB_TOKEN", "api_url": githubURL,
                                                  "context": "benchbot", "check_runs": true].merging(notifyExtra) { $1 }])
                try fixture.setBenchBotSection("github", githubSection)
                let home = Home(root: fixture.home)
                let config = try HomeConfig.load(from: home)
                let server = try BenchBotServer(home: home, config: config, store: try fixture.store(),
                                                environment: ["TEST_WEBHOOK_SECRET": secret, "TEST_GITHUB_TOKEN": token],
                                                logger: Logger(label: "test"))
                try await LoopbackServer.with(server.router()) { url in
                    try await body(WebhookHarness(fixture: fixture, fake: fake, server: server, url: url))
                }
            }
        }
    }

    /// Posts a delivery as GitHub does: signed with the secret unless `signature` says otherwise.
    @discardableResult
    func deliver(_ event: String, _ payload: Data, id: String = UUID().uuidString.lowercased(), signature: String? = nil,
                 contentType: String = "application/json") async throws -> HTTPResponse {
        let request = HTTPRequest(method: .post, url: url + "/webhooks/github", headers: [
            ("Content-Type", contentType), ("User-Agent", "GitHub-Hookshot/0f6d2ab"), ("X-GitHub-Event", event),
            ("X-GitHub-Delivery", id), ("X-GitHub-Hook-ID", "30000001"),
            ("X-Hub-Signature-256", signature ?? WebhookSignature.header(for: payload, secret: Self.secret)),
        ], body: payload)
        return try await HTTPClient().execute(request)
    }

    /// Delivers and then applies everything kept, as the running server does after answering.
    @discardableResult
    func deliverAndApply(_ event: String, _ payload: Data, id: String = UUID().uuidString.lowercased()) async throws -> HTTPResponse {
        let response = try await deliver(event, payload, id: id)
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        await server.applyDueDeliveries()
        return response
    }

    func jobs() async throws -> [Job] {
        try await fixture.store().jobs(in: nil, limit: nil)
    }

    func deliveries() async throws -> [WebhookDelivery] {
        try await fixture.store().deliveries(limit: 100)
    }

    /// Pushes the work clone's HEAD to `origin` as GitHub keeps a pull request's head, and
    /// optionally as a branch of its own.
    func publishPullRequest(_ number: Int, branch: String?) async throws -> String {
        let head = try await git.head()
        try await git.git("-C", git.work, "push", "-q", "-f", "origin", "HEAD:refs/pull/\(number)/head")
        if let branch { try await git.git("-C", git.work, "push", "-q", "-f", "origin", "HEAD:refs/heads/\(branch)") }
        return head
    }

    /// Commits a new loop length on a branch of the work clone, starting from `base`.
    func commitOnBranch(_ branch: String, from base: String? = nil, length: Int) async throws -> String {
        if let base {
            try await git.git("-C", git.work, "checkout", "-q", "-B", branch, base)
        } else {
            try await git.git("-C", git.work, "checkout", "-q", "-B", branch)
        }
        try "#define ITERATIONS \(length)UL\n".write(toFile: git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
        try await git.git("-C", git.work, "commit", "-q", "-am", "loop of \(length) on \(branch)")
        return try await git.head()
    }
}

/// GitHub's payloads, from the shapes its webhook documentation gives, with the test's values.
enum GitHubPayload {
    static func fixture(_ name: String) throws -> String {
        let folder = ((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return try String(contentsOfFile: folder.appending(path: "Fixtures/github/\(name)"), encoding: .utf8)
    }

    static func filled(_ template: String, _ values: [String: String]) -> Data {
        var text = template
        // Longest first, so that no placeholder is a prefix of another's replacement.
        for (key, value) in values.sorted(by: { $0.key.count > $1.key.count }) { text = text.replacingOccurrences(of: key, with: value) }
        return Data(text.utf8)
    }

    static let zero = String(repeating: "0", count: 40)

    static func push(ref: String, before: String, after: String, forced: Bool = false) throws -> Data {
        filled(try fixture("push.json"), ["__REF__": ref, "__BEFORE__": before, "__AFTER__": after, "__CREATED__": String(before == zero),
                                          "__DELETED__": String(after == zero), "__FORCED__": String(forced)])
    }

    /// A `pull_request` event; `fork` names the head's repository when it is not the base's.
    static func pullRequest(_ action: String, number: Int, head: String, base: String, headRef: String = "faster-loop",
                            author: String = "ada", association: String = "MEMBER", fork: String? = nil, draft: Bool = false,
                            state: String = "open") throws -> Data {
        filled(try fixture("pull_request.json"), ["__ACTION__": action, "__PULL_REQUEST__": try pullRequestObject(
            number: number, head: head, base: base, headRef: headRef, author: author, association: association, fork: fork,
            draft: draft, state: state), "__NUMBER__": String(number), "__AUTHOR__": author])
    }

    /// The pull request object, as in an event or `GET /repos/{owner}/{repo}/pulls/{number}`.
    static func pullRequestObject(number: Int, head: String, base: String, headRef: String = "faster-loop", author: String = "ada",
                                  association: String = "MEMBER", fork: String? = nil, draft: Bool = false, state: String = "open") throws -> String {
        let repositoryTemplate = try fixture("repository.head.json")
        let headRepository: String
        if let fork {
            headRepository = String(decoding: filled(repositoryTemplate, ["__HEAD_REPO__": fork, "__HEAD_OWNER__": String(fork.split(separator: "/")[0])]),
                                    as: UTF8.self)
        } else {
            headRepository = String(decoding: filled(repositoryTemplate, ["__HEAD_REPO__": WebhookHarness.repository, "__HEAD_OWNER__": "octo-org"]),
                                    as: UTF8.self).replacingOccurrences(of: "\"fork\": true", with: "\"fork\": false")
        }
        return String(decoding: filled(try fixture("pull_request.object.json"), [
            "__NUMBER__": String(number), "__STATE__": state, "__AUTHOR__": author, "__DRAFT__": String(draft),
            "__HEAD_OWNER__": fork.map { String($0.split(separator: "/")[0]) } ?? "octo-org", "__HEAD_REF__": headRef, "__HEAD_SHA__": head,
            "__HEAD_REPO_OBJECT__": headRepository, "__BASE_SHA__": base, "__AUTHOR_ASSOCIATION__": association,
        ]), as: UTF8.self)
    }

    static func comment(_ body: String, number: Int, id: Int, author: String = "maintainer", association: String = "MEMBER",
                        onPullRequest: Bool = true, bot: Bool = false, action: String = "created") throws -> Data {
        let user = String(decoding: filled(try fixture("user.json"), ["__LOGIN__": author, "__TYPE__": bot ? "Bot" : "User"]), as: UTF8.self)
        let link = onPullRequest
            ? #"{"url": "https://api.github.com/repos/octo-org/octo-repo/pulls/\#(number)", "html_url": "https://github.com/octo-org/octo-repo/pull/\#(number)", "merged_at": null}"#
            : "null"
        let escaped = String(decoding: try JSONSerialization.data(withJSONObject: [body]), as: UTF8.self).dropFirst(2).dropLast(2)
        return try filled(fixture("issue_comment.json"), ["__ACTION__": action, "__NUMBER__": String(number), "__COMMENT_ID__": String(id),
                                                           "__COMMENTER__": user, "__AUTHOR_ASSOCIATION__": association, "__BODY__": String(escaped),
                                                           "__ISSUE_PULL_REQUEST__": link])
    }

    static func checkRun(head: String, name: String = "benchbot") throws -> Data {
        filled(try fixture("check_run.json"), ["__HEAD_SHA__": head, "__NAME__": name])
    }

    static func ping() throws -> Data { Data(try fixture("ping.json").utf8) }
}
