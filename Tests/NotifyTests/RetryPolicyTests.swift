import Foundation
import Notify
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let queued = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { queued.addingTimeInterval(10) }

    func response(_ status: Int, _ headers: [String: String] = [:], body: String = "") -> Result<HTTPResponse, HTTPClientError> {
        .success(HTTPResponse(status: status, headers: headers.map { HTTPHeader(name: $0.key, value: $0.value) }, body: Data(body.utf8)))
    }

    @Test("2xx is delivered; a rejected request is given up at once, with the server's words")
    func deliveredAndRejected() {
        let policy = RetryPolicy()
        #expect(policy.decide(response(200), attempt: 1, queuedAt: queued, now: now, jitter: 0.5) == .delivered)
        #expect(policy.decide(response(204), attempt: 3, queuedAt: queued, now: now, jitter: 0.5) == .delivered)
        #expect(policy.decide(response(400, body: "invalid_blocks"), attempt: 1, queuedAt: queued, now: now, jitter: 0.5)
                == .giveUp(reason: "HTTP 400: invalid_blocks"))
        #expect(policy.decide(response(403, body: "Resource not accessible by integration"), attempt: 1, queuedAt: queued, now: now, jitter: 0.5)
                == .giveUp(reason: "HTTP 403: Resource not accessible by integration"))
    }

    @Test("5xx backs off exponentially with full jitter, capped")
    func backoff() {
        let policy = RetryPolicy(initialBackoff: 2, maximumBackoff: 600)
        #expect(policy.decide(response(500), attempt: 1, queuedAt: queued, now: now, jitter: 1) == .retry(at: now.addingTimeInterval(2), reason: "HTTP 500"))
        #expect(policy.decide(response(503), attempt: 4, queuedAt: queued, now: now, jitter: 0.5) == .retry(at: now.addingTimeInterval(8), reason: "HTTP 503"))
        #expect(policy.decide(response(502), attempt: 30, queuedAt: queued, now: now, jitter: 1) == .retry(at: now.addingTimeInterval(600), reason: "HTTP 502"))
        // Never sooner than a second, even with zero jitter.
        #expect(policy.decide(response(500), attempt: 1, queuedAt: queued, now: now, jitter: 0) == .retry(at: now.addingTimeInterval(1), reason: "HTTP 500"))
    }

    @Test("rate limits: Retry-After in seconds or as a date, and GitHub's reset time on a 403")
    func rateLimits() {
        let policy = RetryPolicy()
        #expect(policy.decide(response(429, ["Retry-After": "30"]), attempt: 1, queuedAt: queued, now: now, jitter: 0.5)
                == .retry(at: now.addingTimeInterval(30), reason: "rate limited (HTTP 429)"))
        // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT.
        #expect(policy.decide(response(429, ["retry-after": "Fri, 15 Jan 2027 08:00:10 GMT"]), attempt: 1, queuedAt: queued,
                              now: queued, jitter: 0.5)
                == .retry(at: Date(timeIntervalSince1970: 1_800_000_010), reason: "rate limited (HTTP 429)"))
        #expect(policy.decide(response(429, ["Retry-After": "Fri, 15 Jan 2027 07:59:00 GMT"]), attempt: 1, queuedAt: queued,
                              now: queued, jitter: 0.5)
                == .retry(at: queued, reason: "rate limited (HTTP 429)"), "a date in the past means now")
        let reset = now.addingTimeInterval(120).timeIntervalSince1970
        #expect(policy.decide(response(403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Int(reset))]), attempt: 1, queuedAt: queued, now: now, jitter: 0.5)
                == .retry(at: Date(timeIntervalSince1970: Double(Int(reset))), reason: "rate limited (HTTP 403)"))
        #expect(RetryPolicy.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        // Absurd advice is followed for a day at most, and never becomes an infinite date.
        let day = queued.addingTimeInterval(86_400)
        for advice in ["1e999", "inf", "99999999999", "Fri, 31 Dec 9999 23:59:59 GMT"] {
            #expect(policy.decide(response(429, ["Retry-After": advice]), attempt: 1, queuedAt: queued, now: queued, jitter: 0.5)
                    == .retry(at: day, reason: "rate limited (HTTP 429)"), "\(advice)")
        }
        #expect(policy.decide(response(403, ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e999"]), attempt: 1, queuedAt: queued,
                              now: queued, jitter: 0.5) == .giveUp(reason: "HTTP 403: "), "an infinite reset is no advice: a refusal")
    }

    @Test("transient errors retry; others and anything past the deadline give up")
    func errorsAndDeadline() async throws {
        let policy = RetryPolicy(deadline: 3600)
        let refused = try #require(await failure("http://127.0.0.1:1/"))
        guard case .retry = policy.decide(.failure(refused), attempt: 1, queuedAt: queued, now: now, jitter: 0.5) else {
            Issue.record("a refused connection is not retried")
            return
        }
        let late = queued.addingTimeInterval(3599)
        guard case .giveUp(let reason) = policy.decide(response(500), attempt: 9, queuedAt: queued, now: late, jitter: 1) else {
            Issue.record("a retry past the deadline was planned")
            return
        }
        #expect(reason == "HTTP 500; still failing 3600 s after it was queued")
        let invalid = try #require(await failure("ftp://example.invalid/"))
        guard case .giveUp = policy.decide(.failure(invalid), attempt: 1, queuedAt: queued, now: now, jitter: 0.5) else {
            Issue.record("a URL that can never work is retried")
            return
        }
    }

    /// The error of a request that cannot succeed; `nil` if it somehow did.
    func failure(_ url: String) async -> HTTPClientError? {
        do throws(HTTPClientError) {
            _ = try await HTTPClient().execute(Notify.HTTPRequest(method: .get, url: url))
            return nil
        } catch {
            return error
        }
    }
}
