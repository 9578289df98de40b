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

    public init(id: ObjectID, parents: [ObjectID], authorName: String, authorEmail: String, authorTime: Date, subject: String) {
        self.id = id
        self.parents = parents
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.subject = subject
    }
}
