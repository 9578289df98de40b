import Foundation
import Hummingbird
import Notify
import TestHTTPServer
import Testing

@Suite("HTTP client over libcurl")
struct HTTPClientTests {
    /// A handler that never answers until the test ends: the client's deadline or cancellation must end the wait.
    static let (never, neverContinuation) = AsyncStream<Void>.makeStream()

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.init("X-Seen-Agent")!] = request.headers[.userAgent] ?? "-"
            headers[.init("X-Seen-Type")!] = request.headers[.contentType] ?? "-"
            headers[.init("X-RateLimit-Remaining")!] = "0"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: body))
        }
        router.get("/fail") { _, _ -> Response in Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom"))) }
        router.get("/large") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 2 << 20)))
        }
        router.get("/hang") { _, _ -> Response in
            for await _ in never {}
            return Response(status: .ok)
        }
        return router
    }

    @Test("a POST carries its method, headers and body; the response its status, headers and body")
    func post() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let client = HTTPClient()
            let response = try await client.execute(Notify.HTTPRequest(method: .post, url: "\(base)/echo",
                                                                headers: [(name: "Content-Type", value: "application/json")],
                                                                body: Data(#"{"text": "héllo"}"#.utf8)))
            #expect(response.status == 201)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"text": "héllo"}"#)
            #expect(response.header("x-seen-agent") == "BenchBot" && response.header("X-SEEN-TYPE") == "application/json")
            #expect(response.header("X-RateLimit-Remaining") == "0")
        }
    }

    @Test("a 500 is a response, not an error")
    func serverError() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let response = try await HTTPClient().execute(Notify.HTTPRequest(method: .get, url: "\(base)/fail"))
            #expect(response.status == 500 && String(decoding: response.body, as: UTF8.self) == "boom")
        }
    }

    /// Whether `request` fails with an ``HTTPClientError`` that `check` accepts.
    static func fails(_ request: Notify.HTTPRequest, client: HTTPClient = HTTPClient(), _ check: @Sendable (HTTPClientError) -> Bool) async -> Bool {
        let result = await Task { () -> Result<Notify.HTTPResponse, HTTPClientError> in
            do throws(HTTPClientError) { return .success(try await client.execute(request)) } catch { return .failure(error) }
        }.value
        guard case .failure(let error) = result else { return false }
        return check(error) || { Issue.record("unexpected: \(error)"); return false }()
    }

    @Test("a body over the limit and a server that never answers are typed errors")
    func limitsAndDeadlines() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            var small = HTTPClient.Configuration()
            small.maximumBodySize = 1 << 20
            #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: "\(base)/large"), client: HTTPClient(configuration: small)) {
                "\($0)".hasSuffix("the response is larger than the 1048576-byte limit")
            })
            var quick = HTTPClient.Configuration()
            quick.timeout = .milliseconds(300)
            #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: "\(base)/hang"), client: HTTPClient(configuration: quick)) { $0.isTimeout && $0.isTransient })
        }
    }

    @Test("a cancelled task ends its transfer with a typed error")
    func cancellation() async throws {
        try await LoopbackServer.with(Self.router()) { base in
            let task = Task { () -> Result<Notify.HTTPResponse, HTTPClientError> in
                do throws(HTTPClientError) { return .success(try await HTTPClient().execute(Notify.HTTPRequest(method: .get, url: "\(base)/hang"))) } catch { return .failure(error) }
            }
            task.cancel()
            guard case .failure(let error) = await task.value else {
                Issue.record("a cancelled request gave a response")
                return
            }
            #expect("\(error)".hasSuffix(": cancelled"), "\(error)")
        }
    }

    @Test("nothing listening, a scheme other than http(s), and TLS to a plain server are refused with the reason")
    func refusals() async throws {
        #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: "http://127.0.0.1:1/")) { "\($0)".contains("cannot connect") && $0.isTransient })
        #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: "file:///etc/passwd")) { "\($0)".contains("only http and https are fetched") })
        try await LoopbackServer.with(Self.router()) { base in
            let https = base.replacingOccurrences(of: "http://", with: "https://") + "/fail"
            #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: https)) { !$0.isTimeout && ("\($0)".contains("TLS") || "\($0)".contains("curl 35")) })
        }
    }

    @Test("credentials in a URL never reach an error message")
    func redactedURL() async throws {
        #expect(await Self.fails(Notify.HTTPRequest(method: .get, url: "http://bot:s3cret@127.0.0.1:1/")) { !"\($0)".contains("s3cret") })
    }
}
