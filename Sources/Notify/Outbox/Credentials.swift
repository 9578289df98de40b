import Foundation

/// The secrets and addresses messages are sent with, read when they are sent.
public struct Credentials: Sendable {
    /// The Slack incoming webhook URL; `nil` writes Slack messages to the outbox folder instead.
    public var slackWebhookURL: String?
    /// A GitHub token; `nil` writes GitHub calls to the outbox folder instead.
    public var githubToken: String?
    /// `https://api.github.com`, or a GitHub Enterprise server's `https://host/api/v3`.
    public var githubAPIURL: String

    public static let publicGitHubAPI = "https://api.github.com"

    public init(slackWebhookURL: String?, githubToken: String?, githubAPIURL: String = Credentials.publicGitHubAPI) {
        self.slackWebhookURL = slackWebhookURL
        self.githubToken = githubToken
        self.githubAPIURL = githubAPIURL
    }

    /// Every secret, for the redactor.
    public var secrets: [String] { [slackWebhookURL, githubToken].compactMap { $0 } }

    /// The request that delivers `message`, or `nil` when its destination has no credentials.
    public func request(for message: OutgoingMessage) -> HTTPRequest? {
        switch message.destination {
        case .slackWebhook:
            guard let slackWebhookURL else { return nil }
            return HTTPRequest(method: .post, url: slackWebhookURL, headers: [("Content-Type", "application/json")], body: message.body)
        case .github(let method, let path):
            guard let githubToken else { return nil }
            let base = githubAPIURL.hasSuffix("/") ? String(githubAPIURL.dropLast()) : githubAPIURL
            return HTTPRequest(method: method, url: base + path, headers: [
                ("Accept", "application/vnd.github+json"),
                ("Authorization", "Bearer \(githubToken)"),
                ("X-GitHub-Api-Version", "2022-11-28"),
                ("Content-Type", "application/json"),
            ], body: message.body)
        }
    }
}
