import Foundation
import HTTPTypes

/// A request the API refuses, with its status and a message that names the field and the fix.
struct APIProblem: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String

    static func badRequest(_ message: String) -> APIProblem { APIProblem(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIProblem { APIProblem(status: .notFound, message: message) }
}

/// What the API's paths and query strings ask for, checked before anything is read.
enum APIRequest {
    /// `GET /api/v1/jobs`: no `limit` gives this many of the newest jobs.
    static let defaultJobLimit = 100
    static let maximumJobLimit = 1000

    /// The states and limit of `GET /api/v1/jobs?state=queued,running&limit=50`.
    ///
    /// - Parameter parameters: The query's fields, values percent-decoded; `state` may repeat.
    /// - Returns: The states asked for (`nil` for all), and how many of the newest jobs.
    static func jobs(_ parameters: [(key: String, value: String)]) throws(APIProblem) -> (states: Set<JobState>?, limit: Int) {
        var states: Set<JobState> = []
        var limit = defaultJobLimit
        let known = JobState.allCases.map(\.rawValue).joined(separator: ", ")
        for (key, value) in parameters {
            switch key {
            case "state":
                for name in value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let state = JobState(rawValue: String(name)) else {
                        throw .badRequest("state: unknown state '\(PlainText.singleLine(String(name.prefix(40))))'; use one or more of \(known), separated by commas")
                    }
                    states.insert(state)
                }
            case "limit":
                guard let number = Int(value), (1...maximumJobLimit).contains(number) else {
                    throw .badRequest("limit: '\(PlainText.singleLine(String(value.prefix(40))))' is not a whole number from 1 to \(maximumJobLimit)")
                }
                limit = number
            default:
                throw .badRequest("unknown query parameter '\(PlainText.singleLine(String(key.prefix(40))))'; GET /api/v1/jobs takes state and limit")
            }
        }
        return (states.isEmpty ? nil : states, limit)
    }

    /// A commit hash as a path segment gives it: 4 to 40 hexadecimal digits, in lower case.
    static func hash(_ segment: String) throws(APIProblem) -> String {
        let isHash = (4...40).contains(segment.count) && segment.allSatisfy { $0.isASCII && $0.isHexDigit }
        guard isHash else {
            throw .badRequest("'\(PlainText.singleLine(String(segment.prefix(60))))' is not a commit hash; give 4 to 40 hexadecimal digits, such as /api/v1/commits/1a2b3c4d/results")
        }
        return segment.lowercased()
    }

    /// The two ends of `BASE...HEAD`, each a commit hash or a branch name.
    static func range(_ text: String) throws(APIProblem) -> (base: String, head: String) {
        let ends = text.components(separatedBy: "...")
        guard ends.count == 2, let base = ends.first, let head = ends.last, revisionAllowed(base), revisionAllowed(head) else {
            throw .badRequest("'\(PlainText.singleLine(String(text.prefix(120))))' is not BASE...HEAD; give two commit hashes or branch names, "
                + "such as /api/v1/compare/1a2b3c4d...main")
        }
        return (base, head)
    }

    /// A hash or a branch name, and nothing else git's revision syntax allows (`:/text` searches
    /// every commit message; `@{…}` reads reflogs): the API only reads what it names.
    static func revisionAllowed(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255 && LibGit2.isValidReferenceName("refs/heads/\(text)")
    }
}
