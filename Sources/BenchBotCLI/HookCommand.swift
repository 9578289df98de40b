import ArgumentParser
import BenchBot
import Foundation

struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "The git server's post-receive hook, and its installer.",
        subcommands: [PostReceive.self, Install.self])

    struct PostReceive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post-receive",
            abstract: "Read git's `<old> <new> <ref>` lines on standard input and queue the new commits.")

        @OptionGroup var homeOptions: HomeOptions

        @Option(name: .long, help: "The repository pushed to (default: $GIT_DIR, then the current directory).")
        var gitDir: String?

        func run() async throws {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let updates = try PushUpdate.parse(input)
            let environment = ProcessInfo.processInfo.environment
            let repository = gitDir ?? environment["GIT_DIR"] ?? FileManager.default.currentDirectoryPath
            let outcomes = try await homeOptions.withIntake { try await $0.receivePush(updates, in: repository) }
            for outcome in outcomes { print("benchbot: \(outcome.summary)") }
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Write an executable hooks/post-receive into a bare repository that calls BenchBot with this home.")

        @OptionGroup var homeOptions: HomeOptions

        @Option(name: .long, help: "The bare repository people push to.")
        var repo: String

        @Flag(name: .long, help: "Replace a post-receive hook BenchBot did not write.")
        var force = false

        func run() async throws {
            let home = homeOptions.resolvedHome
            _ = try HomeConfig.load(from: home)
            let hook = try HookInstaller.install(into: repo, executable: currentExecutable(), home: home, force: force)
            print("installed \(hook): pushes to \(repo) now queue their commits in \(home.display(home.root))")
        }
    }
}
