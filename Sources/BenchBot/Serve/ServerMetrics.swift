import Prometheus

/// What `GET /metrics` reports, in Prometheus' text format: counters the server keeps, and the
/// queue, outbox and deliveries as the store holds them when scraped.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Why a delivery was refused.
    enum Rejection: String, CaseIterable {
        case signature, tooLarge = "too_large", contentType = "content_type", malformed, noSecret = "no_secret", storeUnavailable = "store_unavailable"
    }

    /// The accepted deliveries' counter of each event label, made once: looking one up in the
    /// registry builds its labels and takes the registry's lock, for every delivery.
    private let acceptedByEvent: [String: Counter]

    init() {
        let registry = self.registry
        acceptedByEvent = Dictionary(uniqueKeysWithValues: (Self.githubEvents + ["other"]).map { event in
            (event, registry.makeCounter(descriptor: Self.deliveries, labels: [("result", "accepted"), ("event", event)]))
        })
    }

    func accepted(event: String) {
        (acceptedByEvent[event] ?? acceptedByEvent["other"])?.increment()
    }

    func redelivered() {
        registry.makeCounter(descriptor: Self.deliveries, labels: [("result", "redelivered"), ("event", "any")]).increment()
    }

    func rejected(_ reason: Rejection) {
        registry.makeCounter(descriptor: Self.rejections, labels: [("reason", reason.rawValue)]).increment()
    }

    /// Sets the gauges from the store's counts, then renders everything, with the intake's sync
    /// times where the store has them.
    func render(jobs: [JobState: Int], outbox: [QueuedNotification.State: Int], deliveries: [WebhookDelivery.State: Int],
                syncs: SyncTimes?) -> String {
        for state in JobState.allCases {
            registry.makeGauge(descriptor: Self.jobs, labels: [("state", state.rawValue)]).set(Double(jobs[state] ?? 0))
        }
        for state in QueuedNotification.State.allCases {
            registry.makeGauge(descriptor: Self.outbox, labels: [("state", state.rawValue)]).set(Double(outbox[state] ?? 0))
        }
        for state in WebhookDelivery.State.allCases {
            registry.makeGauge(descriptor: Self.kept, labels: [("state", state.rawValue)]).set(Double(deliveries[state] ?? 0))
        }
        return registry.emitToString() + (syncs.map(Self.histogram) ?? "")
    }

    /// The sync times as a Prometheus histogram. They are counted by the store, not by this
    /// registry: the store times its own syncs, whoever serves them.
    private static func histogram(_ syncs: SyncTimes) -> String {
        let name = "benchbot_webhook_sync_seconds"
        var text = "# HELP \(name) How long the disk took to sync deliveries kept with disk durability: what their answers waited for.\n"
            + "# TYPE \(name) histogram\n"
        var cumulative = 0
        for (bound, count) in zip(SyncTimes.bounds.map { "\($0)" } + ["+Inf"], syncs.counts) {
            cumulative += count
            text += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        return text + "\(name)_sum \(syncs.sum)\n\(name)_count \(cumulative)\n"
    }

    /// Event names come from the sender: only GitHub's own become labels, so a forger cannot grow the series without bound.
    private static let githubEvents = ["push", "pull_request", "issue_comment", "check_run", "ping"]

    nonisolated(unsafe) private static let deliveries = MetricNameDescriptor(
        namespace: "benchbot", subsystem: "webhook", metricName: "deliveries", unitName: "total",
        helpText: "Signed webhook deliveries kept, by result (accepted, redelivered) and event.")
    nonisolated(unsafe) private static let rejections = MetricNameDescriptor(
        namespace: "benchbot", subsystem: "webhook", metricName: "rejected", unitName: "total",
        helpText: "Webhook requests refused, by reason.")
    nonisolated(unsafe) private static let jobs = MetricNameDescriptor(
        namespace: "benchbot", subsystem: "queue", metricName: "jobs", unitName: "",
        helpText: "Jobs by state: queued and running are the queue's depth; done and failed count the finished.")
    nonisolated(unsafe) private static let outbox = MetricNameDescriptor(
        namespace: "benchbot", subsystem: "outbox", metricName: "notifications", unitName: "",
        helpText: "Notifications by state.")
    nonisolated(unsafe) private static let kept = MetricNameDescriptor(
        namespace: "benchbot", subsystem: "webhook", metricName: "kept", unitName: "",
        helpText: "Kept deliveries by state: received ones are still to apply.")
}
