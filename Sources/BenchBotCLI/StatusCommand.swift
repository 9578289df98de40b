import ArgumentParser
import BenchBot
import Foundation
import Notify

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the job queue (each job's commit, branch, state and times) and the deliveries not yet made.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "text (default) or json.")
    var format: Format = .text

    @Option(name: .long, help: "Only jobs in this state: \(JobState.allCases.map(\.rawValue).joined(separator: ", ")) (repeatable).")
    var state: [String] = []

    @Option(name: .long, help: "At most this many of the newest jobs (default 100; 0 for all).")
    var limit: Int = 100

    func validate() throws {
        for name in state where JobState(rawValue: name) == nil {
            throw ValidationError("unknown state '\(name)'; use one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        try await homeOptions.withStore { home, config, store in
            let states = state.isEmpty ? nil : Set(state.compactMap(JobState.init(rawValue:)))
            let jobs = try await store.jobs(in: states, limit: limit == 0 ? nil : limit)
            let counts = try await store.countJobs()
            let undelivered = try await store.notifications(in: [.pending, .sending, .failed, .uncertain], limit: nil)
            switch format {
            case .json:
                let running = try await store.jobs(in: [.running], limit: nil)
                print(StatusReport(jobs: jobs, counts: counts, undelivered: undelivered,
                                   workers: WorkerStatus.all(try await store.workers(), running: running, config: config)).json())
            case .text:
                printTable(jobs, counts: counts)
                printOutbox(try await store.countNotifications(), home: home)
                printDeliveries(undelivered)
                printWebhooks(try await store.countDeliveries(), newest: try await store.deliveries(limit: 5))
                printWorkers(WorkerStatus.all(try await store.workers(), running: try await store.jobs(in: [.running], limit: nil), config: config))
                let location = store.locationDescription
                print("\nStore: " + (location.hasPrefix(home.root + "/") ? "\(location.dropFirst(home.root.count + 1)) in the home"
                                                                       : home.display(location)))
            }
        }
    }

    /// Every worker sharing the store, on this machine or another: its machine and class, what it
    /// does now, and its last heartbeat.
    private func printWorkers(_ workers: [WorkerStatus]) {
        guard !workers.isEmpty else { return }
        let busy = workers.filter { $0.job != nil }.count
        print("\nWorkers: \(workers.count) (\(busy) busy)")
        for worker in workers {
            let doing = worker.job.map { "job \($0.id) (\($0.commit.short)), lease until " + ($0.leaseExpiresAt.map(timestamp) ?? "?") } ?? worker.activity
            print("  \(PlainText.singleLine(worker.name))  class \(PlainText.singleLine(worker.machine))  \(PlainText.singleLine(worker.identity))  "
                  + "\(doing)  last heartbeat " + (worker.heartbeatAt.map(timestamp) ?? "?"))
        }
    }

    /// GitHub's deliveries to `benchbot serve`: how many wait or failed, and what the newest did.
    private func printWebhooks(_ counts: [WebhookDelivery.State: Int], newest: [WebhookDelivery]) {
        guard !newest.isEmpty else { return }
        print("\nGitHub deliveries: " + WebhookDelivery.State.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
        for delivery in newest {
            print("  \(timestamp(delivery.receivedAt))  \(PlainText.singleLine(delivery.id))  \(PlainText.singleLine(delivery.label))  "
                  + "\(delivery.state.rawValue)" + (delivery.outcome.map { ": \(PlainText.singleLine(String($0.prefix(160))))" } ?? ""))
        }
    }

    /// Where the notifications went, in all: what `work` prints per message with --verbose.
    private func printOutbox(_ counts: [QueuedNotification.State: Int], home: Home) {
        guard !counts.isEmpty else { return }
        let sent = [QueuedNotification.State.delivered, .written, .superseded].compactMap { state -> String? in
            guard let count = counts[state] else { return nil }
            switch state {
            case .written: return "\(count) written to \(home.display(home.path("results", "outbox")))/ (no credentials)"
            case .superseded: return "\(count) replaced by a newer one before being sent"
            default: return "\(count) \(state.rawValue)"
            }
        }
        if !sent.isEmpty { print("\nNotifications: " + sent.joined(separator: ", ")) }
    }

    /// Notifications not delivered yet, or never to be without help, and why.
    private func printDeliveries(_ undelivered: [QueuedNotification]) {
        guard !undelivered.isEmpty else { return }
        let byState = Dictionary(grouping: undelivered, by: \.state)
        print("\nDeliveries: " + [QueuedNotification.State.pending, .sending, .failed, .uncertain].compactMap { state in
            byState[state].map { "\($0.count) \(state.rawValue)" }
        }.joined(separator: ", ") + (byState[.uncertain] != nil ? " (benchbot notify --retry --uncertain sends them again)"
            : byState[.failed] != nil ? " (benchbot notify --retry sends them again)" : ""))
        for notification in undelivered {
            print("  #\(notification.id) \(notification.state.rawValue) \(notification.message.kind) to \(notification.message.destination.summary), "
                  + "\(notification.attempts) attempt(s)" + (notification.lastError.map { ": \(PlainText.singleLine($0))" } ?? ""))
        }
    }

    private func printTable(_ jobs: [Job], counts: [JobState: Int]) {
        let header = ["ID", "STATE", "COMMIT", "BRANCH", "SOURCE", "ENQUEUED (UTC)", "TRIES", "SUBJECT"]
        let rows = jobs.map { job in
            // Subjects, branches and messages come from whoever pushed: no escape sequence reaches the terminal.
            [String(job.id), job.state.rawValue, job.commit.short, PlainText.singleLine(job.branch ?? "-"), job.source.rawValue,
             timestamp(job.enqueuedAt), "\(job.attempts)/\(job.maxAttempts)",
             PlainText.singleLine(String((job.message.map { "\(job.subject ?? "") [\($0)]" } ?? job.subject ?? "").prefix(72)))]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  "))
        }
        print(JobState.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + " in all")
    }
}

/// The JSON form of `benchbot status`.
struct StatusReport: Encodable {
    struct Entry: Encodable {
        let id: Int64
        let repository: String
        let commit: String
        let subject: String?
        let branch: String?
        let remoteURL: String?
        let state: String
        let source: String
        let suite: String
        let machine: String
        let priority: Int
        let attempts: Int
        let maxAttempts: Int
        let enqueuedAt: String
        let startedAt: String?
        let finishedAt: String?
        let leaseExpiresAt: String?
        let message: String?
    }

    struct Delivery: Encodable {
        let id: Int64
        let kind: String
        let destination: String
        let state: String
        let attempts: Int
        let queuedAt: String
        let nextAttemptAt: String
        let lastError: String?
    }

    struct Worker: Encodable {
        let identity: String
        let name: String
        let machine: String
        let activity: String
        let job: Int64?
        let startedAt: String?
        let heartbeatAt: String?
    }

    let jobs: [Entry]
    let counts: [String: Int]
    let workers: [Worker]
    /// Notifications pending, being sent, failed or uncertain.
    let undeliveredNotifications: [Delivery]

    init(jobs: [Job], counts: [JobState: Int], undelivered: [QueuedNotification], workers: [WorkerStatus]) {
        self.workers = workers.map { worker in
            Worker(identity: worker.identity, name: worker.name, machine: worker.machine, activity: worker.job == nil ? worker.activity : "busy",
                   job: worker.job?.id, startedAt: worker.startedAt.map(iso8601), heartbeatAt: worker.heartbeatAt.map(iso8601))
        }
        undeliveredNotifications = undelivered.map { notification in
            Delivery(id: notification.id, kind: notification.message.kind, destination: notification.message.destination.summary,
                     state: notification.state.rawValue, attempts: notification.attempts, queuedAt: iso8601(notification.queuedAt),
                     nextAttemptAt: iso8601(notification.nextAttemptAt), lastError: notification.lastError)
        }
        self.jobs = jobs.map { job in
            Entry(id: job.id, repository: job.repository, commit: job.commit.hex, subject: job.subject, branch: job.branch,
                  remoteURL: job.remoteURL.map { SecretRedactor.redactURLCredentials(in: $0) },
                  state: job.state.rawValue, source: job.source.rawValue, suite: job.suite, machine: job.machine,
                  priority: job.priority, attempts: job.attempts, maxAttempts: job.maxAttempts,
                  enqueuedAt: iso8601(job.enqueuedAt), startedAt: job.startedAt.map(iso8601),
                  finishedAt: job.finishedAt.map(iso8601), leaseExpiresAt: job.leaseExpiresAt.map(iso8601),
                  message: job.message)
        }
        self.counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

private func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601)
}

private func timestamp(_ date: Date) -> String {
    let format = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
        .time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space)
    return date.formatted(format)
}
