import Foundation
import Hummingbird
import Notify
import Synchronization
import TestHTTPServer
import Testing
import _CryptoExtras

/// A clock the test moves, counting how often it is read.
final class TestClock: Sendable {
    private let state: Mutex<(now: Date, reads: Int)>

    init(_ start: Date = Date()) { state = Mutex((start, 0)) }

    var now: Date { state.withLock { $0.now } }
    var reads: Int { state.withLock { $0.reads } }
    func advance(_ seconds: TimeInterval) { state.withLock { $0.now.addTimeInterval(seconds) } }
    var read: @Sendable () -> Date { { self.state.withLock { $0.reads += 1; return $0.now } } }
}

@Suite("GitHub App installation tokens")
struct GitHubAppTokensTests {
    static func fake(tokenAnswers: [(status: Int, body: String)] = [], clock: TestClock? = nil) -> FakeGitHubApp {
        FakeGitHubApp(tokenAnswers: tokenAnswers, expiry: { (clock?.now ?? Date()).addingTimeInterval(3600) }) { AppKeys.verifies($0) }
    }

    static func tokens(_ server: String, installationID: Int? = 4242, wantsLogin: Bool = false, pem: String = AppKeys.app.pemRepresentation,
                       clock: TestClock = TestClock()) -> GitHubAppTokens {
        GitHubAppTokens(.init(appID: "12345", apiURL: server, repository: "octo-org/project", installationID: installationID, wantsLogin: wantsLogin),
                        pem: pem, clock: clock.read)
    }

