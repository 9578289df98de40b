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
    /// Messages that say where one thing stands (a commit's status, a pull request's comment)
    /// share a topic: only the newest matters, so a newer one replaces an older one not yet sent,
    /// and waits while an older one is being sent, so that they arrive in order.
    public var topic: String?
    /// The key of the Slack message this one answers in a thread; sent after it.
    public var threadParent: String?

    public init(key: String, destination: Destination, kind: String, body: Data, topic: String? = nil, threadParent: String? = nil) {
        self.key = key
        self.destination = destination
        self.kind = kind
        self.body = body
        self.topic = topic
        self.threadParent = threadParent
    }
}

/// Where a message goes, short of the secrets that reach it.
public enum Destination: Sendable, Hashable, Codable {
    /// A Slack incoming webhook; its URL is the secret.
    case slackWebhook
    /// A Slack channel by ID, through the Web API's `chat.postMessage` with a bot token.
    case slackChannel(String)
    /// A GitHub REST call, by method and path below the API's base URL, such as
    /// `POST /repos/o/r/statuses/<sha>`.
    case github(method: HTTPRequest.Method, path: String)
    /// The one comment of a pull request (or issue) that carries `marker`: edited when it exists,
    /// created when not.
    case githubIssueComment(repository: String, issue: Int, marker: String)
    /// The check run named `name` on `headSHA` with `externalID`: updated when it exists, created when not.
    case githubCheckRun(repository: String, headSHA: String, name: String, externalID: String)

    /// Whether a send the process died during may be repeated. Everything but a Slack webhook post
    /// can be: a commit status is a state the newest post replaces, comments and check runs are
    /// found and edited, and a Web API post is looked for in the channel's history first. A webhook
    /// post is a new message every time, and there is no asking whether the first arrived.
    public var isRepeatable: Bool {
        switch self {
        case .slackWebhook: false
        // A reaction already given is answered 200 and not added again.
        case .github(let method, let path): method != .post || path.contains("/statuses/") || path.hasSuffix("/reactions")
        case .slackChannel, .githubIssueComment, .githubCheckRun: true
        }
    }

    /// For people: `Slack webhook`, `GitHub comment on o/r#12`.
    public var summary: String {
        switch self {
        case .slackWebhook: "Slack webhook"
        case .slackChannel(let channel): "Slack channel \(channel)"
        case .github(let method, let path): "GitHub \(method.rawValue) \(path)"
        case .githubIssueComment(let repository, let issue, _): "GitHub comment on \(repository)#\(issue)"
        case .githubCheckRun(let repository, let sha, let name, _): "GitHub check run \"\(name)\" on \(repository)@\(sha.prefix(10))"
        }
    }

    /// As stored: JSON.
    public var storedForm: String {
        // Every case holds strings and integers only, which always encode.
        String(decoding: (try? JSONEncoder.sorted.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads ``storedForm``, and the plain forms stores held before JSON: `slack-webhook` and
    /// `github POST /repos/o/r/statuses/<sha>`.
    public init?(storedForm: String) {
        if let decoded = try? JSONDecoder().decode(Destination.self, from: Data(storedForm.utf8)) {
            self = decoded
            return
        }
        if storedForm == "slack-webhook" {
            self = .slackWebhook
            return
        }
        let parts = storedForm.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "github", let method = HTTPRequest.Method(rawValue: parts[1]), parts[2].hasPrefix("/") else { return nil }
        self = .github(method: method, path: parts[2])
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
