import Foundation
import Logging
import Notify
import Synchronization

/// Applies kept deliveries, oldest first: reads each, stores its effects in one transaction, and
/// sends what that queued. Deliveries kept before a crash are applied after the restart.
struct DeliveryProcessor: Sendable {
    let intake: GitHubIntake
    let store: any Store
    let notify: NotifySettings?
    /// Read once, from the server's environment.
    let credentials: Credentials?
    let home: Home
    let kick: DeliveryKick
    let logger: Logger

    /// A delivery that cannot be applied (GitHub or the network down) is tried this many times,
    /// with growing pauses (30 s, 1 min, 2 min, … about 2 hours in all), then marked failed.
    static let maximumAttempts = 8
    /// The longest an idle processor waits before looking again, for retries that fell due.
    static let idleWait: Duration = .seconds(30)

    /// How long a busy processor lets deliveries gather before its next pass. Each pass admits its
    /// deliveries from the intake with one sync of it, and applies them in one transaction that
    /// holds the store's only writer, which a worker recording a run waits for: a few passes a
    /// second under a burst, not one per delivery. (Answers wait for neither since the intake is
    /// a log of its own; 10 ms measured no better than 100 ms in `bench webhooks`.) Idle, a
    /// delivery is applied at once.
    static let batchWindow: Duration = .milliseconds(100)
    /// The most deliveries one pass reads and applies together.
    static let batchSize = 200

    func run() async throws {
        while !Task.isCancelled {
            let applied = await applyDue(passes: 1)
            // Bisections move on as the worker measures their midpoints, which no delivery announces.
            let advanced = await intake.advanceBisections()
            for line in advanced { logger.info("\(line)") }
            if applied > 0 || !advanced.isEmpty { await sendQueued() }
            // More may be due already: look again after the window, not at the next kick.
            if applied > 0 {
                try? await Task.sleep(for: Self.batchWindow)
                continue
            }
            await kick.wait(upTo: Self.idleWait)
        }
    }

    /// Applies the deliveries due now, a pass of at most ``batchSize`` at a time.
    ///
    /// - Parameter passes: How many passes at most; by default, until none is due.
    /// - Returns: How many were looked at.
    @discardableResult
    func applyDue(passes: Int = .max) async -> Int {
        var handled = 0
        for _ in 0..<passes where !Task.isCancelled {
            let due: [WebhookDelivery]
            do {
                due = try await store.dueDeliveries(now: Date(), limit: Self.batchSize)
            } catch {
                // Stopping cancels a read under way: not news, and the deliveries stay for the next start.
                if !Task.isCancelled { logger.error("deliveries not read: \(error)") }
                return handled
            }
            if due.isEmpty { return handled }
            var ready: [(delivery: WebhookDelivery, effects: DeliveryEffects)] = []
            for delivery in due {
                // Working out a pull request's, a comment's or a check run's effects reads the
                // store (the jobs a rerun repeats, a head measured before), so it must see what
                // the deliveries before it did. A push's reads only git.
                if !Self.readsOnlyGit(delivery), !ready.allSatisfy(\.effects.isInert) {
                    await store(ready)
                    ready = []
                }
                if let effects = await effects(of: delivery) { ready.append((delivery, effects)) }
            }
            await store(ready)
            handled += due.count
        }
        return handled
    }

    /// What a delivery asks for; `nil`, with the attempt recorded, when GitHub or the network
    /// failed it.
    private func effects(of delivery: WebhookDelivery) async -> DeliveryEffects? {
        do {
            return try await intake.effects(of: delivery)
        } catch {
            let attempts = delivery.attempts + 1
            let retryAt: Date? = error.transient && attempts < Self.maximumAttempts
                ? Date().addingTimeInterval(30 * pow(2, Double(attempts - 1))) : nil
            logger.warning("\(Self.label(delivery)): \(error)\(retryAt == nil ? "; given up" : "; trying again later")")
            // A maintainer's command given up on is answered, not dropped in silence.
            if retryAt == nil, let answer = intake.givenUp(delivery, reason: error.message) {
                _ = try? await store.applyEffects(answer, now: Date())
            }
            try? await store.deferDelivery(id: delivery.id, reason: error.message, retryAt: retryAt, now: Date())
            return nil
        }
    }

    /// Stores a pass's effects in one transaction. When that fails, each delivery is tried alone,
    /// so one the store cannot take does not hold back the others; it stays received and is tried
    /// again on the next pass.
    private func store(_ ready: [(delivery: WebhookDelivery, effects: DeliveryEffects)]) async {
        guard !ready.isEmpty else { return }
        do {
            let applied = try await store.applyDeliveries(ready.map { ($0.delivery.id, $0.effects) }, now: Date())
            for (item, outcome) in zip(ready, applied) { log(item.delivery, item.effects, outcome) }
        } catch {
            guard ready.count > 1 else {
                logger.error("\(Self.label(ready[0].delivery)): not applied: \(error)")
                return
            }
            for item in ready { await store([item]) }
        }
    }

    private func log(_ delivery: WebhookDelivery, _ effects: DeliveryEffects, _ applied: AppliedDelivery) {
        guard applied.applied else { return }
        let queued = applied.enqueued.reduce(0) { $0 + $1.queued.count + $1.requeued.count }
        let line = "\(Self.label(delivery)): \(effects.outcome)" + (queued > 0 ? "; \(queued) job(s) queued" : "")
            + (applied.cancelled > 0 ? "; \(applied.cancelled) job(s) cancelled" : "")
        logger.info("\(line)")
    }

    private static func readsOnlyGit(_ delivery: WebhookDelivery) -> Bool {
        delivery.event == "push" || delivery.event == "ping"
    }

    private static func label(_ delivery: WebhookDelivery) -> String {
        "delivery \(delivery.id) (\(delivery.label))"
    }

    /// Sends the statuses, comments and reactions the deliveries queued.
    func sendQueued() async {
        guard let notify, let credentials else { return }
        do {
            let pass = try await Dispatcher(store: store, settings: notify, credentials: credentials, outboxFolder: home.outboxDirectory,
                                            logger: logger).deliverDue()
            if pass.failed > 0 { logger.warning("\(pass.failed) notification(s) failed; benchbot status shows why") }
        } catch {
            // Stopping cancels the pass: what it did not send stays queued for the next start.
            guard !Task.isCancelled else { return }
            logger.error("notifications not sent: \(error)")
        }
    }
}

/// Wakes the processor when a delivery is kept, so it is applied at once rather than at the next look.
final class DeliveryKick: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Says there is work; wakes the waiting processor, or makes its next wait return at once.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            if state.waiter == nil { state.pending = true }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns when signalled, or after `timeout`, or when the task is cancelled.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = state.withLock { state -> Bool in
                            if state.pending || Task.isCancelled {
                                state.pending = false
                                return true
                            }
                            state.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                        defer { state.waiter = nil }
                        return state.waiter
                    }
                    waiter?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
