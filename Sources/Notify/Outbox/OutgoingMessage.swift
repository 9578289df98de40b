public import Foundation

/// One notification as the outbox keeps it: where it goes and the exact body, with no secret in
/// it. The webhook URL or token is looked up when it is sent, so the store and its backups never
/// hold one.
public struct OutgoingMessage: Sendable, Hashable {
    /// Unique per notification: the same event queued twice is stored once.
    public var key: String
    public var destination: Destination
    /// What it reports, for `benchbot status`: `regression`, `commit-status`, `run-report`.
    public var kind: String
    /// The JSON body sent as it is.
    public var body: Data

    public init(key: String, destination: Destination, kind: String, body: Data) {
        self.key = key
        self.destination = destination
        self.kind = kind
        self.body = body
    }
}

/// Where a message goes, short of the secrets that reach it.
public enum Destination: Sendable, Hashable {
    /// A Slack incoming webhook; its URL is the secret.
    case slackWebhook
    /// A GitHub REST call, by method and path below the API's base URL, such as
    /// `POST /repos/o/r/statuses/<sha>`.
    case github(method: HTTPRequest.Method, path: String)

    /// Whether sending it twice does no harm, so that a send the process died during may be
    /// repeated. A commit status is a state that the newest post replaces; a Slack webhook post is
    /// a new message every time.
    public var isIdempotent: Bool {
        switch self {
        case .slackWebhook: false
        case .github(let method, let path): method != .post || path.contains("/statuses/")
        }
    }

    /// As stored: `slack-webhook`, or `github POST /repos/o/r/statuses/<sha>`.
    public var storedForm: String {
        switch self {
        case .slackWebhook: "slack-webhook"
        case .github(let method, let path): "github \(method.rawValue) \(path)"
        }
    }

    /// Reads ``storedForm``.
    public init?(storedForm: String) {
        if storedForm == "slack-webhook" {
            self = .slackWebhook
            return
        }
        let parts = storedForm.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "github", let method = HTTPRequest.Method(rawValue: parts[1]), parts[2].hasPrefix("/") else { return nil }
        self = .github(method: method, path: parts[2])
    }
}
