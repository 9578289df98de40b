import Foundation

/// The requests that turn a GitHub App's JSON web token into an installation token, one answer at
/// a time: a value with no I/O that the token source feeds each response.
///
/// 1. Without a known installation, `GET /repos/{owner}/{repo}/installation` finds it (and names
///    the App's slug).
/// 2. `POST /app/installations/{id}/access_tokens` answers 201 with `token` and `expires_at`.
/// 3. When BenchBot's login is wanted and still unknown, `GET /app` names the App's `slug`: an
///    installation token writes as `<slug>[bot]`, and may not ask `GET /user` who it is.
public struct GitHubAppTokenExchange: Sendable {
    public enum Step: Sendable, Hashable {
        case send(HTTPRequest)
        case obtained(GitHubAppTokens.Token, installationID: Int, slug: String?)
        case failed(GitHubAppError)
    }

    private enum State: Sendable, Hashable {
        case ready
        case findingInstallation
        case requestingToken(installationID: Int, slug: String?)
        case askingSlug(installationID: Int, token: String, expiresAt: Date)
        case finished
    }

    private let app: GitHubAppTokens.Configuration
    private let jwt: String
    private let installationID: Int?
    private let slug: String?
    private var state = State.ready

    /// - Parameters:
    ///   - app: Which App, where, for which repository.
    ///   - jwt: A fresh ``GitHubAppJWT``.
    ///   - installationID: The configured or remembered installation; `nil` looks it up.
    ///   - slug: The App's slug, when known; `nil` asks for it when `app.wantsLogin`.
    public init(app: GitHubAppTokens.Configuration, jwt: String, installationID: Int?, slug: String?) {
        self.app = app
        self.jwt = jwt
        self.installationID = installationID
        self.slug = slug
    }

    public mutating func start() -> Step {
        precondition(state == .ready, "an exchange starts once")
        guard let installationID else {
            return send(.get, "/repos/\(app.repository)/installation", then: .findingInstallation)
        }
        return requestToken(installationID, slug: slug)
    }

    /// The next step after `response`.
    public mutating func receive(_ response: HTTPResponse) -> Step {
        let succeeded = (200..<300).contains(response.status)
        switch state {
        case .ready, .finished:
            preconditionFailure("a response with no request outstanding")
        case .findingInstallation:
            guard succeeded else { return refused(response, doing: "finding its installation on \(app.repository)") }
            guard let answer = Self.object(response.body), let id = Self.integer(answer["id"]) else {
                return malformed(response, "the installation on \(app.repository)")
            }
            return requestToken(id, slug: slug ?? answer["app_slug"] as? String)
        case .requestingToken(let installationID, let slug):
            guard succeeded else { return refused(response, doing: "getting a token for installation \(installationID)") }
            guard let answer = Self.object(response.body), let token = answer["token"] as? String, !token.isEmpty,
                  let expiresAt = (answer["expires_at"] as? String).flatMap(Self.date) else {
                return malformed(response, "the installation token")
            }
            if app.wantsLogin, slug == nil {
                return send(.get, "/app", then: .askingSlug(installationID: installationID, token: token, expiresAt: expiresAt))
            }
            return finish(.obtained(.init(token: token, expiresAt: expiresAt, login: Self.login(slug, app)), installationID: installationID, slug: slug))
        case .askingSlug(let installationID, let token, let expiresAt):
            guard succeeded else { return refused(response, doing: "asking its own slug") }
            guard let slug = Self.object(response.body)?["slug"] as? String, !slug.isEmpty else { return malformed(response, "the App") }
            return finish(.obtained(.init(token: token, expiresAt: expiresAt, login: Self.login(slug, app)), installationID: installationID, slug: slug))
        }
    }

    /// The step after a request that got no answer.
    public mutating func failed(_ error: HTTPClientError) -> Step {
        let next = error.isTransient ? "will try again" : "check benchbot.notify.github.api_url and the machine's CA certificates"
        return finish(.failed(GitHubAppError("GitHub App \(app.appID): no answer from GitHub (\(error)); \(next)", transient: error.isTransient)))
    }

    private mutating func requestToken(_ installationID: Int, slug: String?) -> Step {
        send(.post, "/app/installations/\(installationID)/access_tokens", then: .requestingToken(installationID: installationID, slug: slug))
    }

    private mutating func send(_ method: HTTPRequest.Method, _ path: String, then next: State) -> Step {
        state = next
        let headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.github+json"),
            ("Authorization", "Bearer \(jwt)"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ]
        let base = app.apiURL.hasSuffix("/") ? String(app.apiURL.dropLast()) : app.apiURL
        return .send(HTTPRequest(method: method, url: base + path, headers: headers))
    }

    private mutating func finish(_ step: Step) -> Step {
        state = .finished
        return step
    }

    private mutating func malformed(_ response: HTTPResponse, _ what: String) -> Step {
        finish(.failed(GitHubAppError("GitHub App \(app.appID): GitHub's answer for \(what) (HTTP \(response.status)) is not what its "
                                      + "REST API documents; will try again", transient: true)))
    }

    /// What to do about a refusal, by status: the JSON web token (401), the installation (404),
    /// the App's rights (403, 422), or GitHub's own trouble (5xx, 429, and a 403 rate limit).
    private mutating func refused(_ response: HTTPResponse, doing what: String) -> Step {
        let said = Self.object(response.body)?["message"] as? String
        let answer = "HTTP \(response.status)" + (said.map { ": " + String($0.prefix(200)) } ?? "")
        let subject = "GitHub App \(app.appID): GitHub refused \(what) (\(answer))"
        let rateLimited = response.status == 429 || (response.status == 403 && response.header("X-RateLimit-Remaining") == "0")
        if response.status >= 500 || response.status == 408 || rateLimited {
            return finish(.failed(GitHubAppError(subject + "; will try again", transient: true)))
        }
        let fix: String
        switch (response.status, state) {
        case (401, _):
            fix = "the App's JSON web token was not accepted: check that benchbot.notify.github.app_id is this App's ID or client ID, "
                + "that the private key is one of this App's current keys (the App's settings, Private keys), and that this "
                + "machine's clock is right"
        case (404, .findingInstallation):
            fix = "the App is not installed on \(app.repository): install it there (the App's page, Install App), or set "
                + "benchbot.notify.github.installation_id"
        case (404, _):
            fix = "no such installation of this App: set benchbot.notify.github.installation_id to the number at the end of the "
                + "installation's settings page URL, or remove it to look the installation up from \(app.repository)"
        case (403, _):
            fix = "the installation may be suspended, or the App may lack a permission: check the installation in the "
                + "repository's settings (GitHub Apps)"
        default:
            fix = "check the App's settings and its installation on \(app.repository)"
        }
        return finish(.failed(GitHubAppError(subject + "; " + fix, transient: false)))
    }

    private static func login(_ slug: String?, _ app: GitHubAppTokens.Configuration) -> String? {
        app.wantsLogin ? slug.map { "\($0)[bot]" } : nil
    }

    static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func integer(_ value: Any?) -> Int? {
        guard let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue), integer > 0 else { return nil }
        return integer
    }

    /// GitHub's `2016-07-11T22:14:10Z`.
    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }
}
