public import Foundation

/// One HTTP request, as the notifiers send them: to Slack's and GitHub's APIs.
public struct HTTPRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, Codable {
        case get = "GET"
        case post = "POST"
        case patch = "PATCH"
        case put = "PUT"
        case delete = "DELETE"
    }

    public var method: Method
    /// An `http` or `https` URL; nothing else is fetched.
    public var url: String
    /// Sent in order; names are case-insensitive on the wire.
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (left: HTTPRequest, right: HTTPRequest) -> Bool {
        left.method == right.method && left.url == right.url && left.body == right.body
            && left.headers.map { "\($0.name): \($0.value)" } == right.headers.map { "\($0.name): \($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
        for header in headers { hasher.combine(header.name); hasher.combine(header.value) }
    }
}

/// What a server answered.
public struct HTTPResponse: Sendable, Hashable {
    public let status: Int
    /// In the order received, names as the server spelled them.
    public let headers: [HTTPHeader]
    public let body: Data

    public init(status: Int, headers: [HTTPHeader], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPHeader: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
