/// Reads GitHub's REST API with BenchBot's credentials: pull requests for maintainers' commands
/// and for `poll --pull-requests`.
public struct GitHubReader: Sendable {
    public let credentials: Credentials
    public var client: HTTPClient

    public init(credentials: Credentials, client: HTTPClient = HTTPClient()) {
        self.credentials = credentials
        self.client = client
    }

    /// Whether there is a token to read with.
    public var canRead: Bool { credentials.canReach(.github(method: .get, path: "/")) }

    /// `GET pathAndQuery`, conditional on `etag` when given (a `304` answer then costs no rate limit).
    ///
    /// - Throws: ``HTTPClientError`` when no answer came; ``GitHubAppError`` when a GitHub App's
    ///   installation token cannot be had.
    public func get(_ pathAndQuery: String, etag: String? = nil) async throws -> HTTPResponse {
        let ready = try await credentials.authorized(for: .github(method: .get, path: pathAndQuery), using: client)
        var request = ready.github(.get, pathAndQuery)
        if let etag { request.headers.append(("If-None-Match", etag)) }
        return try await client.execute(request)
    }
}
