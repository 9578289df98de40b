import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What a finished command did.
public struct CommandResult: Sendable, Hashable {
    /// The exit code; 128 + the signal number when a signal ended it.
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
    /// The deadline passed and the command's whole process group was killed.
    public let timedOut: Bool
    public let duration: Duration

    public var succeeded: Bool { status == 0 && !timedOut }
}

/// A command that could not be started or whose output ran past its limit.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    public let command: String
    public let reason: String

    public var description: String { "\(command): \(reason)" }
}

/// Runs external programs with an argument vector, never a shell, in a session of their own.
///
/// Each command runs in a new session, so it and everything it starts share one process group.
/// At the deadline the group gets SIGTERM, then SIGKILL; after any exit, whatever the command
/// left running in its group is killed too, so no grandchild outlives its job.
public enum CommandRunner {
    /// Runs a command to completion or to its deadline.
    ///
    /// - Parameters:
    ///   - executable: A path, or a name looked up in `PATH`.
    ///   - arguments: The arguments, passed as they are.
    ///   - environment: Variables to set (a value) or remove (`nil`) on top of this process's environment.
    ///   - workingDirectory: Where the command runs; this process's directory when `nil`.
    ///   - input: Text for its standard input.
    ///   - timeout: The deadline.
    ///   - gracePeriod: How long SIGTERM has before SIGKILL.
    ///   - outputLimit: The most bytes kept of each of standard output and standard error.
    /// - Returns: The exit status and output; a timeout is a result, not an error.
    /// - Throws: ``CommandError`` when the command cannot start or prints more than `outputLimit`.
    public static func run(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String?] = [:],
        workingDirectory: String? = nil,
        input: String? = nil,
        timeout: Duration,
        gracePeriod: Duration = .seconds(2),
        outputLimit: Int = 16 << 20
    ) async throws(CommandError) -> CommandResult {
        let options = sessionOptions(gracePeriod: gracePeriod)
        let executableValue: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        let updates = Dictionary(uniqueKeysWithValues: environment.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, value) }
        })
        let leader = GroupLeader()
        let started = ContinuousClock.now
        let display = ([executable] + arguments).joined(separator: " ")

        let outcome: Result<(Int32, String, String)?, any Error> = await withTaskGroup(
            of: Result<(Int32, String, String)?, any Error>.self
        ) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        executableValue,
                        arguments: Arguments(arguments),
                        environment: .inherit.updating(updates),
                        workingDirectory: workingDirectory.map { FilePath($0) },
                        platformOptions: options,
                        input: .string(input ?? ""),
                        output: .string(limit: outputLimit),
                        error: .string(limit: outputLimit)
                    ) { execution in
                        leader.pid.withLock { $0 = execution.processIdentifier.value }
                    }
                    return .success((exitCode(result.terminationStatus), result.standardOutput, result.standardError))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .success(nil)
            }
            let first = await group.next()!
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        if let pid = leader.pid.withLock({ $0 }) {
            // The leader may be gone while its children are not; the group id stays reserved
            // until the last member exits, so this cannot hit an unrelated process.
            kill(-pid, SIGKILL)
        }
        let duration = ContinuousClock.now - started
        switch outcome {
        case .success(let finished?):
            return CommandResult(status: finished.0, standardOutput: finished.1, standardError: finished.2, timedOut: false, duration: duration)
        case .success(nil):
            return CommandResult(status: 128 + SIGKILL, standardOutput: "", standardError: "", timedOut: true, duration: duration)
        case .failure(let error):
            throw CommandError(command: display, reason: "\(error)")
        }
    }

    private static func sessionOptions(gracePeriod: Duration) -> PlatformOptions {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        return options
    }

    private static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

/// The started command's process id, which is also its process group's id.
private final class GroupLeader: Sendable {
    let pid = Mutex<pid_t?>(nil)
}
