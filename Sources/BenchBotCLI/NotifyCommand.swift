import ArgumentParser
import BenchBot
import Foundation
import Logging
import Notify

struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Send what the outbox holds: Slack messages and GitHub statuses not delivered yet.",
        discussion: """
            Retries wait as the backoff or the server's Retry-After says, up to --wait seconds. Without credentials \
            (the variables or files named in benchbot.notify), messages are written to results/outbox/ instead. \
            --retry first puts failed notifications back in the queue; --uncertain also those whose sender died \
            while sending them to Slack, which may then arrive twice. Exits 1 while any notification is failed or \
            uncertain (each is named) or still waiting.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Flag(name: .long, help: "Send failed notifications again, with a new deadline.")
    var retry = false

    @Flag(name: .long, help: "With --retry: also send again those whose sender died mid-send (a Slack message may then arrive twice).")
    var uncertain = false

    @Option(name: .long, help: "Seconds to keep waiting for retries that fall due (default 60).")
    var wait: Double = 60

    func validate() throws {
        if uncertain && !retry { throw ValidationError("--uncertain goes with --retry") }
        if let problem = BoundedSeconds(minimum: 0, maximum: BoundedSeconds.standard.maximum).problem(wait) { throw ValidationError("--wait \(problem)") }
    }

    func run() async throws {
        try await homeOptions.withCheckedStore { home, config, store in
            guard let notify = config.benchbot.notify else {
                printError("nobody is to be told anything: add a benchbot.notify section to \(home.display(home.effectiveConfigFile))")
                throw ExitCode(1)
            }
            let dispatcher: Dispatcher
            do {
                dispatcher = try Dispatcher(home: home, settings: notify, store: store, logger: Logger(label: "benchbot"))
            } catch {
                printError("\(home.display(home.effectiveConfigFile)): \(error)")
                throw ExitCode(1)
            }
            if retry {
                let requeued = try await store.retryNotifications(in: uncertain ? [.failed, .uncertain] : [.failed], now: Date())
                print("\(requeued) notification(s) queued again")
            }
            let (pass, waiting) = try await dispatcher.drain(patience: wait)
            print("\(pass.delivered) delivered, \(pass.written.count) written to the outbox folder, \(pass.failed) failed, \(waiting) still waiting")
            for path in pass.written { print("  \(home.display(path))") }
            // Failures from earlier passes (the worker's, a killed sender's) count as much as this pass's:
            // cron must see them until someone sends them again or lets them go.
            let stuck = try await store.notifications(in: [.failed, .uncertain], limit: nil)
            for notification in stuck {
                printError("notification \(notification.id) (\(notification.message.kind) to \(notification.message.destination.summary)) "
                    + "\(notification.state.rawValue): \(notification.lastError ?? "no reason recorded")")
            }
            if !stuck.isEmpty || waiting > 0 {
                printError("\(stuck.count) failed or uncertain, \(waiting) still waiting; benchbot notify --retry sends the failed ones again"
                    + (stuck.contains { $0.state == .uncertain } ? ", --retry --uncertain also the uncertain ones" : ""))
                throw ExitCode(1)
            }
        }
    }
}
