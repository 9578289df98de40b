import Foundation
import Hummingbird

/// A server on 127.0.0.1 that impersonates a Slack incoming webhook and GitHub's statuses API,
/// and remembers every request it got.
actor FakeSlackAndGitHub {
    struct Received: Sendable {
        let path: String
        let body: Data
        let authorization: String?
        let at: Date
    }

    /// The answers to Slack posts, in order; 200 once they run out.
    private var slackAnswers: [(status: Int, headers: [String: String])]
    private(set) var slackRequests: [Received] = []
    /// Slack posts it answered 200: the messages people would see.
    private(set) var slackMessages: [Received] = []
    private(set) var statusPosts: [Received] = []

    init(slackAnswers: [(status: Int, headers: [String: String])] = []) {
        self.slackAnswers = slackAnswers
    }

    private func slack(_ received: Received) -> (status: Int, headers: [String: String]) {
        slackRequests.append(received)
        let answer: (status: Int, headers: [String: String]) = slackAnswers.isEmpty ? (200, [:]) : slackAnswers.removeFirst()
        if answer.status == 200 { slackMessages.append(received) }
        return answer
    }

    private func status(_ received: Received) { statusPosts.append(received) }

    /// The statuses posted for a commit, as GitHub lists them: a JSON array.
    private func statuses(of sha: String) -> Data {
        let listed = statusPosts.filter { $0.path.hasSuffix("/statuses/\(sha)") }.compactMap { try? JSONSerialization.jsonObject(with: $0.body) }
        return (try? JSONSerialization.data(withJSONObject: listed)) ?? Data("[]".utf8)
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/slack/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let answer = await self.slack(Received(path: "/slack/hook", body: Data(buffer: body), authorization: nil, at: Date()))
            var headers = HTTPFields()
            for (name, value) in answer.headers { headers[.init(name)!] = value }
            return Response(status: .init(code: answer.status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: answer.status == 200 ? "ok" : "no")))
        }
        router.post("/repos/:owner/:name/statuses/:sha") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            await self.status(Received(path: request.uri.path, body: Data(buffer: body), authorization: request.headers[.authorization], at: Date()))
            return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.get("/repos/:owner/:name/commits/:sha/statuses") { _, context -> Response in
            let data = await self.statuses(of: context.parameters.get("sha") ?? "")
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }
}
