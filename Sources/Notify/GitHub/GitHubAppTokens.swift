public import Foundation
import Synchronization

/// A GitHub App's installation tokens, minted when first asked for and kept until 5 minutes before
/// they expire (GitHub gives them an hour). Sends that ask together while none is valid share one
/// refresh. The installation and the App's slug, once looked up, are remembered.
///
/// Shared by every sender of a process, through ``shared(_:pem:)``: a dispatcher made afresh for
/// each job must not mint a token for each.
public final class GitHubAppTokens: Sendable {
    /// Which App, where, and what it is for.
    public struct Configuration: Sendable, Hashable {
        /// The App's ID, or its client ID: the JSON web token's issuer.
        public var appID: String
        /// `https://api.github.com`, or a GitHub Enterprise server's `https://host/api/v3`.
        public var apiURL: String
        /// `owner/name`: where the installation is looked up when ``installationID`` is unset.
        public var repository: String
        public var installationID: Int?
        /// Whether to learn the App's `<slug>[bot]` login: no login is configured.
        public var wantsLogin: Bool

        public init(appID: String, apiURL: String, repository: String, installationID: Int?, wantsLogin: Bool) {
            self.appID = appID
            self.apiURL = apiURL
            self.repository = repository
            self.installationID = installationID
            self.wantsLogin = wantsLogin
        }
    }

    /// An installation token, with when it expires and the login it writes as.
    public struct Token: Sendable, Hashable {
        public let token: String
        public let expiresAt: Date
        /// `<slug>[bot]`, when ``Configuration/wantsLogin``.
        public let login: String?

        public init(token: String, expiresAt: Date, login: String?) {
            self.token = token
            self.expiresAt = expiresAt
            self.login = login
        }
    }

    /// How many of the last tokens minted the redactor masks.
    static let tokensMasked = 4

    /// How long before it expires a token is replaced.
    public static let refreshMargin: TimeInterval = 5 * 60

    public let configuration: Configuration
    private let key: Result<GitHubAppKey, GitHubAppError>
    private let keySecrets: [String]
    private let clock: @Sendable () -> Date
    private let state = Mutex(State())

    private struct State {
        var current: Token?
        var installationID: Int?
        var slug: String?
        var refresh: Task<Result<Token, GitHubAppError>, Never>?
        /// The last tokens minted, for the redactor: an older one may still be quoted in a late
        /// answer. Older ones have expired (they last an hour), and a long-running worker would
        /// otherwise mask one more string in every line it logs each hour.
        var minted: [String] = []
    }

    /// - Parameters:
    ///   - configuration: The App.
    ///   - pem: The private key's PEM text; one that is not an RSA key fails each request for a token.
    ///   - clock: Now; tests move it.
    public init(_ configuration: Configuration, pem: String, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.clock = clock
        keySecrets = GitHubAppKey.secrets(in: pem)
        key = Result { () throws(GitHubAppKey.Problem) in try GitHubAppKey(pem: pem) }.mapError { problem in
            GitHubAppError("GitHub App \(configuration.appID): the private key \(problem)", transient: false)
        }
        state.withLock { $0.installationID = configuration.installationID }
    }

    /// The private key and the last tokens minted: what the redactor must mask.
    public var secrets: [String] { keySecrets + state.withLock { $0.minted } }

    /// The installation this App's tokens are for, once known.
    public var installationID: Int? { state.withLock { $0.installationID } }

    /// A token valid for at least ``refreshMargin`` more, minted now if the one kept is not.
    ///
    /// - Parameter client: What GitHub is asked with.
    /// - Throws: ``GitHubAppError``, naming the App and what to fix, and whether trying later may help.
    public func token(using client: HTTPClient) async throws(GitHubAppError) -> Token {
        let now = clock()
        let action = state.withLock { state -> Action in
            if let current = state.current, current.expiresAt.timeIntervalSince(now) > Self.refreshMargin { return .ready(current) }
            if let running = state.refresh { return .wait(running) }
            let started = Task { await self.mint(using: client) }
            state.refresh = started
            return .wait(started)
        }
        switch action {
        case .ready(let token): return token
        case .wait(let refresh): return try await refresh.value.get()
        }
    }

    /// Drops `token` when it is the one kept, so the next ask mints another: GitHub refused it
    /// (revoked, or expired early by GitHub's clock).
    public func discard(_ token: String) {
        state.withLock { state in
            if state.current?.token == token { state.current = nil }
        }
    }

    private enum Action {
        case ready(Token)
        case wait(Task<Result<Token, GitHubAppError>, Never>)
    }

    /// One exchange with GitHub, its outcome recorded for the next asker.
    private func mint(using client: HTTPClient) async -> Result<Token, GitHubAppError> {
        let outcome = await exchange(using: client)
        state.withLock { state in
            state.refresh = nil
            if case .success(let (token, installationID, slug)) = outcome {
                state.current = token
                state.installationID = installationID
                state.slug = slug ?? state.slug
                state.minted = Array((state.minted + [token.token]).suffix(Self.tokensMasked))
            } else if configuration.installationID == nil {
                // A looked-up installation may be gone (the App was reinstalled): look again next time.
                state.installationID = nil
            }
        }
        return outcome.map(\.0)
    }

    private func exchange(using client: HTTPClient) async -> Result<(Token, Int, String?), GitHubAppError> {
        let jwt: String
        do {
            jwt = try GitHubAppJWT.make(issuer: configuration.appID, key: try key.get(), now: clock())
        } catch {
            return .failure(error)
        }
        let (installationID, slug) = state.withLock { ($0.installationID, $0.slug) }
        var exchange = GitHubAppTokenExchange(app: configuration, jwt: jwt, installationID: installationID, slug: slug)
        var step = exchange.start()
        while true {
            switch step {
            case .send(let request):
                do {
                    step = exchange.receive(try await client.execute(request))
                } catch {
                    step = exchange.failed(error)
                }
            case .obtained(let token, let installationID, let slug):
                return .success((token, installationID, slug))
            case .failed(let error):
                return .failure(error)
            }
        }
    }
}
