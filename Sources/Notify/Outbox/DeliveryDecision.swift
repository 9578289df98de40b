public import Foundation

/// What to do with a notification after one attempt to deliver it.
public enum DeliveryDecision: Sendable, Hashable {
    /// The server took it; never send it again.
    case delivered
    /// Try again at this time.
    case retry(at: Date, reason: String)
    /// Stop, and record why: the request itself is wrong, or the deadline has passed.
    case giveUp(reason: String)
}

/// When to try a notification again: exponential backoff with full jitter on transient failures
/// (5xx, timeouts, lost connections), the server's own word on rate limits (429, and GitHub's 403
/// with `X-RateLimit-Remaining: 0`), and no retry at all for a request the server rejected.
/// A value with no I/O: the outbox asks it after every attempt.
public struct RetryPolicy: Sendable, Hashable {
    /// The first retry's ceiling; each later one doubles it.
    public var initialBackoff: TimeInterval = 2
    public var maximumBackoff: TimeInterval = 600
    /// How long after it was first queued a notification may still be delivered.
    public var deadline: TimeInterval = 24 * 3600

    public init(initialBackoff: TimeInterval = 2, maximumBackoff: TimeInterval = 600, deadline: TimeInterval = 24 * 3600) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.deadline = deadline
    }

    /// - Parameters:
    ///   - outcome: The response, or why there was none.
    ///   - attempt: Which attempt this was, from 1.
    ///   - queuedAt: When the notification was first queued.
    ///   - now: When the attempt ended.
    ///   - jitter: A value in 0..<1, random in production, fixed in tests.
    public func decide(_ outcome: Result<HTTPResponse, HTTPClientError>, attempt: Int, queuedAt: Date, now: Date, jitter: Double) -> DeliveryDecision {
        let retryAt: Date
        let reason: String
        switch outcome {
        case .success(let response) where (200..<300).contains(response.status):
            return .delivered
        case .success(let response):
            if let limited = rateLimitReset(response, now: now) {
                retryAt = limited
                reason = "rate limited (HTTP \(response.status))"
            } else if response.status >= 500 || response.status == 408 {
                retryAt = now.addingTimeInterval(backoff(attempt: attempt, jitter: jitter))
                reason = "HTTP \(response.status)"
            } else {
                let body = String(decoding: response.body.prefix(300), as: UTF8.self)
                return .giveUp(reason: "HTTP \(response.status): \(body)")
            }
        case .failure(let error):
            guard error.isTransient else { return .giveUp(reason: error.description) }
            retryAt = now.addingTimeInterval(backoff(attempt: attempt, jitter: jitter))
            reason = error.description
        }
        return retrying(at: retryAt, reason: reason, queuedAt: queuedAt)
    }

    /// For a failure that is not an HTTP status: an answer that cannot be read, or an API's
    /// refusal inside a 200. Transient ones back off like a 5xx; the rest give up.
    public func decide(failure reason: String, transient: Bool, attempt: Int, queuedAt: Date, now: Date, jitter: Double) -> DeliveryDecision {
        guard transient else { return .giveUp(reason: reason) }
        return retrying(at: now.addingTimeInterval(backoff(attempt: attempt, jitter: jitter)), reason: reason, queuedAt: queuedAt)
    }

    private func retrying(at retryAt: Date, reason: String, queuedAt: Date) -> DeliveryDecision {
        guard retryAt.timeIntervalSince(queuedAt) <= deadline else {
            return .giveUp(reason: "\(reason); still failing \(Int(deadline)) s after it was queued")
        }
        return .retry(at: retryAt, reason: reason)
    }

    /// Full jitter: a uniform wait between zero and the exponential ceiling, so that many senders
    /// failing at once do not retry at once.
    func backoff(attempt: Int, jitter: Double) -> TimeInterval {
        let ceiling = min(maximumBackoff, initialBackoff * pow(2, Double(max(0, attempt - 1))))
        return max(1, ceiling * min(max(jitter, 0), 1))
    }

    /// When a rate-limited server says to come back: `Retry-After` (seconds or an HTTP date) on a
    /// 429 or 403, or GitHub's `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0.
    ///
    /// The advice is kept within a day: a server answering `Retry-After: 1e999` or a reset in the
    /// year 9999 would otherwise park the notification forever, or store an infinite date.
    func rateLimitReset(_ response: HTTPResponse, now: Date) -> Date? {
        guard response.status == 429 || response.status == 403 else { return nil }
        let latest = now.addingTimeInterval(Self.longestAdvice)
        if let retryAfter = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = TimeInterval(retryAfter), !seconds.isNaN { return now.addingTimeInterval(min(max(0, seconds), Self.longestAdvice)) }
            if let date = Self.httpDate(retryAfter) { return min(max(date, now), latest) }
        }
        if response.header("X-RateLimit-Remaining") == "0", let reset = response.header("X-RateLimit-Reset").flatMap(TimeInterval.init),
           reset.isFinite {
            return min(max(Date(timeIntervalSince1970: reset), now), latest)
        }
        // A 429 without advice still means slow down; a 403 without rate-limit headers is a refusal.
        return response.status == 429 ? now.addingTimeInterval(60) : nil
    }

    /// The longest a server's rate-limit advice is followed, in seconds.
    static let longestAdvice: TimeInterval = 86_400

    /// Parses RFC 9110's preferred date form, `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
