import Foundation
import Synchronization

/// A login learned while delivering, kept for the later deliveries of the same process.
public final class LearnedLogin: Sendable {
    private let login = Mutex<String?>(nil)

    public init() {}

    public var value: String? {
        get { login.withLock { $0 } }
    }

    func learn(_ value: String) {
        login.withLock { $0 = value }
    }
}

/// The secrets and addresses messages are sent with, read when they are sent.
public struct Credentials: Sendable {
    /// The Slack incoming webhook URL; `nil` writes webhook messages to the outbox folder instead.
    public var slackWebhookURL: String?
    /// A Slack bot token (`xoxb-…`) for the Web API; `nil` writes channel messages to the outbox folder instead.
    public var slackBotToken: String?
    /// `https://slack.com/api`.
    public var slackAPIURL: String
    /// How GitHub is called: a token as it is, or a GitHub App's installation tokens; `nil`
    /// writes GitHub calls to the outbox folder instead.
    public var githubAuthentication: GitHubAuthentication?
    /// `https://api.github.com`, or a GitHub Enterprise server's `https://host/api/v3`.
    public var githubAPIURL: String
    /// The login BenchBot's token writes as, when configured or (for a GitHub App, as
    /// `<slug>[bot]`) learned with its token; otherwise `GET /user` tells, when a pull request
    /// holds a comment with BenchBot's marker. Only its comments are edited.
    public var githubLogin: String?
    /// The login GitHub named as the author of the last comment BenchBot posted with this token,
    /// shared by every copy of these credentials: an installation token may not ask `GET /user`,
    /// so the answer to its own post is how BenchBot learns who it is.
    public let learnedGitHubLogin = LearnedLogin()

    public static let publicGitHubAPI = "https://api.github.com"
    public static let publicSlackAPI = "https://slack.com/api"

    public init(slackWebhookURL: String? = nil, slackBotToken: String? = nil, slackAPIURL: String = Credentials.publicSlackAPI,
                githubToken: String? = nil, githubApp: GitHubAppTokens? = nil, githubAPIURL: String = Credentials.publicGitHubAPI,
                githubLogin: String? = nil) {
        self.slackWebhookURL = slackWebhookURL
        self.slackBotToken = slackBotToken
        self.slackAPIURL = slackAPIURL
        // An App, when there is one, is used, and a token beside it ignored: only an App may write check runs.
        self.githubAuthentication = githubApp.map(GitHubAuthentication.app) ?? githubToken.map(GitHubAuthentication.token)
        self.githubAPIURL = githubAPIURL
        self.githubLogin = githubLogin
    }

    /// The token GitHub is called with now: the configured one, or an App's installation token
    /// once ``authorized(for:using:)`` has fetched it.
    public var githubToken: String? {
        if case .token(let token) = githubAuthentication { return token }
        return nil
    }

    /// Every secret, for the redactor: with an App, its private key and the tokens minted so far.
    public var secrets: [String] {
        var secrets = [slackWebhookURL, slackBotToken].compactMap { $0 }
        switch githubAuthentication {
        case .token(let token): secrets.append(token)
        case .app(let app): secrets += app.secrets
        case nil: break
        }
        return secrets
    }

    /// These credentials ready to send to `destination`: with a GitHub App, a copy that calls
    /// GitHub with a current installation token, and knows the App's `<slug>[bot]` login when
    /// none is configured. Anything else is ready as it is.
    ///
    /// - Throws: ``GitHubAppError`` when no token can be had, saying whether to try again later.
    public func authorized(for destination: Destination, using client: HTTPClient) async throws(GitHubAppError) -> Credentials {
        guard case .app(let app) = githubAuthentication else { return self }
        switch destination {
        case .slackWebhook, .slackChannel: return self
        case .github, .githubIssueComment, .githubCheckRun: break
        }
        let token = try await app.token(using: client)
        var ready = self
        ready.githubAuthentication = .token(token.token)
        ready.githubLogin = githubLogin ?? token.login
        return ready
    }

    /// Whether `response` refused the App's installation token that `sent` called GitHub with;
    /// when it did, the token is dropped, and the next attempt mints another. A refused static
    /// token is the user's to replace.
    public func discardsRefusedToken(_ response: HTTPResponse, sentWith sent: Credentials) -> Bool {
        guard response.status == 401, case .app(let app) = githubAuthentication, let token = sent.githubToken else { return false }
        app.discard(token)
        return true
    }

    /// Whether `destination` can be reached; when not, its messages are written to the outbox folder.
    public func canReach(_ destination: Destination) -> Bool {
        switch destination {
        case .slackWebhook: slackWebhookURL != nil
        case .slackChannel: slackBotToken != nil
        case .github, .githubIssueComment, .githubCheckRun: githubAuthentication != nil
        }
    }

    /// A call to GitHub's REST API; `pathAndQuery` starts with `/`.
    func github(_ method: HTTPRequest.Method, _ pathAndQuery: String, body: Data? = nil) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.github+json"),
            ("Authorization", "Bearer \(githubToken ?? "")"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return HTTPRequest(method: method, url: Self.trimmed(githubAPIURL) + pathAndQuery, headers: headers, body: body)
    }

    /// A call to one of Slack's Web API methods, such as `chat.postMessage`.
    func slackAPI(_ method: HTTPRequest.Method, _ apiMethod: String, query: String = "", body: Data? = nil) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(slackBotToken ?? "")")]
        if body != nil { headers.append(("Content-Type", "application/json; charset=utf-8")) }
        return HTTPRequest(method: method, url: Self.trimmed(slackAPIURL) + "/" + apiMethod + query, headers: headers, body: body)
    }

    func slackWebhook(body: Data) -> HTTPRequest {
        HTTPRequest(method: .post, url: slackWebhookURL ?? "", headers: [("Content-Type", "application/json")], body: body)
    }

    private static func trimmed(_ base: String) -> String { base.hasSuffix("/") ? String(base.dropLast()) : base }
}
