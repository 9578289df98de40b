/// Why a GitHub App's installation token could not be had: a key that is not one, GitHub refusing
/// the App's JSON web token, an installation that is not there, or GitHub not answering.
///
/// The message names the App and what to fix; it never holds key material or a token.
public struct GitHubAppError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    /// Worth trying again later (a 5xx, a rate limit, no connection); otherwise the configuration
    /// or the App's installation must change first.
    public let isTransient: Bool

    public init(_ message: String, transient: Bool) {
        self.message = message
        self.isTransient = transient
    }

    public var description: String { message }
}
