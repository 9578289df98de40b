import BenchBot
import Foundation
import Logging
import Notify
import TestHTTPServer
import Testing

@Suite("Outbox durability")
struct OutboxDurabilityTests {
    /// A home whose outbox holds `count` Slack webhook messages, `message 1` to `message N`.
    static func homeWithMessages(in root: String, server: String, count: Int) async throws -> RunnerFixture {
        let fixture = try await RunnerFixture.make(in: root, commits: 1)
        try fixture.setNotify(NotificationTests.notifyConfig(server: server))
        let messages = (1...count).map { index in
            OutgoingMessage(key: "test-\(index)", destination: .slackWebhook, kind: "test",
                            body: Data(#"{"text": "message \#(index)"}"#.utf8))
        }
        try await fixture.store().enqueueNotifications(messages, now: Date())
        return fixture
    }

    static func texts(_ requests: [FakeSlackAndGitHub.Received]) -> [String: Int] {
        requests.reduce(into: [:]) { counts, request in counts[request.json["text"] as? String ?? "?", default: 0] += 1 }
    }

    @Test("a send that outlasts its lease keeps it: another sender never takes it for dead, and the message arrives once")
    func leaseRenewedWhileSending() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let fixture = try await Self.homeWithMessages(in: root, server: server, count: 1)
                let store = try fixture.store()
                let settings = try #require(try HomeConfig.load(from: Home(root: fixture.home)).benchbot.notify)
                var dispatcher = Dispatcher(store: store, settings: settings, credentials: Credentials(slackWebhookURL: "\(server)/slack/hook"),
                                            outboxFolder: root.appending(path: "outbox"), logger: Logger(label: "test"))
                dispatcher.leaseDuration = .milliseconds(1500)
                await fake.hold("POST", pathEndingWith: "/slack/hook")
                let sending = Task { [dispatcher] in try await dispatcher.deliverDue() }
                try await withDeadline(.seconds(60), "the Slack request reaching the server") { await fake.heldRequestArrived() }
                let claimed = try #require(try await store.notifications(in: [.sending], limit: nil).first?.leaseExpiresAt)
                    .addingTimeInterval(-1.5)
                // The lease is renewed past twice its length while Slack holds the answer; another
                // sender then looks at a moment the first lease is long over. The moment is chosen,
                // not waited for, so that a loaded machine's late renewal cannot fail the test.
                let later = claimed.addingTimeInterval(3.0)
                #expect(await eventually { (try? await store.notifications(in: [.sending], limit: nil).first?.leaseExpiresAt).flatMap { $0 }.map { $0 > later } == true })
                let other = try await store.claimNotifications(owner: "another-sender", isDead: { _ in false }, leaseDuration: .seconds(1),
                                                               now: later, limit: 10)
                #expect(other.isEmpty)
                let states = try await store.notifications(in: nil, limit: nil).map(\.state)
                #expect(states == [.sending], "still this sender's: \(states)")
                await fake.release()
                let pass = try await sending.value
                #expect(pass.delivered == 1)
                #expect(try await store.notifications(in: nil, limit: nil).map(\.state) == [.delivered])
                #expect(await fake.slackMessages.count == 1)
            }
        }
    }

    @Test("notify killed while Slack holds its first request: only that one is in doubt, every other message arrives exactly once")
    func killedMidSend() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub()
            try await LoopbackServer.with(fake.router()) { server in
                let fixture = try await Self.homeWithMessages(in: root, server: server, count: 5)
                let store = try fixture.store()
                await fake.hold("POST", pathEndingWith: "/slack/hook")
                let notify = try KillableBenchBot(["notify", "--home", fixture.home, "--wait", "0"], environment: LeaseTests.environment(server))
                try await withDeadline(.seconds(60), "the first Slack request reaching the server") { await fake.heldRequestArrived() }

                // Only the message whose request has left is marked as being sent.
                let sending = try await store.notifications(in: [.sending], limit: nil)
                #expect(sending.count == 1, "\(sending.map(\.id))")
                notify.kill()
                _ = try await notify.finish()
                await fake.release()

                let again = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "0"], environment: LeaseTests.environment(server))
                let counts = Self.texts(await fake.slackRequests)
                #expect(counts == Dictionary(uniqueKeysWithValues: (1...5).map { ("message \($0)", 1) }), "\(counts)")
                let states = try await store.notifications(in: nil, limit: nil).map(\.state)
                #expect(states.filter { $0 == .delivered }.count == 4 && states.filter { $0 == .uncertain }.count == 1, "\(states)")
                // The one in doubt is reported, and cron sees a failure.
                #expect(again.status == 1, "\(again.standardOutput)\(again.standardError)")
                #expect(again.standardError.contains("uncertain") && again.standardError.contains("--retry --uncertain"), "\(again.standardError)")
            }
        }
    }

    @Test("notify exits 1 and names each notification an earlier pass left failed, until it is sent again")
    func earlierFailureIsReported() async throws {
        try await withTemporaryDirectory { root in
            let fake = FakeSlackAndGitHub(slackAnswers: [(400, [:])])
            try await LoopbackServer.with(fake.router()) { server in
                let fixture = try await Self.homeWithMessages(in: root, server: server, count: 1)
                let environment = LeaseTests.environment(server)
                let first = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "0"], environment: environment)
                #expect(first.status == 1, "\(first.standardOutput)\(first.standardError)")

                let second = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "0"], environment: environment)
                #expect(second.status == 1, "\(second.standardOutput)\(second.standardError)")
                #expect(second.standardError.contains("notification 1 (test to Slack webhook) failed: HTTP 400"), "\(second.standardError)")

                let retried = try await BenchBotProcess.run(["notify", "--home", fixture.home, "--wait", "0", "--retry"], environment: environment)
                #expect(retried.status == 0, "\(retried.standardOutput)\(retried.standardError)")
                #expect(await fake.slackMessages.count == 1)
            }
        }
    }
}
