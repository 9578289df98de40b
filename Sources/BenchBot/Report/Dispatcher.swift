public import Foundation
public import Logging
public import Notify

/// Sends what the outbox holds: leases what is due, sends each once, and records the outcome
/// before anything else is sent. A destination without credentials gets a file in
/// `results/outbox/` with the exact request body instead.
///
/// Exactly once: a notification is marked `sending` in the store before its request leaves, and
/// settled after the answer. A sender that dies in between leaves it `sending`; the next sender
/// asks a destination that can be asked (GitHub's statuses) whether it arrived, sends again where
/// a second send is harmless, and otherwise marks it `uncertain` for a person to resend.
public struct Dispatcher: Sendable {
    public let store: any Store
    public let settings: NotifySettings
    public let credentials: Credentials
    public let outboxFolder: String
    public var client: HTTPClient
    public let logger: Logger
    let owner = WorkerIdentity.current.description

    public init(store: any Store, settings: NotifySettings, credentials: Credentials, outboxFolder: String,
                client: HTTPClient = HTTPClient(), logger: Logger) {
        self.store = store
        self.settings = settings
        self.credentials = credentials
        self.outboxFolder = outboxFolder
        self.client = client
        self.logger = logger
    }

    /// The dispatcher of a home's configured notifications, with the credentials the settings name.
    ///
    /// - Throws: ``NotifySettingsError`` when a named secret file cannot be read.
    public init(home: Home, settings: NotifySettings, store: any Store, logger: Logger) throws(NotifySettingsError) {
        self.init(store: store, settings: settings,
                  credentials: try settings.credentials(environment: ProcessInfo.processInfo.environment, home: home),
                  outboxFolder: home.outboxDirectory, logger: logger)
    }

    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        public var delivered = 0
        public var written: [String] = []
        public var retrying = 0
        public var failed = 0
    }

    /// Sends everything due now, once.
    public func deliverDue(now: Date = Date()) async throws(StoreError) -> Pass {
        var pass = Pass()
        let due = try await store.claimNotifications(owner: owner, isDead: { WorkerIdentity($0)?.diedOnThisHost ?? false },
                                                     leaseDuration: .seconds(120), now: now, limit: 100)
        let redactor = SecretRedactor(secrets: credentials.secrets)
        for notification in due {
            // A server's words can echo a secret back; they are stored and logged without it.
            let settlement: NotificationSettlement = switch await attempt(notification) {
            case .retry(let at, let reason): .retry(at: at, reason: redactor.redact(reason))
            case .failed(let reason): .failed(reason: redactor.redact(reason))
            case let other: other
            }
            switch settlement {
            case .delivered: pass.delivered += 1
            case .written(let path): pass.written.append(path)
            case .retry(_, let reason):
                pass.retrying += 1
                logger.warning("notification \(notification.id) (\(notification.message.kind)): \(reason); will retry")
            case .failed(let reason):
                pass.failed += 1
                logger.error("notification \(notification.id) (\(notification.message.kind)) failed: \(reason)")
            }
            _ = try await store.settleNotification(id: notification.id, owner: owner, settlement, now: Date())
        }
        return pass
    }

    /// Passes until nothing is left to send, waiting for each retry that falls within `patience`.
    ///
    /// - Returns: Every pass's work together, and how many notifications are still waiting.
    public func drain(patience: TimeInterval) async throws(StoreError) -> (Pass, waiting: Int) {
        var total = Pass()
        let giveUpAt = Date().addingTimeInterval(patience)
        while true {
            let pass = try await deliverDue()
            total.delivered += pass.delivered
            total.written += pass.written
            total.failed += pass.failed
            let waiting = try await store.notifications(in: [.pending], limit: nil)
            guard let next = waiting.map(\.nextAttemptAt).min() else { return (total, 0) }
            guard next <= giveUpAt, !Task.isCancelled else { return (total, waiting.count) }
            // The retry's own time, as the server or the backoff set it: the wait is the protocol, not a guess.
            let wait = next.timeIntervalSinceNow
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
        }
    }

    private func attempt(_ notification: QueuedNotification) async -> NotificationSettlement {
        guard let request = credentials.request(for: notification.message) else { return write(notification) }
        if notification.interrupted, let arrived = await alreadyArrived(notification.message), arrived {
            return .delivered
        }
        let outcome: Result<HTTPResponse, HTTPClientError>
        do { outcome = .success(try await client.execute(request)) } catch { outcome = .failure(error) }
        switch settings.retry.decide(outcome, attempt: notification.attempts, queuedAt: notification.queuedAt, now: Date(),
                                     jitter: Double.random(in: 0..<1)) {
        case .delivered: return .delivered
        case .retry(let at, let reason): return .retry(at: at, reason: reason)
        case .giveUp(let reason): return .failed(reason: reason)
        }
    }

    /// Asks GitHub whether a status sent by a sender that died arrived: the commit's statuses list
    /// it if so. `nil` when the destination cannot be asked or did not answer.
    private func alreadyArrived(_ message: OutgoingMessage) async -> Bool? {
        guard case .github(.post, let path) = message.destination, let range = path.range(of: "/statuses/"),
              let sent = try? JSONSerialization.jsonObject(with: message.body) as? [String: Any] else { return nil }
        let listing = OutgoingMessage(key: message.key, destination: .github(method: .get,
                                      path: path[..<range.lowerBound] + "/commits/" + path[range.upperBound...] + "/statuses"),
                                      kind: message.kind, body: Data())
        guard var request = credentials.request(for: listing) else { return nil }
        request.body = nil
        guard let response = try? await client.execute(request), response.status == 200,
              let statuses = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else { return nil }
        return statuses.contains { status in
            ["state", "context", "description"].allSatisfy { (status[$0] as? String) == (sent[$0] as? String) }
        }
    }

    /// The request body, as it would have been sent, in `results/outbox/<id>-<destination>.json`.
    private func write(_ notification: QueuedNotification) -> NotificationSettlement {
        let name: String = switch notification.message.destination {
        case .slackWebhook: "slack"
        case .github(_, let path): path.contains("/statuses/") ? "github-status" : "github"
        }
        let path = (outboxFolder as NSString).appendingPathComponent("\(notification.id)-\(name)-\(notification.message.kind).json")
        do {
            try FileManager.default.createDirectory(atPath: outboxFolder, withIntermediateDirectories: true)
            try notification.message.body.write(to: URL(fileURLWithPath: path), options: .atomic)
            return .written(path: path)
        } catch {
            return .failed(reason: "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
