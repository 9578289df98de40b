public import Foundation

/// The requests that deliver one notification, one answer at a time: a value with no I/O that the
/// sender feeds each response and asks what to send next. The one thing it keeps beyond itself
/// is the GitHub login its own comment was posted as, in its credentials' ``LearnedLogin``.
///
/// Most destinations take one request. The ones that keep a single thing up to date take a
/// lookup first: the pull request's comments for the one carrying the marker, the commit's check
/// runs for the one with the external ID. A send that a dead sender left unfinished is looked
/// for before it is repeated: a commit status in the commit's statuses, a Slack Web API post in
/// the channel's history by the metadata it carries.
public struct DeliveryExchange: Sendable {
    public enum Step: Sendable, Hashable {
        case send(HTTPRequest)
        /// Done; the receipt is the Slack message's `ts` or the GitHub object's ID, for replies and edits.
        case delivered(receipt: String?)
        /// An answer that did not deliver it, for the retry policy to judge.
        case unsuccessful(HTTPResponse)
        /// A 2xx that is not what the API answers, or Slack's `ok: false`.
        case failed(reason: String, transient: Bool)
        /// Whether an interrupted send arrived cannot be told.
        case unknown(reason: String)
    }

    private enum State: Sendable, Hashable {
        case ready
        case sendingOnce
        case postingToSlack
        case searchingSlack
        case listingStatuses
        case listingComments(page: Int)
        /// Comments holding the marker were found on a full or last page; whose they are waits for `GET /user`.
        case askingIdentity(page: Int, pageFull: Bool, candidates: [Candidate])
        /// Editing the first of `remaining`; the rest are tried when GitHub refuses it as someone else's.
        case editingComment(page: Int, pageFull: Bool, remaining: [Candidate])
        case writingComment
        case listingCheckRuns
        case writingCheckRun
        case finished
    }

    /// A comment that holds the marker, with its author as GitHub reports it.
    struct Candidate: Sendable, Hashable {
        let id: String
        let login: String?
        /// Written by a GitHub App's bot: a `[bot]` login, and `performed_via_github_app` set.
        let isApp: Bool
    }

    /// Whose comments BenchBot may edit: a login (configured, learned from BenchBot's own post,
    /// or from `GET /user`), or, for a GitHub App's installation token that has not posted yet in
    /// this process, which may not call `/user`, an app's bot comment, tried in turn until GitHub
    /// accepts the edit. An installation token may well be allowed to edit another app's comment:
    /// configure `benchbot.notify.github.login` for an App.
    public enum GitHubIdentity: Sendable, Hashable {
        case login(String)
        case app
    }

    public static let slackEventType = "benchbot_notification"
    static let pageSize = 100

    private let message: OutgoingMessage
    private let credentials: Credentials
    private let parentReceipt: String?
    private let interrupted: Bool
    private let queuedAt: Date
    private var state = State.ready
    /// From the configured login, the credentials' learned one, `GET /user`, or BenchBot's own post.
    public private(set) var githubIdentity: GitHubIdentity?

    /// - Parameters:
    ///   - message: What to deliver.
    ///   - credentials: Its destination's secrets; ``Credentials/canReach(_:)`` must hold.
    ///   - parentReceipt: The `ts` of the Slack message it answers, when it has a delivered parent.
    ///   - interrupted: A sender died while sending it: look for it before sending it again.
    ///   - queuedAt: When it was first queued; a Slack history search starts a minute before.
    public init(message: OutgoingMessage, credentials: Credentials, parentReceipt: String?, interrupted: Bool, queuedAt: Date) {
        self.message = message
        self.credentials = credentials
        self.parentReceipt = parentReceipt
        self.interrupted = interrupted
        self.queuedAt = queuedAt
        self.githubIdentity = (credentials.githubLogin ?? credentials.learnedGitHubLogin.value).map(GitHubIdentity.login)
    }

    /// The first request.
    public mutating func start() -> Step {
        precondition(state == .ready, "an exchange starts once")
        switch message.destination {
        case .slackWebhook:
            return send(credentials.slackWebhook(body: message.body), then: .sendingOnce)
        case .slackChannel(let channel):
            guard interrupted else { return postToSlack(channel) }
            let query = "?channel=\(Self.encoded(channel))&oldest=\(Int(queuedAt.timeIntervalSince1970) - 60)&include_all_metadata=true&limit=200"
            if let parentReceipt {
                return send(credentials.slackAPI(.get, "conversations.replies", query: query + "&ts=\(Self.encoded(parentReceipt))"), then: .searchingSlack)
            }
            return send(credentials.slackAPI(.get, "conversations.history", query: query), then: .searchingSlack)
        case .github(let method, let path):
            if interrupted, method == .post, let range = path.range(of: "/statuses/") {
                let listing = path[..<range.lowerBound] + "/commits/" + path[range.upperBound...] + "/statuses?per_page=100"
                return send(credentials.github(.get, String(listing)), then: .listingStatuses)
            }
            return send(credentials.github(method, path, body: message.body), then: .sendingOnce)
        case .githubIssueComment:
            return listComments(page: 1)
        case .githubCheckRun(let repository, let sha, let name, _):
            return send(credentials.github(.get, "/repos/\(repository)/commits/\(sha)/check-runs?check_name=\(Self.encoded(name))&filter=all&per_page=100"),
                        then: .listingCheckRuns)
        }
    }

