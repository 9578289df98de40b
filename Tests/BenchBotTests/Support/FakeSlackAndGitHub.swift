import Foundation
import Hummingbird

/// A server on 127.0.0.1 that impersonates Slack (an incoming webhook and the Web API's
/// `chat.postMessage`, `conversations.history` and `conversations.replies`) and GitHub (commit
/// statuses, issue comments, check runs), keeps what they would keep, and remembers every request.
actor FakeSlackAndGitHub {
    struct Received: Sendable {
        let method: String
        let path: String
        let body: Data
        let authorization: String?
        let at: Date
        var accept: String? = nil
        var apiVersion: String? = nil
        var contentType: String? = nil

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// The answers to webhook posts, in order; 200 once they run out.
    private var slackAnswers: [(status: Int, headers: [String: String])]
    /// When set, every GitHub request gets this answer instead.
    private let githubAnswer: (status: Int, body: String)?
    private(set) var slackRequests: [Received] = []
    /// Webhook posts it answered 200: the messages people would see.
    private(set) var slackMessages: [Received] = []
    /// Web API posts, with the `ts` each got.
    private(set) var slackPosts: [(ts: String, received: Received)] = []
    private(set) var statusPosts: [Received] = []
    private(set) var githubRequests: [Received] = []
    /// The issue comments as GitHub keeps them, by ID, with their issue and author's login.
    private(set) var comments: [Int: (issue: Int, body: String, author: String)] = [:]
    /// Who the token writes as: a user that `GET /user` names, or a GitHub App's `<slug>[bot]`,
    /// whose installation token `GET /user` refuses.
    let githubLogin: String
    private let githubIsApp: Bool
    /// Logins of apps' bots, for comments' `user.type` and `performed_via_github_app`.
    private var appLogins: Set<String> = []
    private var checkRunFields: [Int: [String: Any]] = [:]
    /// The check runs as GitHub keeps them, as JSON objects.
    var checkRuns: [Data] { checkRunFields.keys.sorted().map { Self.encode(checkRunFields[$0]!) } }
    private var nextID = 100
    /// Reactions given, as (comment ID, content).
    private(set) var reactions: [(comment: Int, content: String)] = []
    /// Pull requests `GET /repos/{owner}/{repo}/pulls/{number}` answers with, by number.
    private var pullRequests: [Int: [String: Any]] = [:]
    /// Requests that broke GitHub's REST documentation: headers, or a body field's type or value.
    private(set) var violations: [String] = []

    /// Makes `GET …/pulls/{number}` answer with `pullRequest`.
    func setPullRequest(_ number: Int, _ pullRequest: [String: Any]) { pullRequests[number] = pullRequest }

    /// A request held open: its effect is kept, its answer waits for ``release()``.
    private var hold: (method: String, suffix: String)?
    private var holding = false
    private var arrivalWaiter: CheckedContinuation<Void, Never>?
    private var releaseWaiter: CheckedContinuation<Void, Never>?

    init(slackAnswers: [(status: Int, headers: [String: String])] = [], githubAnswer: (status: Int, body: String)? = nil,
         githubApp: String? = nil) {
        self.slackAnswers = slackAnswers
        self.githubAnswer = githubAnswer
        self.githubLogin = githubApp.map { "\($0)[bot]" } ?? "benchbot-user"
        self.githubIsApp = githubApp != nil
        if githubIsApp { appLogins.insert(githubLogin) }
    }

    /// Someone else's comment on `issue`, as a person or (with `isApp`) another app's bot.
    @discardableResult
    func addComment(issue: Int, body: String, author: String, isApp: Bool = false) -> Int {
        nextID += 1
        comments[nextID] = (issue, body, author)
        if isApp { appLogins.insert(author) }
        return nextID
    }

    /// Holds the next `method` request whose path ends with `suffix`, after its effect and before its answer.
    func hold(_ method: String, pathEndingWith suffix: String) { hold = (method, suffix) }

    /// Returns once the held request has arrived.
    func heldRequestArrived() async {
        if holding { return }
        await withCheckedContinuation { arrivalWaiter = $0 }
    }

    /// Lets the held request be answered.
    func release() {
        holding = false
        releaseWaiter?.resume()
        releaseWaiter = nil
    }

    private func holdIfAsked(_ request: Request) async {
        guard let hold, request.method.rawValue == hold.method, request.uri.path.hasSuffix(hold.suffix) else { return }
        self.hold = nil
        await withCheckedContinuation { continuation in
            releaseWaiter = continuation
            holding = true
            arrivalWaiter?.resume()
            arrivalWaiter = nil
        }
    }

    private func webhook(_ received: Received) -> (status: Int, headers: [String: String]) {
        slackRequests.append(received)
        let answer: (status: Int, headers: [String: String]) = slackAnswers.isEmpty ? (200, [:]) : slackAnswers.removeFirst()
        if answer.status == 200 { slackMessages.append(received) }
        return answer
    }

    private func postMessage(_ received: Received) -> Data { Self.encode(answerPost(received)) }

    private static func encode(_ value: Any) -> Data {
        value is String ? Data((value as! String).utf8) : (try? JSONSerialization.data(withJSONObject: value)) ?? Data()
    }

    private func answerPost(_ received: Received) -> [String: Any] {
        guard received.authorization == "Bearer xoxb-test-token" else { return ["ok": false, "error": "invalid_auth"] }
        guard received.json["channel"] as? String == "C0123456789" else { return ["ok": false, "error": "channel_not_found"] }
        nextID += 1
        let ts = "1700000000.\(nextID)"
        slackPosts.append((ts, received))
        return ["ok": true, "ts": ts, "channel": "C0123456789"]
    }

    private func history(thread: String?) -> Data {
        let posts = slackPosts.filter { ($0.received.json["thread_ts"] as? String) == thread || $0.ts == thread }
        return Self.encode(["ok": true, "messages": posts.map { post -> [String: Any] in
            ["ts": post.ts, "text": post.received.json["text"] ?? "", "metadata": post.received.json["metadata"] ?? [:]]
        }])
    }

    private func github(_ received: Received, parameters: Parameters, query: [String: String]) -> (status: Int, body: Data) {
        let (status, body) = answerGitHub(received, parameters: parameters, query: query)
        return (status, Self.encode(body))
    }

    private func answerGitHub(_ received: Received, parameters: Parameters, query: [String: String]) -> (status: Int, body: Any) {
        githubRequests.append(received)
        if let githubAnswer { return (githubAnswer.status, githubAnswer.body) }
        if let violation = Self.violation(received) {
            violations.append("\(received.method) \(received.path): \(violation)")
            return (422, ["message": "Validation Failed", "errors": [violation]])
        }
        let path = received.path
        switch (received.method, path.split(separator: "/").count) {
        case ("POST", _) where path.contains("/statuses/"):
            statusPosts.append(received)
            return (201, [:])
        case ("GET", _) where path.hasSuffix("/statuses"):
            let sha = parameters.get("sha") ?? ""
            return (200, statusPosts.filter { $0.path.hasSuffix("/statuses/\(sha)") }.map(\.json))
        case ("GET", _) where path.hasSuffix("/comments"):
            let issue = Int(parameters.get("number") ?? "") ?? 0
            let page = Int(query["page"] ?? "1") ?? 1, size = Int(query["per_page"] ?? "30") ?? 30
            let all = comments.filter { $0.value.issue == issue }.sorted { $0.key < $1.key }.map { comment -> [String: Any] in
                let isApp = appLogins.contains(comment.value.author)
                return ["id": comment.key, "body": comment.value.body, "user": ["login": comment.value.author, "type": isApp ? "Bot" : "User"],
                        "performed_via_github_app": isApp ? ["slug": String(comment.value.author.dropLast(5))] as Any : NSNull()]
            }
            return (200, Array(all.dropFirst((page - 1) * size).prefix(size)))
        case ("POST", _) where path.hasSuffix("/comments"):
            nextID += 1
            comments[nextID] = (Int(parameters.get("number") ?? "") ?? 0, received.json["body"] as? String ?? "", githubLogin)
            return (201, ["id": nextID, "user": ["login": githubLogin]])
        case ("PATCH", _) where path.contains("/issues/comments/"):
            guard let id = Int(parameters.get("id") ?? ""), let existing = comments[id] else { return (404, ["message": "Not Found"]) }
            guard existing.author == githubLogin else { return (403, ["message": "Resource not accessible by integration"]) }
            comments[id] = (existing.issue, received.json["body"] as? String ?? "", existing.author)
            return (200, ["id": id])
        case ("POST", _) where path.hasSuffix("/reactions"):
            let id = Int(parameters.get("id") ?? "") ?? 0, content = received.json["content"] as? String ?? ""
            if reactions.contains(where: { $0.comment == id && $0.content == content }) { return (200, ["id": id, "content": content]) }
            reactions.append((id, content))
            return (201, ["id": id, "content": content])
        case ("GET", _) where path.contains("/pulls/"):
            guard let pullRequest = pullRequests[Int(parameters.get("number") ?? "") ?? 0] else { return (404, ["message": "Not Found"]) }
            return (200, pullRequest)
        case ("GET", _) where path == "/user":
            return githubIsApp ? (403, ["message": "Resource not accessible by integration"]) : (200, ["login": githubLogin, "type": "User"])
        case ("GET", _) where path.hasSuffix("/check-runs"):
            let sha = parameters.get("sha") ?? ""
            let runs = checkRunFields.filter { $0.value["head_sha"] as? String == sha && $0.value["name"] as? String == query["check_name"] }
            return (200, ["total_count": runs.count, "check_runs": runs.map { $0.value.merging(["id": $0.key]) { $1 } }])
        case ("POST", _) where path.hasSuffix("/check-runs"):
            nextID += 1
            checkRunFields[nextID] = received.json
            return (201, ["id": nextID])
        case ("PATCH", _) where path.contains("/check-runs/"):
            guard let id = Int(parameters.get("id") ?? ""), let existing = checkRunFields[id] else { return (404, ["message": "Not Found"]) }
            checkRunFields[id] = existing.merging(received.json) { $1 }
            return (200, ["id": id])
        default:
            return (404, ["message": "Not Found"])
        }
    }

    /// What GitHub's REST documentation says a request must carry, for the requests BenchBot makes.
    static func violation(_ received: Received) -> String? {
        guard received.accept == "application/vnd.github+json" else { return "Accept is \(received.accept ?? "missing"), not application/vnd.github+json" }
        guard received.apiVersion == "2022-11-28" else { return "X-GitHub-Api-Version is \(received.apiVersion ?? "missing")" }
        guard received.authorization?.hasPrefix("Bearer ") == true else { return "no bearer token" }
        guard received.method != "GET" else { return nil }
        guard received.contentType?.hasPrefix("application/json") == true else { return "Content-Type is \(received.contentType ?? "missing")" }
        let json = received.json, path = received.path
        if path.contains("/statuses/") {
            guard let state = json["state"] as? String, ["error", "failure", "pending", "success"].contains(state) else { return "status state \(json["state"] ?? "missing")" }
            if let description = json["description"] { guard (description as? String)?.count ?? .max <= 140 else { return "description over 140" } }
            guard json["context"] is String else { return "context missing" }
        } else if path.hasSuffix("/reactions") {
            let allowed = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
            guard let content = json["content"] as? String, allowed.contains(content) else { return "reaction content \(json["content"] ?? "missing")" }
        } else if path.hasSuffix("/comments") || path.contains("/issues/comments/") {
            guard let body = json["body"] as? String, !body.isEmpty, body.count <= 65_536 else { return "comment body missing or too long" }
        } else if path.contains("/check-runs") {
            guard json["name"] is String || received.method == "PATCH" else { return "check run name missing" }
            if let status = json["status"] { guard ["queued", "in_progress", "completed"].contains(status as? String ?? "") else { return "check run status \(status)" } }
            if let conclusion = json["conclusion"] {
                guard ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"].contains(conclusion as? String ?? "") else {
                    return "check run conclusion \(conclusion)"
                }
            }
        }
        return nil
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        @Sendable func received(_ request: Request) async throws -> Received {
            let body = try await request.body.collect(upTo: 1 << 20)
            return Received(method: request.method.rawValue, path: request.uri.path, body: Data(buffer: body),
                            authorization: request.headers[.authorization], at: Date(), accept: request.headers[.accept],
                            apiVersion: request.headers[.init("X-GitHub-Api-Version")!], contentType: request.headers[.contentType])
        }
        @Sendable func json(_ status: Int, _ data: Data) -> Response {
            Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/slack/hook") { request, _ -> Response in
            let answer = await self.webhook(try await received(request))
            await self.holdIfAsked(request)
            var headers = HTTPFields()
            for (name, value) in answer.headers { headers[.init(name)!] = value }
            return Response(status: .init(code: answer.status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: answer.status == 200 ? "ok" : "no")))
        }
        router.post("/slack/api/chat.postMessage") { request, _ -> Response in
            let answer = await self.postMessage(try await received(request))
            await self.holdIfAsked(request)
            return json(200, answer)
        }
        for method in ["conversations.history", "conversations.replies"] {
            router.get("/slack/api/\(method)") { request, _ -> Response in
                json(200, await self.history(thread: request.uri.queryParameters.get("ts")))
            }
        }
        let githubRoutes: [(HTTPRequest.Method, String)] = [
            (.post, "/repos/:owner/:name/statuses/:sha"), (.get, "/repos/:owner/:name/commits/:sha/statuses"),
            (.get, "/repos/:owner/:name/issues/:number/comments"), (.post, "/repos/:owner/:name/issues/:number/comments"),
            (.patch, "/repos/:owner/:name/issues/comments/:id"),
            (.get, "/repos/:owner/:name/commits/:sha/check-runs"), (.post, "/repos/:owner/:name/check-runs"),
            (.patch, "/repos/:owner/:name/check-runs/:id"), (.get, "/user"),
            (.post, "/repos/:owner/:name/issues/comments/:id/reactions"), (.get, "/repos/:owner/:name/pulls/:number"),
        ]
        for (method, path) in githubRoutes {
            router.on(RouterPath(path), method: method) { request, context -> Response in
                var query: [String: String] = [:]
                for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
                let answer = await self.github(try await received(request), parameters: context.parameters, query: query)
                await self.holdIfAsked(request)
                return json(answer.status, answer.body)
            }
        }
        return router
    }
}
