import Foundation

/// A webhook delivery's payload, read as BenchBot needs it; field names follow GitHub's webhook
/// documentation.
public enum GitHubEvent: Sendable, Hashable {
    /// The hook was created or tested.
    case ping(hookID: Int?, events: [String])
    case push(Push)
    case pullRequest(action: String, PullRequest)
    case issueComment(action: String, Comment)
    case checkRun(action: String, CheckRun)
    /// An event or action BenchBot does not act on.
    case ignored(String)

    public struct Push: Sendable, Hashable {
        /// `refs/heads/main`.
        public var ref: String
        public var before: ObjectID
        public var after: ObjectID
        /// `owner/name` of the repository pushed to.
        public var repository: String
    }

    public struct PullRequest: Sendable, Hashable {
        public var number: Int
        public var headSHA: ObjectID
        public var headRef: String
        /// `owner/name` of the head's repository; `nil` when the fork was deleted.
        public var headRepository: String?
        public var headCloneURL: String?
        public var baseRef: String
        public var baseRepository: String
        public var author: String
        /// OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIME_CONTRIBUTOR, FIRST_TIMER, MANNEQUIN or NONE.
        public var authorAssociation: String?
        public var draft: Bool
        public var isOpen: Bool

        /// Whether the head is a branch of the base repository itself, not of a fork.
        public var isSameRepository: Bool {
            headRepository.map { $0.caseInsensitiveCompare(baseRepository) == .orderedSame } ?? false
        }
    }

    public struct Comment: Sendable, Hashable {
        public var id: Int
        public var body: String
        public var author: String
        public var authorAssociation: String?
        /// Whether the author is a bot (BenchBot's own replies among them).
        public var byBot: Bool
        /// The issue or pull request's number.
        public var issue: Int
        /// Whether it was left on a pull request rather than a plain issue.
        public var onPullRequest: Bool
        /// `owner/name`.
        public var repository: String
    }

    public struct CheckRun: Sendable, Hashable {
        public var name: String
        public var headSHA: ObjectID
        public var externalID: String?
        public var repository: String
    }

    /// Reads a payload.
    ///
    /// - Parameters:
    ///   - event: `X-GitHub-Event`.
    ///   - payload: The body, parsed.
    /// - Throws: ``GitHubPayloadError`` naming the field that is missing or malformed.
    public static func parse(event: String, payload: JSONValue) throws(GitHubPayloadError) -> GitHubEvent {
        let reader = PayloadReader(event: event, payload: payload)
        let action = payload["action"]?.string
        switch event {
        case "ping":
            return .ping(hookID: payload["hook_id"]?.integer ?? payload["hook"]?["id"]?.integer,
                         events: payload["hook"]?["events"]?.array?.compactMap(\.string) ?? [])
        case "push":
            return .push(Push(ref: try reader.string("ref"), before: try reader.objectID("before"), after: try reader.objectID("after"),
                              repository: try reader.string("repository.full_name")))
        case "pull_request":
            guard let action else { throw reader.missing("action") }
            let headRepository = payload["pull_request"]?["head"]?["repo"]
            return .pullRequest(action: action, PullRequest(
                number: try reader.integer("pull_request.number"),
                headSHA: try reader.objectID("pull_request.head.sha"),
                headRef: try reader.string("pull_request.head.ref"),
                headRepository: headRepository?["full_name"]?.string,
                headCloneURL: headRepository?["clone_url"]?.string,
                baseRef: try reader.string("pull_request.base.ref"),
                baseRepository: try reader.string("pull_request.base.repo.full_name"),
                author: try reader.string("pull_request.user.login"),
                authorAssociation: payload["pull_request"]?["author_association"]?.string,
                draft: payload["pull_request"]?["draft"]?.bool ?? false,
                isOpen: payload["pull_request"]?["state"]?.string != "closed"))
        case "issue_comment":
            guard let action else { throw reader.missing("action") }
            let pullRequest = payload["issue"]?["pull_request"]
            return .issueComment(action: action, Comment(
                id: try reader.integer("comment.id"),
                body: try reader.string("comment.body", allowEmpty: true),
                author: try reader.string("comment.user.login"),
                authorAssociation: payload["comment"]?["author_association"]?.string,
                byBot: payload["comment"]?["user"]?["type"]?.string == "Bot",
                issue: try reader.integer("issue.number"),
                onPullRequest: pullRequest != nil && pullRequest != .null,
                repository: try reader.string("repository.full_name")))
        case "check_run":
            guard let action else { throw reader.missing("action") }
            return .checkRun(action: action, CheckRun(
                name: try reader.string("check_run.name"), headSHA: try reader.objectID("check_run.head_sha"),
                externalID: payload["check_run"]?["external_id"]?.string, repository: try reader.string("repository.full_name")))
        default:
            return .ignored(action.map { "\(event).\($0)" } ?? event)
        }
    }
}

/// A payload lacks a field BenchBot needs, or holds one of the wrong type.
public struct GitHubPayloadError: Error, Sendable, CustomStringConvertible {
    public let event: String
    public let field: String
    public let problem: String
    public var description: String { "\(event) payload: \(field) \(problem)" }
}

/// Reads dotted paths out of a payload, with errors that name them.
private struct PayloadReader {
    let event: String
    let payload: JSONValue

    func value(_ path: String) -> JSONValue? {
        path.split(separator: ".").reduce(Optional(payload)) { value, key in value?[String(key)] }
    }

    func missing(_ path: String) -> GitHubPayloadError {
        GitHubPayloadError(event: event, field: path, problem: "is missing")
    }

    func string(_ path: String, allowEmpty: Bool = false) throws(GitHubPayloadError) -> String {
        guard let value = value(path) else { throw missing(path) }
        guard let text = value.string, allowEmpty || !text.isEmpty else {
            throw GitHubPayloadError(event: event, field: path, problem: "is \(value.typeName), expected a non-empty string")
        }
        return text
    }

    func integer(_ path: String) throws(GitHubPayloadError) -> Int {
        guard let value = value(path) else { throw missing(path) }
        guard let number = value.integer else {
            throw GitHubPayloadError(event: event, field: path, problem: "is \(value.typeName), expected an integer")
        }
        return number
    }

    func objectID(_ path: String) throws(GitHubPayloadError) -> ObjectID {
        let text = try string(path)
        guard let id = ObjectID(hex: text) else {
            throw GitHubPayloadError(event: event, field: path, problem: "is '\(PlainText.singleLine(String(text.prefix(80))))', expected a 40-digit commit hash")
        }
        return id
    }
}

extension JSONValue {
    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// A whole number that fits an `Int` exactly.
    var integer: Int? {
        guard case .number(let value) = self, value.rounded() == value, abs(value) < 9_007_199_254_740_992 else { return nil }
        return Int(value)
    }
}
