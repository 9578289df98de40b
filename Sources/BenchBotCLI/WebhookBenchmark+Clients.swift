import ArgumentParser
import CCurl
import Foundation
import Synchronization

/// One signed delivery, ready to send.
struct SignedDelivery: Sendable {
    let id: String
    let event: String
    let signature: String
    let body: Data
}

/// What one route did under load.
struct LoadResult: Sendable {
    /// Seconds from the first request to the last answer.
    let wall: Double
    /// Seconds per request, sorted.
    let latencies: [Double]
    /// How many answers had each status; 0 for a transfer that failed.
    let statuses: [Int: Int]

    var throughput: Double { Double(latencies.count) / wall }

    init(wall: Double, latencies: [Double], statuses: [Int: Int]) {
        self.wall = wall
        self.latencies = latencies
        self.statuses = statuses
    }

    /// Rounds of one route taken as one run: their requests, answers and time together.
    init(combining rounds: [LoadResult]) {
        wall = rounds.reduce(0) { $0 + $1.wall }
        latencies = rounds.flatMap(\.latencies).sorted()
        statuses = rounds.reduce(into: [:]) { $0.merge($1.statuses, uniquingKeysWith: +) }
    }

    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }
    /// Answered 200: kept (the real route) or taken (the bare one).
    var accepted: Int { statuses[200] ?? 0 }

    func percentile(_ fraction: Double) -> Double {
        latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)]
    }

    var row: String { String(format: "%10.0f  %9.2f  %9.2f", throughput, p50 * 1000, p99 * 1000) }

    var statusSummary: String {
        statuses.keys.sorted().map { "\($0 == 0 ? "failed transfers" : "HTTP \($0)") × \(statuses[$0]!)" }.joined(separator: ", ")
    }
}

/// Concurrent HTTP clients, each on a thread of its own (not Swift's cooperative pool, which the
/// server under test shares) with one libcurl handle, so each keeps one connection alive.
enum LoadClients {
    /// Sends `deliveries[range]` to `url`, each once, from `clients` threads taking the next one as they go.
    ///
    /// - Parameter rate: Requests per second to offer, all clients together: the n-th request is due
    ///   n/rate seconds after the start, and its latency counts from then, so a server that falls
    ///   behind is charged for the wait (no coordinated omission). `nil` sends as fast as answers come.
    static func run(url: String, deliveries: [SignedDelivery], range: Range<Int>, clients: Int, rate: Double? = nil) async throws -> LoadResult {
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        let next = Cursor(range.lowerBound)
        let start = ContinuousClock.now
        let outcomes: [ClientOutcome] = await withCheckedContinuation { continuation in
            let gathered = Gathered(expected: clients, continuation: continuation)
            for _ in 0..<clients {
                let thread = Thread {
                    gathered.add(Self.client(url: url, deliveries: deliveries, range: range, next: next, rate: rate, start: start))
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        }
        let wall = (ContinuousClock.now - start).seconds
        var statuses: [Int: Int] = [:]
        for outcome in outcomes { statuses.merge(outcome.statuses, uniquingKeysWith: +) }
        if let failure = outcomes.compactMap(\.setupFailure).first { throw ValidationError("libcurl could not be set up: \(failure)") }
        return LoadResult(wall: wall, latencies: outcomes.flatMap(\.latencies).sorted(), statuses: statuses)
    }

    private static func client(url: String, deliveries: [SignedDelivery], range: Range<Int>, next: Cursor, rate: Double?,
                               start: ContinuousClock.Instant) -> ClientOutcome {
        var outcome = ClientOutcome()
        guard let handle = curl_easy_init() else {
            outcome.setupFailure = "curl_easy_init failed"
            return outcome
        }
        defer { curl_easy_cleanup(handle) }
        var setup = benchbot_curl_setopt_string(handle, CURLOPT_URL, url)
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(benchbot_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(benchbot_curl_setopt_long(handle, CURLOPT_POST, 1))
        set(benchbot_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        set(benchbot_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 30_000))
        // The answer's body is read and dropped: only its status and time count.
        set(benchbot_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { _, size, count, _ in size * count }))
        guard setup == CURLE_OK else {
            outcome.setupFailure = String(cString: curl_easy_strerror(setup))
            return outcome
        }
        while true {
            let index = next.take()
            guard index < range.upperBound else { break }
            let delivery = deliveries[index]
            var due = ContinuousClock.now
            if let rate {
                due = start + .seconds(Double(index - range.lowerBound) / rate)
                // Pacing an OS thread of the load generator, not synchronising anything.
                if due > ContinuousClock.now { Thread.sleep(forTimeInterval: (due - ContinuousClock.now).seconds) }
            }
            var headers: UnsafeMutablePointer<curl_slist>?
            for line in ["Content-Type: application/json", "User-Agent: GitHub-Hookshot/benchbot-bench", "X-GitHub-Event: \(delivery.event)",
                         "X-GitHub-Delivery: \(delivery.id)", "X-Hub-Signature-256: \(delivery.signature)", "Expect:"] {
                headers = curl_slist_append(headers, line)
            }
            defer { curl_slist_free_all(headers) }
            let started = rate == nil ? ContinuousClock.now : min(due, ContinuousClock.now)
            let code = delivery.body.withUnsafeBytes { bytes -> CURLcode in
                var code = benchbot_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
                if code == CURLE_OK { code = benchbot_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)) }
                // POSTFIELDS does not copy: the bytes are alive until perform returns, inside this closure.
                if code == CURLE_OK { code = benchbot_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress)) }
                return code == CURLE_OK ? curl_easy_perform(handle) : code
            }
            let elapsed = (ContinuousClock.now - started).seconds
            var status = 0
            if code == CURLE_OK { _ = benchbot_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
            outcome.statuses[status, default: 0] += 1
            outcome.latencies.append(elapsed)
        }
        return outcome
    }
}

/// What one client thread measured.
private struct ClientOutcome: Sendable {
    var latencies: [Double] = []
    var statuses: [Int: Int] = [:]
    var setupFailure: String?
}

/// The next delivery to send, shared by the client threads.
private final class Cursor: Sendable {
    private let value: Atomic<Int>

    init(_ start: Int) { value = Atomic(start) }

    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Collects the clients' outcomes and resumes the waiting task once the last one is in.
private final class Gathered: Sendable {
    private let state: Mutex<(outcomes: [ClientOutcome], continuation: CheckedContinuation<[ClientOutcome], Never>?)>
    private let expected: Int

    init(expected: Int, continuation: CheckedContinuation<[ClientOutcome], Never>) {
        self.expected = expected
        state = Mutex(([], continuation))
    }

    func add(_ outcome: ClientOutcome) {
        let finished: (CheckedContinuation<[ClientOutcome], Never>, [ClientOutcome])? = state.withLock { state in
            state.outcomes.append(outcome)
            guard state.outcomes.count == expected, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.outcomes)
        }
        if let (continuation, outcomes) = finished { continuation.resume(returning: outcomes) }
    }
}
