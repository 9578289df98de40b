import ArgumentParser
import BenchBot

@main
struct BenchBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchbot",
        abstract: "A self-hosted, per-commit benchmark bot.",
        discussion: """
            Commits enter through `hook post-receive`, `poll` (cron) or `enqueue`; `status` shows the queue; \
            `work` measures; `results`, `compare`, `changes` and `bisect` tell what changed. \
            Every command takes --home (default $BENCHBOT_HOME, then the current directory).
            """,
        subcommands: [
            InitCommand.self,
            CheckCommand.self,
            PollCommand.self,
            EnqueueCommand.self,
            HookCommand.self,
            WorkCommand.self,
            NotifyCommand.self,
            ImportCommand.self,
            RunCommand.self,
            StatusCommand.self,
            ResultsCommand.self,
            CompareCommand.self,
            DetectCommand.self,
            ChangesCommand.self,
            BisectCommand.self,
            SiteCommand.self,
            BenchCommand.self,
            FetchCommand.self,
            ServeCommand.self,
            StoreCommand.self,
        ]
    )

    /// Every child goes through the command runner, so orphans of finished commands can be adopted
    /// and killed; network fetches run in a child, whose deadline holds even when a connect hangs.
    static func main() async {
        CommandRunner.adoptOrphans()
        CommandRunner.keepEnvironmentPrivate()
        GitRepository.fetchInChildProcesses(using: currentExecutable())
        await self.main(nil)
    }
}
