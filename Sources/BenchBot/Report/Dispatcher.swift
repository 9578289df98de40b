public import Foundation
public import Logging
public import Notify

/// Sends what the outbox holds: leases one due message at a time, sends it once, and records
/// the outcome before the next is leased. A destination without credentials gets a file in
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
    /// How long a send may go unrenewed before another sender may decide about it.
    public var leaseDuration: Duration = .seconds(120)

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

    /// Sends everything due now, once; replies whose parent is delivered in this pass go too.
    ///
    /// Each message is claimed (marked `sending`) alone, right before its request leaves, and
    /// settled before the next is claimed: a sender killed mid-request leaves at most that one
    /// message whose fate is unknown, never the ones still waiting behind it.
    public func deliverDue(now: Date = Date()) async throws(StoreError) -> Pass {
        var pass = Pass()
        // What is due is judged against the pass's start: a retry this pass schedules, even "at
        // once", waits for the next pass instead of spinning on a server that keeps refusing.
        let dueBy = max(now, Date())
        while !Task.isCancelled {
            guard let notification = try await store.claimNotifications(
                owner: owner, isDead: { WorkerIdentity($0)?.diedOnThisHost ?? false },
                leaseDuration: leaseDuration, now: dueBy, limit: 1).first
            else { return pass }
            FaultPoint.notificationClaimed.reach()
            let outcome = await withLeaseRenewed(notification.id) { await attempt(notification) }
            FaultPoint.notificationAnswered.reach()
            // A server's words can echo a secret back; they are stored and logged without it. Read
            // after the attempt: it may have minted a GitHub App's installation token.
            let redactor = SecretRedactor(secrets: credentials.secrets)
            let settlement: NotificationSettlement = switch outcome {
            case .retry(let at, let reason): .retry(at: at, reason: redactor.redact(reason))
            case .failed(let reason): .failed(reason: redactor.redact(reason))
            case .uncertain(let reason): .uncertain(reason: redactor.redact(reason))
            case let other: other
            }
            let label = "notification \(notification.id) (\(notification.message.kind) to \(notification.message.destination.summary))"
            // A request that left must have its outcome kept, even on a full disk.
            let store = self.store, owner = self.owner
            let settle = { () async throws(StoreError) -> Bool in
                try await store.settleNotification(id: notification.id, owner: owner, settlement, now: Date())
            }
            let settled = if let reserve { try await reserve.withRoom(settle) } else { try await settle() }
            guard settled else {
                // Another sender took it over (this one looked dead or stalled): its record stands.
                logger.error("\(label) was taken over by another sender while this one was sending it; this attempt's outcome is not recorded")
                continue
            }
            switch settlement {
            case .delivered: pass.delivered += 1
            case .written(let path): pass.written.append(path)
            case .retry(_, let reason):
                pass.retrying += 1
                logger.warning("\(label): \(reason); will retry")
            case .failed(let reason):
                pass.failed += 1
                logger.error("\(label) failed: \(reason)")
            case .uncertain(let reason):
                pass.failed += 1
                logger.error("\(label) left uncertain: \(reason)")
            }
        }
        return pass
    }

    /// Runs `send` while renewing its notification's lease every third of the lease, so that a
    /// send of many slow requests is never taken for a dead one and repeated by another sender.
    private func withLeaseRenewed<Result: Sendable>(_ id: Int64, _ send: () async -> Result) async -> Result {
        let store = self.store, owner = self.owner, logger = self.logger, leaseDuration = self.leaseDuration
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: leaseDuration / 3)
                guard !Task.isCancelled else { return }
                let expires = Date().addingTimeInterval(leaseDuration.seconds)
                if (try? await store.renewNotificationLease(id: id, owner: owner, expiresAt: expires)) == false {
                    logger.warning("notification \(id): its lease was taken over while it was being sent")
                    return
                }
            }
        }
        defer { renewal.cancel() }
        return await send()
    }

    /// The store's spare bytes, when the store is a file.
    private var reserve: StoreReserve? {
        (store as? SQLiteStore).map { StoreReserve(storePath: $0.path) }
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

    /// One attempt: the exchange's requests in turn, until it is delivered or one answer says otherwise.
    private func attempt(_ notification: QueuedNotification) async -> NotificationSettlement {
        guard credentials.canReach(notification.message.destination) else { return write(notification) }
        let credentials: Credentials
        do {
            // A GitHub App's installation token, current for this send; a static token as it is.
            credentials = try await self.credentials.authorized(for: notification.message.destination, using: client)
        } catch {
            return settlement(settings.retry.decide(failure: error.message, transient: error.isTransient, attempt: notification.attempts,
                                                    queuedAt: notification.queuedAt, now: Date(), jitter: Double.random(in: 0..<1)))
        }
        var exchange = DeliveryExchange(message: notification.message, credentials: credentials, parentReceipt: notification.parentReceipt,
                                        interrupted: notification.interrupted, queuedAt: notification.queuedAt)
        var step = exchange.start()
        while case .send(let request) = step {
            do {
                step = exchange.receive(try await client.execute(request))
            } catch {
                return settlement(settings.retry.decide(.failure(error), attempt: notification.attempts, queuedAt: notification.queuedAt,
                                                        now: Date(), jitter: Double.random(in: 0..<1)))
            }
        }
        switch step {
        case .send: preconditionFailure("the loop sends every request")
        case .delivered(let receipt):
            return .delivered(receipt: receipt)
        case .unsuccessful(let response):
            if self.credentials.discardsRefusedToken(response, sentWith: credentials) {
                return settlement(settings.retry.decide(failure: "GitHub refused the App's installation token (HTTP 401); the next attempt "
                                                            + "gets a new one", transient: true, attempt: notification.attempts,
                                                        queuedAt: notification.queuedAt, now: Date(), jitter: Double.random(in: 0..<1)))
            }
            return settlement(settings.retry.decide(.success(response), attempt: notification.attempts, queuedAt: notification.queuedAt,
                                                    now: Date(), jitter: Double.random(in: 0..<1)))
        case .failed(let reason, let transient):
            return settlement(settings.retry.decide(failure: reason, transient: transient, attempt: notification.attempts,
                                                    queuedAt: notification.queuedAt, now: Date(), jitter: Double.random(in: 0..<1)))
        case .unknown(let reason):
            return .uncertain(reason: reason)
        }
    }

    private func settlement(_ decision: DeliveryDecision) -> NotificationSettlement {
        switch decision {
        case .delivered: .delivered(receipt: nil)
        case .retry(let at, let reason): .retry(at: at, reason: reason)
        case .giveUp(let reason): .failed(reason: reason)
        }
    }

    /// The request body, as it would have been sent, in `results/outbox/<id>-<destination>.json`.
    private func write(_ notification: QueuedNotification) -> NotificationSettlement {
        let name: String = switch notification.message.destination {
        case .slackWebhook, .slackChannel: "slack"
        case .github(_, let path): path.contains("/statuses/") ? "github-status" : "github"
        case .githubIssueComment: "github-comment"
        case .githubCheckRun: "github-check-run"
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
