import Foundation

/// An HTTP client over libcurl, for the notifiers' few requests.
///
/// Each transfer blocks a thread of its own, off Swift's cooperative pool. TLS verification is
/// always on; proxies come from the usual environment variables (`https_proxy`, `no_proxy`),
/// which libcurl reads itself. Redirects are not followed: an API that redirects a notification
/// is misconfigured, and the response says so.
public struct HTTPClient: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var connectTimeout: Duration = .seconds(10)
        /// The whole request, connection included.
        public var timeout: Duration = .seconds(30)
        /// A PEM bundle of the CAs to trust instead of the system's, for GitHub Enterprise behind a private CA.
        public var caBundle: String?
        /// The largest response body read; a larger one is an error.
        public var maximumBodySize: Int = 4 << 20
        public var userAgent: String = "BenchBot"

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sends a request and waits for the whole response.
    ///
    /// - Parameter request: The request.
    /// - Returns: The response, whatever its status: a 500 is an answer, not an error.
    /// - Throws: ``HTTPClientError`` when there is no response: no connection, a timeout, failed
    ///   TLS verification, a body over the limit, or the task was cancelled.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let configuration = self.configuration
        let cancellation = CancellationFlag()
        let result: Result<HTTPResponse, HTTPClientError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    guard let transfer = CurlTransfer(limit: configuration.maximumBodySize, cancellation: cancellation) else {
                        continuation.resume(returning: .failure(.transfer(request.url, code: -1, "libcurl could not create a handle")))
                        return
                    }
                    continuation.resume(returning: transfer.perform(request, configuration))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
