import Foundation
import Notify

/// Checks commits out of the home's mirror and builds them.
struct Builder: Sendable {
    let home: Home
    let settings: BenchBotSettings
    let mirror: Mirror

    /// A failed checkout or build, with the stage and the message for the job.
    struct Failure: Error, Sendable {
        let stage: String
        let message: String
    }

    /// Makes sure `commit` is in the mirror, fetching its branch if needed, and checks it out.
    ///
    /// - Parameters:
    ///   - commit: The commit to check out.
    ///   - branch: The branch it came from, fetched when the commit is missing.
    ///   - remoteURL: The fork it came from, if any.
    ///   - worktree: The reusable checkout folder.
    func checkOut(_ commit: ObjectID, branch: String?, remoteURL: String?, into worktree: String) throws(Failure) {
        do {
            var repository = try mirror.open()
            if !repository.contains(commit) {
                if let branch, let number = Mirror.pullRequest(ofBranch: branch) {
                    _ = try mirror.fetch(pullRequest: number)
                } else if let remoteURL, let branch {
                    _ = try mirror.fetch(branch: branch, fromFork: remoteURL)
                } else {
                    let branches = Array(Set(settings.repository.branches + (branch.map { [$0] } ?? []))).sorted()
                    // A deleted extra branch must not hide the tracked ones.
                    if (try? mirror.fetch(branches: branches)) == nil { try mirror.fetch(branches: settings.repository.branches) }
                }
                repository = try mirror.open()
            }
            guard repository.contains(commit) else {
                throw Failure(stage: "checkout", message: "commit \(commit.hex) is not in "
                    + "\(SecretRedactor.redactURLCredentials(in: mirror.url)) any more (force-pushed away?)")
            }
            try repository.checkOut(commit, into: worktree)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(stage: "checkout", message: "\(error)")
        }
    }

    /// Runs the configured build command in a checkout.
    ///
    /// - Returns: `nil` when it succeeded or there is none; the failure otherwise, with the log's tail.
    func build(in checkout: String, context: StageContext, logName: String, commit: ObjectID) async -> Failure? {
        let argv: [String]
        switch settings.build.command {
        case .none: return nil
        case .arguments(let arguments): argv = arguments
        // The operator wrote this line in their own config; it is never built from refs or payloads.
        case .shell(let line): argv = ["sh", "-c", line]
        }
        do {
            try FileManager.default.createDirectory(atPath: context.logFolder, withIntermediateDirectories: true)
            let log = (context.logFolder as NSString).appendingPathComponent("\(logName).log")
            let (executable, arguments) = context.command(argv[0], Array(argv.dropFirst()), checkout: checkout)
            let result = try await CommandRunner.run(
                executable, arguments: arguments, environment: context.environment(commit: commit, checkout: checkout),
                workingDirectory: checkout, logFile: log, logLimit: settings.runner.logLimit,
                timeout: settings.build.timeout)
            if result.succeeded { return nil }
            let tail = result.standardOutput.split(separator: "\n").suffix(15).joined(separator: "\n")
            let reason = result.timedOut ? "timed out after \(Int(settings.build.timeout.seconds)) s" : "exited with status \(result.status)"
            return Failure(stage: "build", message: "build \(reason); full log \(log); last lines:\n\(tail)")
        } catch {
            return Failure(stage: "build", message: "cannot run the build command: \(error)")
        }
    }

    /// Fetches, checks out and builds the project variant an experiment asks for (`remote`, `branch`).
    ///
    /// - Returns: The variant's commit and checkout.
    func prepareVariant(remote: String?, branch: String, context: StageContext) async throws(Failure) -> (ObjectID, String) {
        let key = "\(remote ?? "origin")#\(branch)"
        let folderName = key.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        let worktree = home.path("work", "\(settings.repository.name)~\(String(folderName).suffix(60))")
        let tip: ObjectID
        do {
            if let remote, remote != settings.repository.url {
                tip = try mirror.fetch(branch: branch, fromFork: remote)
            } else {
                tip = try mirror.fetch(branches: [branch])[branch]!
            }
            try mirror.open().checkOut(tip, into: worktree)
        } catch {
            throw Failure(stage: "build", message: "cannot fetch variant \(key): \(error)")
        }
        if let failure = await build(in: worktree, context: context, logName: "build-variant-\(folderName)", commit: tip) {
            throw failure
        }
        return (tip, worktree)
    }
}
