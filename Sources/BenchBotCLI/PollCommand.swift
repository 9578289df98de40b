import ArgumentParser
import BenchBot
import Foundation
import Logging
import Notify

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Fetch the tracked branches and queue the commits new since the last poll (for cron).",
        discussion: """
            The first poll of a branch queues its tip only. A poll that finds another still running exits \
            0 at once and prints nothing, so overlapping cron runs are harmless.

            With --pull-requests, it also lists the repository's open pull requests on GitHub (for a server \
            GitHub's webhooks cannot reach) and treats each head with no job yet as the webhook would: a \
            maintainer's own branch is queued against its merge base, a fork's or an outsider's gets a neutral \
            status and one comment saying how a maintainer starts it. Queued jobs of pull requests closed since \
            are cancelled. Unchanged pages are asked for with their ETag and cost no rate limit. This needs \
            benchbot.notify.github and its token.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "Also queue each branch's last N first-parent commits.")
    var backfill: Int?

    @Flag(name: .long, help: "Also poll GitHub's open pull requests under the webhook's trust rules.")
    var pullRequests = false

    @Flag(name: .long, help: "Print nothing when nothing new was queued.")
    var quiet = false

    func validate() throws {
        if let backfill, backfill < 1 { throw ValidationError("--backfill must be at least 1") }
    }

    func run() async throws {
        try await homeOptions.withStore { home, config, store in
            // Refused before anything is fetched: a cron line that cannot do half its work says so at once.
            let github = pullRequests ? try pullRequestIntake(home: home, config: config, store: store) : nil
            let intake = github?.intake ?? Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            switch try await intake.poll(backfill: backfill) {
            case .alreadyRunning:
                return
            case .polled(let outcomes):
                for outcome in outcomes where !quiet || !outcome.enqueue.queued.isEmpty {
                    print(outcome.summary)
                }
            }
            guard let github else { return }
            let result: PullRequestPoll
            do {
                result = try await github.pollPullRequests()
            } catch {
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
            guard case .polled(let polled) = result else { return }
            for pullRequest in polled where !quiet || [.queued, .cancelled, .failed].contains(pullRequest.outcome) {
                print(pullRequest.line)
            }
            if polled.contains(where: { $0.outcome == .failed }) { throw ExitCode(1) }
        }
    }

    /// The intake with a reader of GitHub's API, or exit 1 naming what is missing.
    private func pullRequestIntake(home: Home, config: HomeConfig, store: any Store) throws -> GitHubIntake {
        let environment = ProcessInfo.processInfo.environment
        guard let notify = config.benchbot.notify, let github = notify.github else {
            printError("benchbot: --pull-requests needs benchbot.notify.github in \(home.display(home.effectiveConfigFile)) "
                + "(the repository, and token_env or token_file); add it, or poll without --pull-requests")
            throw ExitCode(1)
        }
        let credentials: Credentials
        do {
            credentials = try notify.credentials(environment: environment, home: home)
        } catch {
            printError("benchbot: \(error)")
            throw ExitCode(1)
        }
        let reader = GitHubReader(credentials: credentials)
        guard reader.canRead else {
            printError("benchbot: --pull-requests needs a GitHub token: \(github.tokenFile.map { "benchbot.notify.github.token_file (\($0))" } ?? "$\(github.tokenEnvironment ?? "GITHUB_TOKEN")") is empty or unset")
            throw ExitCode(1)
        }
        let intake = Intake(home: home, config: config, store: store, environment: environment, logger: Logger(label: "benchbot"))
        return GitHubIntake(intake: intake, reader: reader)
    }
}
