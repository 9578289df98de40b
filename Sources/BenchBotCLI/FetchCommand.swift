import ArgumentParser
import BenchBot
import Foundation

/// `benchbot fetch-mirror`, hidden: one network fetch into a repository, run by BenchBot itself
/// in a child process so that a fetch stuck where libgit2 has no deadline (a hanging connect) can
/// be killed. The URL and token come from the environment, never the command line.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-mirror",
        abstract: "Fetch into a repository (used by BenchBot itself).",
        shouldDisplay: false)

    @Option(help: "The repository's git directory.")
    var repository: String

    @Option(name: .customLong("refspec"), help: "A refspec; repeatable.")
    var refspecs: [String] = []

    @Option(help: "Seconds the whole fetch may take, connecting included; then it is cancelled.")
    var timeout: Double

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        // A killed worker must not leave its fetch running, holding the mirror.
        if let parent = environment[GitRepository.childParentVariable].flatMap({ Int32($0) }) { CommandRunner.dieWithParent(parent) }
        guard let url = environment[GitRepository.childURLVariable], !url.isEmpty else {
            throw ValidationError("\(GitRepository.childURLVariable) must hold the URL to fetch")
        }
        guard timeout.isFinite, timeout > 0, timeout < 1e9 else { throw ValidationError("--timeout must be a positive number of seconds") }
        let token = environment[GitRepository.childTokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        do {
            try GitRepository.open(at: repository).fetchInProcess(
                from: url, refspecs: refspecs, options: FetchOptions(timeout: .milliseconds(Int64(timeout * 1000)), httpsToken: token))
        } catch {
            FileHandle.standardError.write(Data(GitRepository.childErrorLine(error).utf8))
            throw ExitCode(error.isTimeout ? GitRepository.childTimeoutStatus : 1)
        }
    }
}