    @Test("a configured installation: one POST to its access_tokens with the documented headers and a JWT that verifies")
    func exchange() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let token = try await Self.tokens(server).token(using: HTTPClient())
            #expect(token.token == "ghs_fake_token_1" && token.login == nil)
            #expect(abs(token.expiresAt.timeIntervalSinceNow - 3600) < 60, "expires_at is read: \(token.expiresAt)")
            let requests = await fake.requests
            #expect(requests.map { "\($0.method) \($0.path)" } == ["POST /app/installations/4242/access_tokens"])
            let request = try #require(requests.first)
            #expect(request.accept == "application/vnd.github+json" && request.apiVersion == "2022-11-28")
            #expect(request.authorization?.hasPrefix("Bearer ey") == true && request.verified, "Bearer <JWT> signed with the App's key")
        }
    }

    @Test("without installation_id the repository's installation is looked up once, and its app_slug names the login")
    func lookup() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let clock = TestClock()
            let tokens = Self.tokens(server, installationID: nil, wantsLogin: true, clock: clock)
            let first = try await tokens.token(using: HTTPClient())
            #expect(first.login == "benchbot-app[bot]" && tokens.installationID == 4242)
            clock.advance(3600)
            _ = try await tokens.token(using: HTTPClient())
            let requests = await fake.requests
            #expect(requests.map { "\($0.method) \($0.path)" } == ["GET /repos/octo-org/project/installation", "POST /app/installations/4242/access_tokens",
                                                                   "POST /app/installations/4242/access_tokens"], "the installation is remembered")
            #expect(requests.allSatisfy { $0.verified && $0.apiVersion == "2022-11-28" })
        }
    }

    @Test("with installation_id and no login configured, GET /app names the App's slug")
    func slug() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let token = try await Self.tokens(server, wantsLogin: true).token(using: HTTPClient())
            #expect(token.login == "benchbot-app[bot]")
            #expect(await fake.requests.map { "\($0.method) \($0.path)" } == ["POST /app/installations/4242/access_tokens", "GET /app"])
        }
    }

    @Test("a token is kept until 5 minutes before it expires, then replaced")
    func caching() async throws {
        let clock = TestClock()
        let fake = Self.fake(clock: clock)
        try await LoopbackServer.with(fake.router()) { server in
            let tokens = Self.tokens(server, clock: clock)
            let first = try await tokens.token(using: HTTPClient())
            clock.advance(54 * 60)
            #expect(try await tokens.token(using: HTTPClient()) == first, "6 minutes before expiry it is kept")
            #expect(await fake.tokenRequests.count == 1)
            clock.advance(2 * 60)
            let second = try await tokens.token(using: HTTPClient())
            #expect(second.token == "ghs_fake_token_2" && second.expiresAt > first.expiresAt, "4 minutes before expiry it is replaced")
            #expect(await fake.tokenRequests.count == 2)
            #expect(tokens.secrets.contains("ghs_fake_token_1") && tokens.secrets.contains("ghs_fake_token_2"))
        }
    }

    @Test("sends that ask together while a token is being fetched share that one request")
    func oneRefreshAtATime() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let clock = TestClock()
            let tokens = Self.tokens(server, clock: clock)
            await fake.holdNextTokenRequest()
            let first = Task { try await tokens.token(using: HTTPClient()) }
            await fake.heldRequestArrived()
            let readsBefore = clock.reads
            let others = (0..<4).map { _ in Task { try await tokens.token(using: HTTPClient()) } }
            // Each asker reads the clock first; then it finds the refresh under way.
            let deadline = Date().addingTimeInterval(10)
            while clock.reads < readsBefore + 4, Date() < deadline { await Task.yield() }
            #expect(clock.reads >= readsBefore + 4)
            await fake.release()
            let answers = try await [first.value] + others.asyncMap { try await $0.value }
            #expect(Set(answers.map(\.token)) == ["ghs_fake_token_1"])
            #expect(await fake.tokenRequests.count == 1)
        }
    }

    @Test("a 401 from the token endpoint fails clearly, naming the App, GitHub's words and what to fix; not worth retrying")
    func undecodable() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let tokens = Self.tokens(server, pem: AppKeys.other.pemRepresentation)
            let error = try await Self.failure(tokens)
            #expect(!error.isTransient)
            for part in ["GitHub App 12345", "HTTP 401: A JSON web token could not be decoded", "app_id", "private key"] {
                #expect(error.message.contains(part), "\(part) in \(error)")
            }
            #expect(await fake.tokens.isEmpty)
        }
    }

    @Test("an App not installed on the repository, an unknown installation, a 5xx and no server at all", arguments: ["lookup", "id", "5xx", "down"])
    func failures(_ kind: String) async throws {
        let fake = Self.fake(tokenAnswers: kind == "5xx" ? [(502, #"{"message":"Bad Gateway"}"#)] : [])
        try await LoopbackServer.with(fake.router()) { server in
            let base = kind == "down" ? "http://127.0.0.1:9" : server
            let tokens = GitHubAppTokens(.init(appID: "12345", apiURL: base, repository: kind == "lookup" ? "octo-org/elsewhere" : "octo-org/project",
                                               installationID: kind == "lookup" ? nil : (kind == "id" ? 77 : 4242), wantsLogin: false),
                                         pem: AppKeys.app.pemRepresentation)
            let error = try await Self.failure(tokens)
            switch kind {
            case "lookup": #expect(!error.isTransient && error.message.contains("not installed on octo-org/elsewhere"), "\(error)")
            case "id": #expect(!error.isTransient && error.message.contains("installation_id") && error.message.contains("HTTP 404"), "\(error)")
            case "5xx": #expect(error.isTransient && error.message.contains("HTTP 502") && error.message.contains("will try again"), "\(error)")
            default: #expect(error.isTransient && error.message.contains("no answer from GitHub"), "\(error)")
            }
            #expect(error.message.hasPrefix("GitHub App 12345: "))
        }
    }

    @Test("a key that is not one fails every ask without a request, and is never quoted")
    func badKey() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let pem = AppKeys.app.publicKey.pemRepresentation
            let error = try await Self.failure(Self.tokens(server, pem: pem))
            #expect(!error.isTransient && error.message.contains("GitHub App 12345: the private key holds a PEM \"PUBLIC KEY\""), "\(error)")
            #expect(!pem.split(separator: "\n").dropFirst().dropLast().contains { error.message.contains($0) })
            #expect(await fake.requests.isEmpty)
        }
    }

    @Test("credentials with an App reach GitHub, call it with the current installation token as the App's bot, and mask its secrets")
    func credentials() async throws {
        let fake = Self.fake()
        try await LoopbackServer.with(fake.router()) { server in
            let app = Self.tokens(server, wantsLogin: true)
            let credentials = Credentials(slackWebhookURL: "https://hooks.example/abc123", githubToken: "ghp_ignoredtoken", githubApp: app,
                                          githubAPIURL: server)
            #expect(credentials.canReach(.githubCheckRun(repository: "octo-org/project", headSHA: "abc", name: "benchbot", externalID: "x")))
            #expect(credentials.githubToken == nil, "the App is used, the token beside it ignored")
            let slack = try await credentials.authorized(for: .slackWebhook, using: HTTPClient())
            let asked = await fake.requests
            #expect(slack.githubToken == nil && asked.isEmpty, "a Slack message needs no GitHub token")
            let ready = try await credentials.authorized(for: .github(method: .post, path: "/repos/octo-org/project/statuses/abc"), using: HTTPClient())
            #expect(ready.githubToken == "ghs_fake_token_1" && ready.githubLogin == "benchbot-app[bot]")
            #expect(credentials.secrets.contains("ghs_fake_token_1") && credentials.secrets.contains(AppKeys.app.pemRepresentation.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(!credentials.secrets.contains("ghp_ignoredtoken"))
            let configured = Credentials(githubApp: app, githubAPIURL: server, githubLogin: "my-app[bot]")
            #expect(try await configured.authorized(for: .github(method: .get, path: "/x"), using: HTTPClient()).githubLogin == "my-app[bot]")
        }
    }

    @Test("the exchange, answer by answer: a token answer without its fields and a rate limit are worth retrying; a 403 is not")
    func exchangeSteps() throws {
        let app = GitHubAppTokens.Configuration(appID: "Iv23liX", apiURL: "https://ghe.example/api/v3/", repository: "o/r",
                                                installationID: nil, wantsLogin: true)
        func response(_ status: Int, _ body: String, _ headers: [HTTPHeader] = []) -> Notify.HTTPResponse {
            Notify.HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
        }
        func url(_ step: GitHubAppTokenExchange.Step) -> String? {
            if case .send(let request) = step { return "\(request.method.rawValue) \(request.url)" }
            return nil
        }
        func failure(_ step: GitHubAppTokenExchange.Step) -> GitHubAppError? {
            if case .failed(let error) = step { return error }
            return nil
        }
        var exchange = GitHubAppTokenExchange(app: app, jwt: "h.c.s", installationID: nil, slug: nil)
        #expect(url(exchange.start()) == "GET https://ghe.example/api/v3/repos/o/r/installation")
        #expect(url(exchange.receive(response(200, #"{"id":7,"app_slug":"perf-bot"}"#))) == "POST https://ghe.example/api/v3/app/installations/7/access_tokens")
        let malformed = try #require(failure(exchange.receive(response(201, #"{"expires_at":"2016-07-11T22:14:10Z"}"#))))
        #expect(malformed.isTransient && malformed.message.hasPrefix("GitHub App Iv23liX: "), "\(malformed)")

        var limited = GitHubAppTokenExchange(app: app, jwt: "h.c.s", installationID: 7, slug: "perf-bot")
        _ = limited.start()
        let rateLimit = try #require(failure(limited.receive(response(403, #"{"message":"API rate limit exceeded"}"#,
                                                                      [HTTPHeader(name: "X-RateLimit-Remaining", value: "0")]))))
        #expect(rateLimit.isTransient)
        var forbidden = GitHubAppTokenExchange(app: app, jwt: "h.c.s", installationID: 7, slug: "perf-bot")
        _ = forbidden.start()
        let suspended = try #require(failure(forbidden.receive(response(403, #"{"message":"This installation has been suspended"}"#))))
        #expect(!suspended.isTransient && suspended.message.contains("suspended"), "\(suspended)")

        var complete = GitHubAppTokenExchange(app: app, jwt: "h.c.s", installationID: 7, slug: "perf-bot")
        _ = complete.start()
        let done = complete.receive(response(201, #"{"token":"ghs_x","expires_at":"2016-07-11T22:14:10Z"}"#))
        #expect(done == .obtained(.init(token: "ghs_x", expiresAt: Date(timeIntervalSince1970: 1_468_275_250), login: "perf-bot[bot]"),
                                  installationID: 7, slug: "perf-bot"))
    }

    struct NoFailure: Error {}

    static func failure(_ tokens: GitHubAppTokens) async throws -> GitHubAppError {
        do throws(GitHubAppError) {
            let token = try await tokens.token(using: HTTPClient())
            Issue.record("got \(token.token)")
        } catch {
            return error
        }
        throw NoFailure()
    }
}

extension Array {
    func asyncMap<Mapped>(_ transform: (Element) async throws -> Mapped) async rethrows -> [Mapped] {
        var mapped: [Mapped] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