    /// The next step after `response`.
    public mutating func receive(_ response: HTTPResponse) -> Step {
        let succeeded = (200..<300).contains(response.status)
        switch state {
        case .ready, .finished:
            preconditionFailure("a response with no request outstanding")
        case .sendingOnce:
            return finish(succeeded ? .delivered(receipt: nil) : .unsuccessful(response))
        case .postingToSlack:
            guard succeeded else { return finish(.unsuccessful(response)) }
            guard let answer = Self.object(response.body), let ok = answer["ok"] as? Bool else { return malformed(response, "chat.postMessage") }
            guard ok else { return finish(Self.slackRefusal(answer["error"] as? String, doing: "posting")) }
            return finish(.delivered(receipt: answer["ts"] as? String))
        case .searchingSlack:
            guard succeeded else { return finish(.unsuccessful(response)) }
            guard let answer = Self.object(response.body), let ok = answer["ok"] as? Bool else { return malformed(response, "the channel's history") }
            guard ok else {
                return finish(.unknown(reason: "its sender died while posting it, and Slack will not show the channel's history "
                                       + "(\(answer["error"] as? String ?? "no reason given")); give the bot the channels:history scope"))
            }
            let found = (answer["messages"] as? [[String: Any]] ?? []).first { posted in
                let metadata = posted["metadata"] as? [String: Any]
                return metadata?["event_type"] as? String == Self.slackEventType
                    && (metadata?["event_payload"] as? [String: Any])?["key"] as? String == message.key
            }
            if let found { return finish(.delivered(receipt: found["ts"] as? String)) }
            guard case .slackChannel(let channel) = message.destination else { preconditionFailure("searched Slack for a non-Slack message") }
            return postToSlack(channel)
        case .listingStatuses:
            let sent = Self.object(message.body)
            let statuses = succeeded ? (try? JSONSerialization.jsonObject(with: response.body)) as? [[String: Any]] : nil
            if let statuses, statuses.contains(where: { status in
                ["state", "context", "description"].allSatisfy { (status[$0] as? String) == (sent?[$0] as? String) }
            }) {
                return finish(.delivered(receipt: nil))
            }
            // Not there, or GitHub would not say: a status is a state, and posting it again is harmless.
            guard case .github(let method, let path) = message.destination else { preconditionFailure("listed statuses for a non-status message") }
            return send(credentials.github(method, path, body: message.body), then: .sendingOnce)
        case .listingComments(let page):
            guard succeeded else { return finish(.unsuccessful(response)) }
            guard case .githubIssueComment(let repository, let issue, let marker) = message.destination else { preconditionFailure("not a comment") }
            guard let comments = (try? JSONSerialization.jsonObject(with: response.body)) as? [[String: Any]] else {
                return malformed(response, "the comments of \(repository)#\(issue)")
            }
            let candidates = comments.compactMap { comment -> Candidate? in
                guard (comment["body"] as? String)?.contains(marker) == true, let id = Self.identifier(comment["id"]) else { return nil }
                let login = (comment["user"] as? [String: Any])?["login"] as? String
                let app = comment["performed_via_github_app"]
                return Candidate(id: id, login: login, isApp: login?.hasSuffix("[bot]") == true && app != nil && !(app is NSNull))
            }
            let pageFull = comments.count >= Self.pageSize
            // Anyone may paste the marker; asking who BenchBot is costs a request only when someone did.
            if !candidates.isEmpty, githubIdentity == nil {
                return send(credentials.github(.get, "/user"), then: .askingIdentity(page: page, pageFull: pageFull, candidates: candidates))
            }
            return editFirst(of: candidates, page: page, pageFull: pageFull)
        case .askingIdentity(let page, let pageFull, let candidates):
            if succeeded {
                guard let login = Self.object(response.body)?["login"] as? String else { return malformed(response, "the token's user") }
                githubIdentity = .login(login)
            } else if Self.isInstallationRefusal(response) {
                // An installation token, which writes as `<app>[bot]`.
                githubIdentity = .app
            } else {
                // A rate limit's 403 or 429 included: the retry policy judges it.
                return finish(.unsuccessful(response))
            }
            return editFirst(of: candidates, page: page, pageFull: pageFull)
        case .editingComment(let page, let pageFull, let remaining):
            if response.status == 403, githubIdentity == .app {
                // Another app's comment: leave it, and try the next one.
                return editFirst(of: Array(remaining.dropFirst()), page: page, pageFull: pageFull)
            }
            guard succeeded else { return finish(.unsuccessful(response)) }
            return finish(.delivered(receipt: Self.object(response.body).flatMap { Self.identifier($0["id"]) }))
        case .listingCheckRuns:
            guard succeeded else { return finish(.unsuccessful(response)) }
            guard case .githubCheckRun(let repository, _, _, let externalID) = message.destination else { preconditionFailure("not a check run") }
            guard let runs = Self.object(response.body)?["check_runs"] as? [[String: Any]] else {
                return malformed(response, "the check runs of \(repository)")
            }
            if let mine = runs.first(where: { $0["external_id"] as? String == externalID }), let id = Self.identifier(mine["id"]) {
                // An update names no commit: `head_sha` belongs to the creation only.
                var fields = Self.object(message.body) ?? [:]
                fields["head_sha"] = nil
                return send(credentials.github(.patch, "/repos/\(repository)/check-runs/\(id)", body: Self.data(fields)), then: .writingCheckRun)
            }
            return send(credentials.github(.post, "/repos/\(repository)/check-runs", body: message.body), then: .writingCheckRun)
        case .writingComment:
            guard succeeded else { return finish(.unsuccessful(response)) }
            let posted = Self.object(response.body)
            // GitHub names the comment's author: BenchBot, as its token writes.
            if let login = (posted?["user"] as? [String: Any])?["login"] as? String, !login.isEmpty {
                credentials.learnedGitHubLogin.learn(login)
                githubIdentity = .login(login)
            }
            return finish(.delivered(receipt: posted.flatMap { Self.identifier($0["id"]) }))
        case .writingCheckRun:
            guard succeeded else { return finish(.unsuccessful(response)) }
            return finish(.delivered(receipt: Self.object(response.body).flatMap { Self.identifier($0["id"]) }))
        }
    }

