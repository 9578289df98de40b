import Foundation

/// A GitHub commit status (`POST /repos/{owner}/{repo}/statuses/{sha}`): the check mark beside a
/// commit or pull request.
public struct CommitStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case pending, success, failure, error
    }

    public static let maximumDescription = 140

    public var state: State
    /// The label of this status among a commit's checks.
    public var context: String
    /// At most 140 characters; longer is cut.
    public var description: String
    /// The comparison page.
    public var targetURL: String?

    public init(state: State, context: String, description: String, targetURL: String?) {
        self.state = state
        self.context = context
        // One line: a benchmark name in it may hold line breaks or control characters.
        let line = String(String.UnicodeScalarView(description.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : $0 }))
        self.description = line.count <= Self.maximumDescription ? line : String(line.prefix(Self.maximumDescription - 1)) + "…"
        self.targetURL = targetURL
    }

    /// The message that sets it on `commit` of `repository` (`owner/name`).
    ///
    /// - Parameter occasion: What this state belongs to (a job's lease), so that a later run of
    ///   the same commit reports again.
    public func message(repository: String, commit: String, occasion: String) -> OutgoingMessage {
        var fields: [String: Any] = ["state": state.rawValue, "context": context, "description": description]
        if let targetURL { fields["target_url"] = targetURL }
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return OutgoingMessage(key: "github-status:\(repository):\(commit):\(context):\(occasion):\(state.rawValue)",
                               destination: .github(method: .post, path: "/repos/\(repository)/statuses/\(commit)"),
                               kind: "commit-status", body: body, topic: "github-status:\(repository):\(commit):\(context)")
    }
}
