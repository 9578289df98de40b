import Foundation

/// The one comment BenchBot keeps on a pull request: found by a hidden marker and edited on each
/// new push, never posted twice.
public struct PullRequestComment: Sendable, Hashable {
    /// GitHub's limit on a comment's body.
    public static let maximumBody = 65_536

    public var pullRequest: Int
    /// Markdown; cut to fit with a link to the whole report.
    public var markdown: String
    /// Tells BenchBot's comment apart from people's, and one BenchBot context's from another's.
    public var marker: String

    /// - Parameters:
    ///   - pullRequest: Its number.
    ///   - markdown: The comment's text.
    ///   - context: The name its comment goes by, as statuses' context does.
    ///   - moreAt: Where the whole report is, for a text too long to post.
    public init(pullRequest: Int, markdown: String, context: String, moreAt: String?) {
        self.pullRequest = pullRequest
        self.marker = "<!-- benchbot:comparison:\(context) -->"
        self.markdown = MarkdownText.cut(markdown, to: Self.maximumBody - marker.count - 1, moreAt: moreAt)
    }

    /// - Parameter occasion: What this text belongs to (a job's lease), so that each push edits it.
    public func message(repository: String, occasion: String) -> OutgoingMessage {
        let body = (try? JSONSerialization.data(withJSONObject: ["body": marker + "\n" + markdown], options: [.sortedKeys])) ?? Data()
        return OutgoingMessage(key: "github-comment:\(repository)#\(pullRequest):\(marker):\(occasion)",
                               destination: .githubIssueComment(repository: repository, issue: pullRequest, marker: marker),
                               kind: "pr-comment", body: body, topic: "github-comment:\(repository)#\(pullRequest):\(marker)")
    }
}

/// Markdown cut to a length without breaking mid-line.
enum MarkdownText {
    static func cut(_ text: String, to limit: Int, moreAt: String?) -> String {
        guard text.count > limit else { return text }
        let note = "\n\n…cut to fit GitHub's limit" + (moreAt.map { "; [the whole report](\($0))" } ?? "")
        var kept = String(text.prefix(max(0, limit - note.count)))
        if let lastLine = kept.lastIndex(of: "\n") { kept = String(kept[..<lastLine]) }
        return kept + note
    }
}
