import Foundation
import Notify
import Testing

@Suite("Delivery exchanges")
struct DeliveryExchangeTests {
    let credentials = Credentials(slackBotToken: "xoxb-1", slackAPIURL: "http://slack.test/api", githubToken: "ghp_1", githubAPIURL: "http://gh.test/")
    let queued = Date(timeIntervalSince1970: 1_800_000_000)

    func answer(_ status: Int, _ json: Any) -> HTTPResponse {
        HTTPResponse(status: status, headers: [], body: try! JSONSerialization.data(withJSONObject: json))
    }

    func sent(_ step: DeliveryExchange.Step) -> HTTPRequest? {
        if case .send(let request) = step { return request }
        return nil
    }

    @Test("the comment carrying the marker is found past the first page of 100 and edited; without it, one is created")
    func commentAcrossPages() throws {
        let comment = PullRequestComment(pullRequest: 12, markdown: "table", context: "perf", moreAt: nil).message(repository: "o/r", occasion: "job1")
        var exchange = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        let first = try #require(sent(exchange.start()))
        #expect(first.method == .get && first.url == "http://gh.test/repos/o/r/issues/12/comments?per_page=100&page=1")
        #expect(first.headers.contains { $0.name == "Authorization" && $0.value == "Bearer ghp_1" })
        let people = (1...100).map { ["id": $0, "body": "a person's comment \($0)"] as [String: Any] }
        let second = try #require(sent(exchange.receive(answer(200, people))))
        #expect(second.url.hasSuffix("&page=2"))
        let mine: [String: Any] = ["id": 4242, "body": "<!-- benchbot:comparison:perf -->\nold", "user": ["login": "BenchBot-User", "type": "User"]]
        let who = try #require(sent(exchange.receive(answer(200, [mine]))))
        #expect(who.method == .get && who.url == "http://gh.test/user")
        let edit = try #require(sent(exchange.receive(answer(200, ["login": "benchbot-user"]))))
        #expect(edit.method == .patch && edit.url == "http://gh.test/repos/o/r/issues/comments/4242" && edit.body == comment.body)
        #expect(exchange.receive(answer(200, ["id": 4242])) == .delivered(receipt: "4242"))

        var fresh = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = fresh.start()
        let create = try #require(sent(fresh.receive(answer(200, [["id": 1, "body": "benchbot:comparison:perf without the marker's brackets"]]))))
        #expect(create.method == .post && create.url == "http://gh.test/repos/o/r/issues/12/comments")
        #expect(fresh.receive(answer(404, ["message": "Not Found"])) == .unsuccessful(answer(404, ["message": "Not Found"])))
    }

    static func comment(_ id: Int, _ body: String, by login: String, app: String? = nil) -> [String: Any] {
        ["id": id, "body": body, "user": ["login": login, "type": app == nil ? "User" : "Bot"],
         "performed_via_github_app": app.map { ["slug": $0] as Any } ?? NSNull()]
    }

