public import Foundation
public import Hummingbird

/// GitHub's side of a GitHub App's authentication, as its REST documentation describes it:
/// `GET /repos/{owner}/{repo}/installation`, `POST /app/installations/{id}/access_tokens` and
/// `GET /app`, each refusing a JSON web token that does not verify (401, "A JSON web token could
/// not be decoded"). It remembers every request, and hands out `ghs_fake_token_1`, `_2`…
///
/// The test checks the token's signature: this target knows no cryptography.
public actor FakeGitHubApp {
    public struct Received: Sendable {
        public let method: String
        public let path: String
        public let accept: String?
        public let authorization: String?
        public let apiVersion: String?
        /// Whether the Bearer token verified.
        public let verified: Bool
    }

    public let appID: Int
    public let slug: String
    public let installationID: Int
    public let repository: String
    /// Whether a Bearer token is the App's JSON web token, signed with its key.
    private let verify: @Sendable (String) -> Bool
    /// When each token handed out expires, from when it is asked for.
    private let expiry: @Sendable () -> Date
    /// An answer the token endpoint gives instead, once per entry, before the real ones.
    private var tokenAnswers: [(status: Int, body: String)]
    public private(set) var requests: [Received] = []
    public private(set) var tokens: [String] = []

    /// A request held open before its answer, until ``release()``.
    private var holdNextTokenRequest = false
    private var arrivalWaiter: CheckedContinuation<Void, Never>?
    private var releaseWaiter: CheckedContinuation<Void, Never>?
    private var held = false

    public init(appID: Int = 12345, slug: String = "benchbot-app", installationID: Int = 4242, repository: String = "octo-org/project",
                tokenAnswers: [(status: Int, body: String)] = [],
                expiry: @escaping @Sendable () -> Date = { Date().addingTimeInterval(3600) },
                verify: @escaping @Sendable (String) -> Bool) {
        self.appID = appID
        self.slug = slug
        self.installationID = installationID
        self.repository = repository
        self.tokenAnswers = tokenAnswers
        self.expiry = expiry
        self.verify = verify
    }

    /// The token requests received so far.
    public var tokenRequests: [Received] { requests.filter { $0.path.hasSuffix("/access_tokens") } }

    /// Holds the next token request before its answer.
    public func holdNextTokenRequest(_ hold: Bool = true) { holdNextTokenRequest = hold }

    /// Returns once the held token request has arrived.
    public func heldRequestArrived() async {
        if held { return }
        await withCheckedContinuation { arrivalWaiter = $0 }
    }

    /// Lets the held request be answered.
    public func release() {
        held = false
        releaseWaiter?.resume()
        releaseWaiter = nil
    }

    private func record(_ request: Request) -> Received {
        let authorization = request.headers[.authorization]
        let bearer = authorization.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let received = Received(method: request.method.rawValue, path: request.uri.path, accept: request.headers[.accept],
                                authorization: authorization, apiVersion: request.headers[.init("X-GitHub-Api-Version")!],
                                verified: bearer.map(verify) ?? false)
        requests.append(received)
        return received
    }

    private static let undecodable = (401, #"{"message":"A JSON web token could not be decoded","documentation_url":"https://docs.github.com/rest","status":"401"}"#)

    private func installation(_ request: Request, owner: String, name: String) -> (Int, String) {
        guard record(request).verified else { return Self.undecodable }
        guard "\(owner)/\(name)" == repository else { return (404, #"{"message":"Not Found","status":"404"}"#) }
        return (200, Self.json(["id": installationID, "app_id": appID, "app_slug": slug, "target_type": "Organization",
                                "access_tokens_url": "/app/installations/\(installationID)/access_tokens", "repository_selection": "selected"]))
    }

    private func accessToken(_ request: Request, installation: String) async -> (Int, String) {
        let received = record(request)
        if holdNextTokenRequest {
            holdNextTokenRequest = false
            await withCheckedContinuation { continuation in
                releaseWaiter = continuation
                held = true
                arrivalWaiter?.resume()
                arrivalWaiter = nil
            }
        }
        if !tokenAnswers.isEmpty { return tokenAnswers.removeFirst() }
        guard received.verified else { return Self.undecodable }
        guard installation == String(installationID) else { return (404, #"{"message":"Not Found","status":"404"}"#) }
        let token = "ghs_fake_token_\(tokens.count + 1)"
        tokens.append(token)
        return (201, Self.json(["token": token, "expires_at": expiry().formatted(.iso8601),
                                "permissions": ["checks": "write", "statuses": "write"], "repository_selection": "selected"]))
    }

    private func app(_ request: Request) -> (Int, String) {
        guard record(request).verified else { return Self.undecodable }
        return (200, Self.json(["id": appID, "slug": slug, "name": "BenchBot App", "client_id": "Iv23liFake"]))
    }

    private static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    /// Adds its routes to `router`, beside others (a fake of GitHub's statuses, say).
    public nonisolated func addRoutes(to router: Router<BasicRequestContext>) {
        @Sendable func respond(_ answer: (Int, String)) -> Response {
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .init(code: answer.0), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.1)))
        }
        router.get("/repos/:owner/:name/installation") { request, context -> Response in
            respond(await self.installation(request, owner: context.parameters.get("owner") ?? "", name: context.parameters.get("name") ?? ""))
        }
        router.post("/app/installations/:id/access_tokens") { request, context -> Response in
            respond(await self.accessToken(request, installation: context.parameters.get("id") ?? ""))
        }
        router.get("/app") { request, _ -> Response in respond(await self.app(request)) }
    }

    /// A router with its routes alone.
    public nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router)
        return router
    }
}
