import Compare
import Foundation
import Hummingbird

/// A Slack webhook and GitHub's commit statuses on 127.0.0.1 that answer slowly and often fail,
/// as real ones do on a bad day, and remember every request and its answer.
actor FlakyEndpoints {
    struct Answered: Sendable {
        let body: Data
        let status: Int
    }

    private var random: SplitMix64
    private let failureRate: Double
    private let maximumDelay: Int
    private(set) var slack: [Answered] = []
    private var statuses: [String: [Data]] = [:]

    /// - Parameter maximumDelay: The longest an answer waits, in milliseconds.
    init(seed: UInt64, failureRate: Double = 0.25, maximumDelay: Int = 150) {
        random = SplitMix64(state: seed)
        self.failureRate = failureRate
        self.maximumDelay = maximumDelay
    }

    /// How many times Slack took (answered 200 to) exactly this body.
    func slackDeliveries(of body: Data) -> Int {
        slack.filter { $0.status == 200 && $0.body == body }.count
    }

    private func nextAnswer() -> (delay: Duration, fails: Bool) {
        let milliseconds = Int(random.next() % UInt64(maximumDelay + 1))
        return (.milliseconds(milliseconds), random.unit() < failureRate)
    }

    private func answerSlack(_ body: Data) -> (delay: Duration, status: Int) {
        let (delay, fails) = nextAnswer()
        let status = fails ? 500 : 200
        slack.append(Answered(body: body, status: status))
        return (delay, status)
    }

    private func answerStatus(sha: String, _ body: Data) -> (delay: Duration, status: Int) {
        let (delay, fails) = nextAnswer()
        if !fails { statuses[sha, default: []].append(body) }
        return (delay, fails ? 502 : 201)
    }

    private func listStatuses(sha: String) -> Data {
        let objects = (statuses[sha] ?? []).compactMap { try? JSONSerialization.jsonObject(with: $0) }
        return (try? JSONSerialization.data(withJSONObject: objects)) ?? Data("[]".utf8)
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/slack/hook") { request, _ -> Response in
            let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let answer = await self.answerSlack(body)
            try await Task.sleep(for: answer.delay)
            return Response(status: .init(code: answer.status), body: .init(byteBuffer: ByteBuffer(string: answer.status == 200 ? "ok" : "no")))
        }
        router.post("/repos/:owner/:name/statuses/:sha") { request, context -> Response in
            let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let answer = await self.answerStatus(sha: context.parameters.get("sha") ?? "", body)
            try await Task.sleep(for: answer.delay)
            return Response(status: .init(code: answer.status), body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        router.get("/repos/:owner/:name/commits/:sha/statuses") { _, context -> Response in
            let list = await self.listStatuses(sha: context.parameters.get("sha") ?? "")
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: list)))
        }
        return router
    }
}

extension SplitMix64 {
    /// A value in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