    private mutating func send(_ request: HTTPRequest, then next: State) -> Step {
        state = next
        return .send(request)
    }

    private mutating func finish(_ step: Step) -> Step {
        state = .finished
        return step
    }

    private mutating func malformed(_ response: HTTPResponse, _ what: String) -> Step {
        let start = String(decoding: response.body.prefix(120), as: UTF8.self)
        return finish(.failed(reason: "malformed answer for \(what) (HTTP \(response.status)): \(start.isEmpty ? "empty body" : start)", transient: true))
    }

    /// Edits the first of `candidates` that BenchBot wrote; with none, reads the next page or posts a new comment.
    private mutating func editFirst(of candidates: [Candidate], page: Int, pageFull: Bool) -> Step {
        guard case .githubIssueComment(let repository, let issue, _) = message.destination else { preconditionFailure("not a comment") }
        let mine = candidates.filter { candidate in
            switch githubIdentity {
            case .login(let login): candidate.login?.lowercased() == login.lowercased()
            case .app: candidate.isApp
            case nil: false
            }
        }
        if let first = mine.first {
            return send(credentials.github(.patch, "/repos/\(repository)/issues/comments/\(first.id)", body: message.body),
                        then: .editingComment(page: page, pageFull: pageFull, remaining: mine))
        }
        if pageFull { return listComments(page: page + 1) }
        return send(credentials.github(.post, "/repos/\(repository)/issues/\(issue)/comments", body: message.body), then: .writingComment)
    }

    private mutating func postToSlack(_ channel: String) -> Step {
        var fields = Self.object(message.body) ?? [:]
        fields["channel"] = channel
        fields["unfurl_links"] = false
        if let parentReceipt { fields["thread_ts"] = parentReceipt }
        fields["metadata"] = ["event_type": Self.slackEventType, "event_payload": ["key": message.key]]
        return send(credentials.slackAPI(.post, "chat.postMessage", body: Self.data(fields)), then: .postingToSlack)
    }

    private mutating func listComments(page: Int) -> Step {
        guard case .githubIssueComment(let repository, let issue, _) = message.destination else { preconditionFailure("not a comment") }
        return send(credentials.github(.get, "/repos/\(repository)/issues/\(issue)/comments?per_page=\(Self.pageSize)&page=\(page)"),
                    then: .listingComments(page: page))
    }

    /// Whether `GET /user` was refused because the token is a GitHub App's installation token
    /// ("Resource not accessible by integration"), not for a rate limit or a bad token.
    static func isInstallationRefusal(_ response: HTTPResponse) -> Bool {
        guard response.status == 403 else { return false }
        let message = object(response.body)?["message"] as? String ?? ""
        return message.localizedCaseInsensitiveContains("not accessible by integration")
    }

    /// Slack answers most failures with HTTP 200 and `ok: false`; a few of its errors pass.
    static func slackRefusal(_ error: String?, doing: String) -> Step {
        let transient: Set = ["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]
        let error = error ?? "no reason given"
        return .failed(reason: "Slack refused \(doing) it: \(error)", transient: transient.contains(error))
    }

    static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func data(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    static func identifier(_ value: Any?) -> String? {
        switch value {
        case let number as NSNumber: number.stringValue
        case let text as String: text
        default: nil
        }
    }

    static func encoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
