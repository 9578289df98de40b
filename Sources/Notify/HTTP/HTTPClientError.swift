/// Why a request got no response.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, Hashable {
    private enum Kind: Sendable, Hashable {
        case invalidURL(String)
        case couldNotConnect(String)
        case timedOut(seconds: Double)
        case tls(String)
        case bodyTooLarge(limit: Int)
        case cancelled
        case transfer(code: Int, message: String)
    }

    private let kind: Kind
    /// The URL, with any credentials masked.
    public let url: String

    private init(_ kind: Kind, url: String) {
        self.kind = kind
        self.url = SecretRedactor.redactURLCredentials(in: url)
    }

    static func invalidURL(_ url: String, _ detail: String) -> HTTPClientError { .init(.invalidURL(detail), url: url) }
    static func couldNotConnect(_ url: String, _ detail: String) -> HTTPClientError { .init(.couldNotConnect(detail), url: url) }
    static func timedOut(_ url: String, seconds: Double) -> HTTPClientError { .init(.timedOut(seconds: seconds), url: url) }
    static func tls(_ url: String, _ detail: String) -> HTTPClientError { .init(.tls(detail), url: url) }
    static func bodyTooLarge(_ url: String, limit: Int) -> HTTPClientError { .init(.bodyTooLarge(limit: limit), url: url) }
    static func cancelled(_ url: String) -> HTTPClientError { .init(.cancelled, url: url) }
    static func transfer(_ url: String, code: Int, _ message: String) -> HTTPClientError { .init(.transfer(code: code, message: message), url: url) }

    /// Worth trying again later: the network or the server may recover.
    public var isTransient: Bool {
        switch kind {
        case .couldNotConnect, .timedOut, .transfer: true
        case .invalidURL, .tls, .bodyTooLarge, .cancelled: false
        }
    }

    public var isTimeout: Bool {
        if case .timedOut = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .invalidURL(let detail): "\(url): not a usable http(s) URL: \(detail)"
        case .couldNotConnect(let detail): "\(url): cannot connect: \(detail)"
        case .timedOut(let seconds): "\(url): no complete response within \(seconds) s"
        case .tls(let detail): "\(url): TLS verification failed: \(detail); set a CA bundle if the server uses a private CA"
        case .bodyTooLarge(let limit): "\(url): the response is larger than the \(limit)-byte limit"
        case .cancelled: "\(url): cancelled"
        case .transfer(let code, let message): "\(url): transfer failed (curl \(code)): \(message)"
        }
    }
}
