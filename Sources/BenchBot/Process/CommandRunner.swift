import CGit2
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
    /// Standard output; for a logged command, the tail of the combined output.
    public let standardOutput: String
    public let standardError: String
    /// The deadline passed and the command, with everything it started, was killed.
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
/// At the deadline, or when the calling task is cancelled, the group gets SIGTERM, then SIGKILL;
/// after any exit, whatever the command left running is killed too, also what left the group
/// (`setsid`, a daemon's double fork): see ``ProcessTree``. No grandchild outlives its job.
public enum CommandRunner {
    /// Makes this process adopt the orphans of the commands it runs, so that a descendant whose
    /// parents are gone and whose environment is cleared is still found and killed. Only for a
    /// process, such as `benchbot`, whose every child is started here.
    public static func adoptOrphans() {
        ProcessTree.adoptOrphans()
    }

    /// Keeps this process's environment, with its tokens, from the commands it runs: they run as
    /// the same user, who could otherwise read `/proc/<pid>/environ`. Commands are dumpable again
    /// once they exec, so their markers can still be read.
    public static func keepEnvironmentPrivate() {
        _ = benchbot_set_not_dumpable()
    }

    /// Makes this process die with SIGKILL when its parent does, and exit at once if the parent
    /// is already gone; for a helper such as `benchbot fetch-mirror`, which must not outlive its caller.
    ///
    /// - Parameter parent: The parent's process id as the caller saw it before this call.
    public static func dieWithParent(_ parent: Int32) {
        _ = benchbot_die_with_parent()
        if getppid() != parent { _exit(1) }
    }

    /// Runs a command and captures its output in memory.
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
        let marker = ProcessTree.starting()
        let configuration = configuration(executable, arguments, environment, workingDirectory, gracePeriod, marker: marker)
        return try await supervise(configuration, marker: marker, timeout: timeout) { leader in
            let result = try await Subprocess.run(
                configuration, input: .string(input ?? ""),
                output: .string(limit: outputLimit), error: .string(limit: outputLimit)
            ) { execution in
                leader.started(execution.processIdentifier.value)
            }
            return (exitCode(result.terminationStatus), result.standardOutput, result.standardError)
        }
    }

    /// Runs a command whose combined output goes to a log file, capped in size.
    ///
    /// - Parameters:
    ///   - executable: A path, or a name looked up in `PATH`.
    ///   - arguments: The arguments, passed as they are.
    ///   - environment: Variables to set or remove on top of this process's environment.
    ///   - workingDirectory: Where the command runs.
    ///   - logFile: Where standard output and standard error go, interleaved; replaced if present.
    ///   - logLimit: Bytes written to the log at most; the rest is counted, not kept.
    ///   - tailLimit: Bytes of the output's end returned in ``CommandResult/standardOutput``.
    ///   - timeout: The deadline.
    ///   - gracePeriod: How long SIGTERM has before SIGKILL.
    ///   - onStart: Told the command's process, which leads its process group, once it started.
    /// - Returns: The exit status and the output's tail; a timeout is a result, not an error.
    /// - Throws: ``CommandError`` when the command or its log cannot start.
    public static func run(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String?] = [:],
        workingDirectory: String? = nil,
        logFile: String,
        logLimit: Int = 8 << 20,
        tailLimit: Int = 4096,
        timeout: Duration,
        gracePeriod: Duration = .seconds(2),
        onStart: (@Sendable (ProcessIdentity) -> Void)? = nil
    ) async throws(CommandError) -> CommandResult {
        guard FileManager.default.createFile(atPath: logFile, contents: nil), let log = FileHandle(forWritingAtPath: logFile) else {
            throw CommandError(command: executable, reason: "cannot create its log \(logFile)")
        }
        defer { try? log.close() }
        let marker = ProcessTree.starting()
        let configuration = configuration(executable, arguments, environment, workingDirectory, gracePeriod, marker: marker)
        return try await supervise(configuration, marker: marker, timeout: timeout) { leader in
            let result = try await Subprocess.run(
                configuration, input: .none, output: .sequence, error: .combinedWithOutput
            ) { execution in
                leader.started(execution.processIdentifier.value)
                if let onStart, let identity = ProcessIdentity.of(pid: execution.processIdentifier.value) { onStart(identity) }
                var sink = LogSink(file: log, limit: logLimit, tailLimit: tailLimit)
                for try await buffer in execution.standardOutput {
                    buffer.withUnsafeBytes { sink.append(Data($0)) }
                }
                return sink.finish()
            }
            return (exitCode(result.terminationStatus), result.closureResult, "")
        }
    }

    private static func configuration(
        _ executable: String, _ arguments: [String], _ environment: [String: String?], _ workingDirectory: String?,
        _ gracePeriod: Duration, marker: String
    ) -> Configuration {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        var environment = environment
        environment[ProcessTree.markerVariable] = marker
        let updates = Dictionary(uniqueKeysWithValues: environment.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, value) }
        })
        return Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(arguments),
            environment: .inherit.updating(updates),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: options)
    }

    /// Races the command against its deadline, then kills whatever is left of its process group.
    private static func supervise(
        _ configuration: Configuration,
        marker: String,
        timeout: Duration,
        _ launch: @escaping @Sendable (GroupLeader) async throws -> (Int32, String, String)
    ) async throws(CommandError) -> CommandResult {
        let leader = GroupLeader()
        let started = ContinuousClock.now
        let outcome: Result<(Int32, String, String)?, any Error> = await withTaskGroup(
            of: Result<(Int32, String, String)?, any Error>.self
        ) { group in
            group.addTask {
                do { return .success(try await launch(leader)) } catch { return .failure(error) }
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
        // The leader may be gone while its children are not; the group id stays reserved
        // until the last member exits, so its group kill cannot hit an unrelated process.
        let pid = leader.pid.withLock { $0 }
        if pid == nil { ProcessTree.started(nil) }
        await ProcessTree.finishedOffPool(marker: marker, leader: pid)
        let duration = ContinuousClock.now - started
        switch outcome {
        case .success(let finished?):
            return CommandResult(status: finished.0, standardOutput: finished.1, standardError: finished.2, timedOut: false, duration: duration)
        case .success(nil):
            return CommandResult(status: 128 + SIGKILL, standardOutput: "", standardError: "", timedOut: true, duration: duration)
        case .failure(let error):
            throw CommandError(command: configuration.executable.description, reason: "\(error)")
        }
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

    func started(_ pid: pid_t) {
        self.pid.withLock { $0 = pid }
        ProcessTree.started(pid)
    }
}

/// Writes output to a log up to a limit and keeps its last bytes for messages.
private struct LogSink {
    let file: FileHandle
    let limit: Int
    let tailLimit: Int
    var written = 0
    var dropped = 0
    var tail = Data()

    init(file: FileHandle, limit: Int, tailLimit: Int) {
        self.file = file
        self.limit = limit
        self.tailLimit = tailLimit
    }

    mutating func append(_ data: Data) {
        let room = max(limit - written, 0)
        if room > 0 {
            let kept = data.prefix(room)
            try? file.write(contentsOf: kept)
            written += kept.count
        }
        dropped += max(data.count - room, 0)
        tail.append(data)
        if tail.count > tailLimit * 2 { tail = tail.suffix(tailLimit) }
    }

    mutating func finish() -> String {
        if dropped > 0 {
            try? file.write(contentsOf: Data("\n[benchbot: \(dropped) more bytes of output were not kept]\n".utf8))
        }
        return String(decoding: tail.suffix(tailLimit), as: UTF8.self)
    }
}
