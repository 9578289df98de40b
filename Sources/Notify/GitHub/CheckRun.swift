import Foundation

/// A GitHub check run (`POST /repos/{owner}/{repo}/check-runs`, then `PATCH …/check-runs/{id}`):
/// a named check on a commit with a markdown report. Only a GitHub App's token may write them.
public struct CheckRun: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case queued
        case inProgress = "in_progress"
        case completed
    }

    public enum Conclusion: String, Sendable, Hashable {
        case success, failure, neutral, cancelled
        case timedOut = "timed_out"
        case actionRequired = "action_required"
    }

    /// GitHub's limit on the output's summary and text.
    public static let maximumOutputText = 65_535

    public var name: String
    public var headSHA: String
    public var status: Status
    /// Set when completed.
    public var conclusion: Conclusion?
    public var title: String
    /// Markdown, cut to 65,535 characters.
    public var summary: String
    /// The comparison page.
    public var detailsURL: String?

    public init(name: String, headSHA: String, status: Status, conclusion: Conclusion?, title: String, summary: String, detailsURL: String?) {
        self.name = name
        self.headSHA = headSHA
        self.status = status
        self.conclusion = conclusion
        self.title = title
        self.summary = MarkdownText.cut(summary, to: Self.maximumOutputText, moreAt: detailsURL)
        self.detailsURL = detailsURL
    }

    /// The message that creates or updates it on `repository` (`owner/name`).
    ///
    /// - Parameter occasion: What this state belongs to (a job's lease), so that a later run of
    ///   the same commit reports again.
    public func message(repository: String, occasion: String) -> OutgoingMessage {
        let externalID = "benchbot:\(repository):\(headSHA)"
        var fields: [String: Any] = [
            "name": name, "head_sha": headSHA, "external_id": externalID, "status": status.rawValue,
            "output": ["title": title, "summary": summary],
        ]
        if let conclusion { fields["conclusion"] = conclusion.rawValue }
        if let detailsURL { fields["details_url"] = detailsURL }
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return OutgoingMessage(
            key: "github-check:\(repository):\(headSHA):\(name):\(occasion):\(conclusion?.rawValue ?? status.rawValue)",
            destination: .githubCheckRun(repository: repository, headSHA: headSHA, name: name, externalID: externalID),
            kind: "check-run", body: body, topic: "github-check:\(repository):\(headSHA):\(name)")
    }
}