    @Test("a comment someone else wrote with BenchBot's marker is left alone: BenchBot edits its own, or posts one")
    func foreignMarkerComment() throws {
        let comment = PullRequestComment(pullRequest: 3, markdown: "table", context: "perf", moreAt: nil).message(repository: "o/r", occasion: "j")
        let marker = "<!-- benchbot:comparison:perf -->"
        let foreign = Self.comment(5, "\(marker) quoting the bot", by: "mallory")
        let ours = Self.comment(9, "\(marker)\nold", by: "benchbot-user")

        var exchange = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = exchange.start()
        #expect(sent(exchange.receive(answer(200, [foreign, ours])))?.url == "http://gh.test/user")
        let edit = try #require(sent(exchange.receive(answer(200, ["login": "benchbot-user"]))))
        #expect(edit.method == .patch && edit.url == "http://gh.test/repos/o/r/issues/comments/9")
        #expect(exchange.githubIdentity == .login("benchbot-user"))

        var alone = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = alone.start()
        _ = alone.receive(answer(200, [foreign]))
        let create = try #require(sent(alone.receive(answer(200, ["login": "benchbot-user"]))))
        #expect(create.method == .post && create.url == "http://gh.test/repos/o/r/issues/3/comments")

        // A configured login asks no one.
        var configured = credentials
        configured.githubLogin = "benchbot-user"
        var known = DeliveryExchange(message: comment, credentials: configured, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = known.start()
        #expect(sent(known.receive(answer(200, [foreign, ours])))?.url == "http://gh.test/repos/o/r/issues/comments/9")

        // An installation token may not read /user: another app's comment refuses the edit, and the next is ours.
        var app = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = app.start()
        let apps = [foreign, Self.comment(6, marker, by: "other[bot]", app: "other"), Self.comment(7, marker, by: "bench[bot]", app: "bench")]
        _ = app.receive(answer(200, apps))
        let first = try #require(sent(app.receive(answer(403, ["message": "Resource not accessible by integration"]))))
        #expect(app.githubIdentity == .app && first.url == "http://gh.test/repos/o/r/issues/comments/6")
        let second = try #require(sent(app.receive(answer(403, ["message": "Resource not accessible by integration"]))))
        #expect(second.method == .patch && second.url == "http://gh.test/repos/o/r/issues/comments/7")
        #expect(app.receive(answer(200, ["id": 7])) == .delivered(receipt: "7"))

        // A token GitHub rejects is not taken for an app.
        var rejected = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = rejected.start()
        _ = rejected.receive(answer(200, [ours]))
        #expect(rejected.receive(answer(401, ["message": "Bad credentials"])) == .unsuccessful(answer(401, ["message": "Bad credentials"])))
    }

    @Test("a rate-limited 403 from GET /user is an unsuccessful answer for the retry policy, not an App token")
    func rateLimitedIdentity() throws {
        let comment = PullRequestComment(pullRequest: 3, markdown: "table", context: "perf", moreAt: nil).message(repository: "o/r", occasion: "j")
        let marker = "<!-- benchbot:comparison:perf -->"
        var exchange = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = exchange.start()
        _ = exchange.receive(answer(200, [Self.comment(6, marker, by: "other[bot]", app: "other")]))
        let limited = HTTPResponse(status: 403, headers: [HTTPHeader(name: "X-RateLimit-Remaining", value: "0"), HTTPHeader(name: "X-RateLimit-Reset", value: "1800000100")],
                                   body: Data(#"{"message": "API rate limit exceeded for user ID 1."}"#.utf8))
        #expect(exchange.receive(limited) == .unsuccessful(limited))
        #expect(exchange.githubIdentity == nil)
    }

    @Test("an App learns its login from its own post and then edits only its comments; with none learned, only an app's [bot] comment is tried")
    func appLearnsLoginFromItsPost() throws {
        let comment = PullRequestComment(pullRequest: 3, markdown: "table", context: "perf", moreAt: nil).message(repository: "o/r", occasion: "j")
        let marker = "<!-- benchbot:comparison:perf -->"
        let other = Self.comment(6, marker, by: "other[bot]", app: "other")
        // A `[bot]` login without an app behind the comment, and an app acting for a person: neither is an App's own comment.
        let botUser = Self.comment(4, marker, by: "legacy[bot]")
        let viaApp = Self.comment(5, marker, by: "carol", app: "helper")
        var first = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = first.start()
        _ = first.receive(answer(200, [botUser, viaApp, other]))
        let tried = try #require(sent(first.receive(answer(403, ["message": "Resource not accessible by integration"]))))
        #expect(tried.method == .patch && tried.url == "http://gh.test/repos/o/r/issues/comments/6")
        let post = try #require(sent(first.receive(answer(403, ["message": "Resource not accessible by integration"]))))
        #expect(post.method == .post)
        #expect(first.receive(answer(201, ["id": 8, "user": ["login": "bench[bot]", "type": "Bot"]])) == .delivered(receipt: "8"))
        #expect(first.githubIdentity == .login("bench[bot]") && credentials.learnedGitHubLogin.value == "bench[bot]")

        var second = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = second.start()
        let edit = try #require(sent(second.receive(answer(200, [other, Self.comment(8, marker, by: "bench[bot]", app: "bench")]))))
        #expect(edit.method == .patch && edit.url == "http://gh.test/repos/o/r/issues/comments/8")
    }

    @Test("a check run found by its external ID is updated without head_sha; a comment list that is not JSON is a transient failure")
    func checkRunAndMalformed() throws {
        let run = CheckRun(name: "bench mark", headSHA: "abc123", status: .completed, conclusion: .failure, title: "1 regression",
                           summary: String(repeating: "x", count: 70_000), detailsURL: "https://site/c.html").message(repository: "o/r", occasion: "job1")
        let fields = try #require(try JSONSerialization.jsonObject(with: run.body) as? [String: Any])
        #expect(((fields["output"] as? [String: Any])?["summary"] as? String)?.count ?? .max <= CheckRun.maximumOutputText)
        var exchange = DeliveryExchange(message: run, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        let list = try #require(sent(exchange.start()))
        #expect(list.url == "http://gh.test/repos/o/r/commits/abc123/check-runs?check_name=bench%20mark&filter=all&per_page=100")
        let update = try #require(sent(exchange.receive(answer(200, ["total_count": 2, "check_runs": [
            ["id": 1, "external_id": "someone-else"], ["id": 2, "external_id": "benchbot:o/r:abc123"]]]))))
        #expect(update.method == .patch && update.url == "http://gh.test/repos/o/r/check-runs/2")
        let body = try #require(try JSONSerialization.jsonObject(with: update.body ?? Data()) as? [String: Any])
        #expect(body["head_sha"] == nil && body["conclusion"] as? String == "failure" && body["name"] as? String == "bench mark")

        let comment = PullRequestComment(pullRequest: 1, markdown: "t", context: "perf", moreAt: nil).message(repository: "o/r", occasion: "j")
        var garbled = DeliveryExchange(message: comment, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = garbled.start()
        let step = garbled.receive(HTTPResponse(status: 200, headers: [], body: Data("<html>".utf8)))
        #expect(step == .failed(reason: "malformed answer for the comments of o/r#1 (HTTP 200): <html>", transient: true))
    }

    @Test("Slack's ok:false is a refusal unless Slack says to try later; a reply goes in its parent's thread")
    func slackWebAPI() throws {
        let message = OutgoingMessage(key: "k1", destination: .slackChannel("C1"), kind: "run-report", body: Data(#"{"text":"hi"}"#.utf8))
        var exchange = DeliveryExchange(message: message, credentials: credentials, parentReceipt: "1700.1", interrupted: false, queuedAt: queued)
        let post = try #require(sent(exchange.start()))
        #expect(post.url == "http://slack.test/api/chat.postMessage")
        let fields = try #require(try JSONSerialization.jsonObject(with: post.body ?? Data()) as? [String: Any])
        #expect(fields["channel"] as? String == "C1" && fields["thread_ts"] as? String == "1700.1" && fields["text"] as? String == "hi")
        #expect(((fields["metadata"] as? [String: Any])?["event_payload"] as? [String: Any])?["key"] as? String == "k1")
        #expect(exchange.receive(answer(200, ["ok": false, "error": "channel_not_found"]))
                == .failed(reason: "Slack refused posting it: channel_not_found", transient: false))

        var busy = DeliveryExchange(message: message, credentials: credentials, parentReceipt: nil, interrupted: false, queuedAt: queued)
        _ = busy.start()
        #expect(busy.receive(answer(200, ["ok": false, "error": "internal_error"])) == .failed(reason: "Slack refused posting it: internal_error", transient: true))

        // After a crash: found in the history by its key, so not posted again.
        var resumed = DeliveryExchange(message: message, credentials: credentials, parentReceipt: nil, interrupted: true, queuedAt: queued)
        let search = try #require(sent(resumed.start()))
        #expect(search.method == .get && search.url.hasPrefix("http://slack.test/api/conversations.history?channel=C1&oldest=1799999940"))
        let found = resumed.receive(answer(200, ["ok": true, "messages": [
            ["ts": "1.1", "metadata": ["event_type": "benchbot_notification", "event_payload": ["key": "other"]]],
            ["ts": "1.2", "metadata": ["event_type": "benchbot_notification", "event_payload": ["key": "k1"]]]]]))
        #expect(found == .delivered(receipt: "1.2"))
    }
}
