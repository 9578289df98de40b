import BenchBot
import Foundation
import Synchronization
import Testing

extension ServeAPITests {
    @Test("POST /api/v1/enqueue: 403 with no token configured, 401 for a missing or wrong one, 400 naming the field, and with the token, what enqueue queues")
    func enqueue() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 3)
            let main = try await (0..<3).asyncMap { try await fixture.head("main~\(2 - $0)") }
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "feature", main[1])
            let feature = try await fixture.commit("feature work", file: "feature.txt")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "feature")
            let body = Data(#"{"commit": "\#(main[2].prefix(8))"}"#.utf8)

            try await Self.withServer(home: home) { port, store, _ in
                let refused = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: ["Authorization": "Bearer \(Self.apiToken)"], body: body)
                #expect(refused.status == 403 && refused.message?.contains("benchbot.serve.api_token_env") == true, "\(refused.text)")
                #expect(try await store.jobs(in: nil, limit: nil).isEmpty)
            }

            try await Self.withServer(home: home, environment: ["BENCHBOT_API_TOKEN": Self.apiToken]) { port, store, _ in
                for headers in [[:], ["Authorization": "Bearer wrong-token-value"], ["Authorization": "Bearer \(Self.apiToken)x"],
                                ["Authorization": "Bearer \(Self.apiToken.dropLast())"], ["Authorization": "Basic \(Self.apiToken)"],
                                ["Authorization": "Bearer"]] {
                    let answer = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: headers, body: body)
                    #expect(answer.status == 401 && answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(headers): \(answer.text)")
                }
                #expect(try await store.jobs(in: nil, limit: nil).isEmpty, "a refused request queues nothing")
                let get = try await RawHTTP.get("/api/v1/enqueue", port: port)
                #expect(get.status == 405 && get.headers["allow"] == "POST" && get.message?.contains("POST") == true, "\(get.text)")

                let authorized = ["Authorization": "bearer \(Self.apiToken)", "Content-Type": "application/json"]
                for (text, field) in [("not json", "the body is not JSON"), ("[1]", "the body is an array"), (#"{"commit": 5}"#, "commit:"),
                                      (#"{"commit": ""}"#, "commit:"), (#"{"commit": "a", "branch": "b"}"#, "commit, branch, range:"), ("{}", "commit, branch, range:"),
                                      (#"{"commit": "a", "priority": 2000000}"#, "priority:"), (#"{"commit": "a", "priority": 1.5}"#, "priority:"),
                                      (#"{"range": "a..b", "paired": true}"#, "paired:"), (#"{"commit": "a", "paired": "yes"}"#, "paired:"),
                                      (#"{"range": "a..b", "pull_request": 3}"#, "pull_request:"), (#"{"commit": "a", "pull_request": 0}"#, "pull_request:"),
                                      (#"{"commit": "a", "remote": "https://example.invalid/x.git"}"#, "remote: unknown field")] {
                    let answer = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: Data(text.utf8))
                    #expect(answer.status == 400 && answer.message?.hasPrefix(field) == true, "\(text): \(answer.text)")
                    // What the server refuses, the documented schema refuses too.
                    if let body = try? JSONValue.parse(Data(text.utf8)) {
                        #expect(!(try SchemaCheck.problems(body, against: "enqueue-request.schema.json")).isEmpty, "\(text)")
                    }
                }
                #expect(try await store.jobs(in: nil, limit: nil).isEmpty, "a bad body queues nothing")

                let queued = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: body)
                #expect(queued.status == 200, "\(queued.text)")
                try Self.expectConforms(queued, to: "enqueue.schema.json")
                let document = try queued.object()
                #expect(document["queued"] as? [String] == [main[2]] && document["already_known"] as? [String] == [])
                #expect((document["summary"] as? String)?.hasPrefix("commit \(main[2].prefix(10)): queued 1") == true, "\(queued.text)")
                let again = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: body)
                #expect(again.json?["already_known"] as? [String] == [main[2]])

                let pull = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized,
                                                     body: Data(#"{"branch": "feature", "pull_request": 7, "priority": 5}"#.utf8))
                #expect(pull.status == 200 && (pull.json?["queued"] as? [String]) == [feature], "\(pull.text)")
                try Self.expectConforms(pull, to: "enqueue.schema.json")
                for accepted in [body, Data(#"{"branch": "feature", "pull_request": 7, "priority": 5}"#.utf8), Data(#"{"range": "main~2..main"}"#.utf8)] {
                    #expect(try SchemaCheck.problems(JSONValue.parse(accepted), against: "enqueue-request.schema.json") == [])
                }
                let range = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: Data(#"{"range": "main~2..main"}"#.utf8))
                #expect(range.json?["queued"] as? [String] == [main[1]] && (range.json?["already_known"] as? [String]) == [main[2]], "\(range.text)")

                let jobs = try await store.jobs(in: nil, limit: nil)
                #expect(jobs.map(\.commit.hex) == [main[2], feature, main[1]])
                #expect(jobs.allSatisfy { $0.source == .manual && $0.state == .queued })
                let paired = try #require(jobs.first { $0.commit.hex == feature })
                #expect(paired.pullRequest == 7 && paired.baseline?.hex == main[1] && paired.priority == 5 && paired.branch == "feature")

                let unknown = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: Data(#"{"commit": "feedface"}"#.utf8))
                #expect(unknown.status == 404 && unknown.message?.contains("unknown commit or ref 'feedface'") == true, "\(unknown.text)")
                let empty = try await RawHTTP.request("POST", "/api/v1/enqueue", port: port, headers: authorized, body: Data(#"{"range": "main..main~1"}"#.utf8))
                #expect(empty.status == 400 && empty.message?.contains("holds no commits") == true, "\(empty.text)")
            }
        }
    }

    @Test("work run through BlockingWork (fetches, git reads, file reads) leaves Swift's cooperative threads free for other requests")
    func blockingWorkLeavesThePoolFree() async throws {
        // More blocked calls than the pool has threads: were they on it, nothing else could run and release them.
        let count = ProcessInfo.processInfo.activeProcessorCount + 4
        // The watchdog only ends a deadlock; it is long because parallel tests can keep the pool busy
        // for many seconds, and a pool the calls really hold stays held however long one waits.
        let calls = BlockedCalls(count: count, watchdog: .seconds(180))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { await BlockingWork.run { calls.block() } }
            }
            // A task on the cooperative pool: it runs, and sees every call blocked, only if they left the pool free.
            while calls.entered < count, !calls.released { await Task.yield() }
            #expect(calls.entered == count)
            calls.release()
            try await group.waitForAll()
        }
        #expect(!calls.watchdogFired(), "the blocked calls held the cooperative pool until the watchdog released them")
    }
}

/// Calls that block their thread until released; a watchdog thread releases them after a
/// deadline, so that a test whose calls hold every cooperative thread fails instead of hanging.
final class BlockedCalls: Sendable {
    private let count: Int
    private let gate = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let state = Mutex((entered: 0, fired: false))

    init(count: Int, watchdog timeout: Duration) {
        self.count = count
        let seconds = Double(timeout.components.seconds)
        Thread.detachNewThread { [self] in
            guard done.wait(timeout: .now() + seconds) == .timedOut else { return }
            state.withLock { $0.fired = true }
            release()
        }
    }

    var entered: Int { state.withLock { $0.entered } }

    /// Whether the watchdog has released the calls.
    var released: Bool { state.withLock { $0.fired } }

    /// Blocks the calling thread until ``release()``.
    func block() {
        state.withLock { $0.entered += 1 }
        gate.wait()
    }

    func release() {
        for _ in 0..<count { gate.signal() }
    }

    /// Whether the watchdog had to release the calls; stops it otherwise.
    func watchdogFired() -> Bool {
        done.signal()
        return state.withLock { $0.fired }
    }
}
