/// How BenchBot authenticates to GitHub's REST API.
public enum GitHubAuthentication: Sendable {
    /// A personal (or other long-lived) token, sent as it is.
    case token(String)
    /// A GitHub App: installation tokens minted from its private key, refreshed before they expire.
    case app(GitHubAppTokens)
}
