import ArgumentParser
import BenchBot

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Fetch the tracked branches and queue the commits new since the last poll (for cron).",
        discussion: """
            The first poll of a branch queues its tip only. A poll that finds another still running exits \
            0 at once and prints nothing, so overlapping cron runs are harmless.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "Also queue each branch's last N first-parent commits.")
    var backfill: Int?

    @Flag(name: .long, help: "Print nothing when nothing new was queued.")
    var quiet = false

    func validate() throws {
        if let backfill, backfill < 1 { throw ValidationError("--backfill must be at least 1") }
    }

    func run() async throws {
        switch try await homeOptions.intake().poll(backfill: backfill) {
        case .alreadyRunning:
            return
        case .polled(let outcomes):
            for outcome in outcomes where !quiet || !outcome.enqueue.queued.isEmpty {
                print(outcome.summary)
            }
        }
    }
}
