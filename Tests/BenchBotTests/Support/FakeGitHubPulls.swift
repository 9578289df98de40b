import Foundation
import HTTPTypes
import Hummingbird

/// A server on 127.0.0.1 that answers GitHub's "List pull requests" as GitHub's REST
/// documentation describes it: pages with `Link` headers (the `next` one in GitHub's
/// `/repositories/{id}/pulls` form), a weak `ETag` per page, and 304 with no body to a matching
/// `If-None-Match`. Every request whose method, path, query or headers GitHub would refuse is
/// answered with an error and noted in ``problems``.
actor FakeGitHubPulls {
    /// An open pull request as the list shows it.
    struct PullRequest: Sendable {
        var number: Int
        var headSHA: String
        var headRef: String
        var headRepository: String
        var author: String
        var association: String
        var draft = false
    }

    static let repository = "octo-org/project"
    static let repositoryID = 4242

    let token: String
    /// GitHub's page size is at most 100; this one is smaller so a few pull requests fill several pages.
    let maximumPerPage: Int
    private var open: [PullRequest] = []
    /// `GET path?query` and the status answered, in order.
    private(set) var answers: [(request: String, status: Int)] = []
    private(set) var problems: [String] = []

    init(token: String, maximumPerPage: Int = 1) {
        self.token = token
        self.maximumPerPage = maximumPerPage
    }

    func setOpen(_ pullRequests: [PullRequest]) { open = pullRequests }

    func clearAnswers() { answers = [] }

    private func answer(_ request: Request, base: String) -> Response {
        let query = request.uri.queryParameters
        let label = "\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")"
        var problem: String?
        if request.method != .get { problem = "method \(request.method.rawValue), expected GET" }
        if request.headers[.accept] != "application/vnd.github+json" { problem = "Accept \(request.headers[.accept] ?? "missing")" }
        if request.headers[.authorization] != "Bearer \(token)" { problem = "Authorization is not the token" }
        if request.headers[HTTPField.Name("X-GitHub-Api-Version")!] != "2022-11-28" { problem = "no X-GitHub-Api-Version: 2022-11-28" }
        if query.get("state") != "open" { problem = "state=\(query.get("state") ?? "") (expected open)" }
        let perPage = Int(query.get("per_page") ?? "30") ?? 0, page = Int(query.get("page") ?? "1") ?? 0
        if !(1...100).contains(perPage) || page < 1 { problem = "per_page \(perPage), page \(page)" }
        if let problem {
            problems.append("\(label): \(problem)")
            answers.append((label, 400))
            return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"message": "Bad request"}"#)))
        }
        let size = min(perPage, maximumPerPage)
        let items = Array(open.sorted { $0.number > $1.number }.dropFirst((page - 1) * size).prefix(size))
        let body = try! JSONSerialization.data(withJSONObject: items.map(Self.json), options: [.sortedKeys])
        let etag = "W/\"\(Self.digest(body))\""
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: etag]
        let pages = max(1, (open.count + size - 1) / size)
        if pages > 1 {
            func link(_ number: Int) -> String { "<\(base)/repositories/\(Self.repositoryID)/pulls?state=open&per_page=\(perPage)&page=\(number)>" }
            var links: [String] = []
            if page > 1 { links += [link(page - 1) + "; rel=\"prev\"", link(1) + "; rel=\"first\""] }
            if page < pages { links += [link(page + 1) + "; rel=\"next\"", link(pages) + "; rel=\"last\""] }
            headers[HTTPField.Name("Link")!] = links.joined(separator: ", ")
        }
        if request.headers[.ifNoneMatch] == etag {
            answers.append((label, 304))
            return Response(status: .notModified, headers: headers)
        }
        answers.append((label, 200))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A stable tag of the body, as GitHub's depends only on what it answers.
    private static func digest(_ data: Data) -> String {
        String(data.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 16)
    }

    private static func json(_ pullRequest: PullRequest) -> [String: Any] {
        func repository(_ fullName: String) -> [String: Any] {
            ["full_name": fullName, "name": String(fullName.split(separator: "/").last ?? ""), "fork": fullName != Self.repository,
             "clone_url": "https://github.com/\(fullName).git", "owner": ["login": String(fullName.split(separator: "/").first ?? "")]]
        }
        return [
            "url": "https://api.github.com/repos/\(Self.repository)/pulls/\(pullRequest.number)",
            "id": 1_000 + pullRequest.number, "number": pullRequest.number, "state": "open", "locked": false,
            "title": "Change \(pullRequest.number)", "draft": pullRequest.draft,
            "user": ["login": pullRequest.author, "type": "User"], "author_association": pullRequest.association,
            "head": ["label": "\(pullRequest.headRepository.split(separator: "/")[0]):\(pullRequest.headRef)", "ref": pullRequest.headRef,
                     "sha": pullRequest.headSHA, "repo": repository(pullRequest.headRepository)],
            "base": ["label": "octo-org:main", "ref": "main", "sha": String(repeating: "0", count: 40), "repo": repository(Self.repository)],
        ]
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/repos/octo-org/project/pulls") { request, _ -> Response in
            await self.answer(request, base: Self.base(of: request))
        }
        router.get("/repositories/\(Self.repositoryID)/pulls") { request, _ -> Response in
            await self.answer(request, base: Self.base(of: request))
        }
        return router
    }

    private static func base(of request: Request) -> String { "http://\(request.head.authority ?? "127.0.0.1")" }
}
