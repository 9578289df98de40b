public import Foundation

/// What BenchBot records about a commit: enough to label a plot point or a report line.
public struct CommitMetadata: Sendable, Hashable, Codable {
    public let id: ObjectID
    public let parents: [ObjectID]
    public let authorName: String
    public let authorEmail: String
    public let authorTime: Date
    /// The first paragraph of the message, on one line.
    public let subject: String

    /// Whoever pushed wrote the author and subject, so their control characters are made inert
    /// here, once: every terminal line, log, message and page that shows them gets plain text.
    public init(id: ObjectID, parents: [ObjectID], authorName: String, authorEmail: String, authorTime: Date, subject: String) {
        self.id = id
        self.parents = parents
        self.authorName = PlainText.singleLine(authorName)
        self.authorEmail = PlainText.singleLine(authorEmail)
        self.authorTime = authorTime
        self.subject = PlainText.singleLine(subject)
    }
}
