import Foundation

/// Runs a helper process from synchronous code, such as a fetch inside a mirror's lock, with a
/// deadline that holds whatever the helper is stuck in.
///
/// The caller's thread waits, as it would for the same work done in process; the helper runs in a
/// session of its own, and at the deadline it and everything it started are killed.
enum BlockingChild {
    struct Outcome: Sendable {
        /// The exit code; 128 + the signal number when a signal ended it.
        let status: Int32
        /// Its standard error, up to 64 KiB.
        let standardError: String
        let timedOut: Bool
    }

    /// glibc's `POSIX_SPAWN_SETSID`, which its header shows only to `_GNU_SOURCE` code.
    private static let spawnSetSID: Int32 = 0x80

    /// - Parameters:
    ///   - executable: An absolute path.
    ///   - arguments: The arguments after the program name.
    ///   - environment: Variables set on top of this process's environment; values never go on the command line.
    ///   - timeout: The deadline.
    ///   - outputFile: Where its standard output goes; discarded when `nil`.
    /// - Throws: ``CommandError`` when it cannot start.
    static func run(_ executable: String, arguments: [String], environment: [String: String], timeout: Duration,
                    outputFile: String? = nil) throws(CommandError) -> Outcome {
        let marker = ProcessTree.starting()
        var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        variables[ProcessTree.markerVariable] = marker
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-child-\(UUID().uuidString).err").path
        defer { unlink(errorFile) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            ProcessTree.started(nil)
            ProcessTree.finished(marker: marker, leader: nil)
            throw CommandError(command: executable, reason: "cannot start: \(String(cString: strerror(spawned)))")
        }
        ProcessTree.started(pid)

        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        // Watched as a zombie, not reaped: its id stays reserved while the rest of its group and
        // its descendants are killed, so neither kill can hit a process that took the id.
        if let identity = ProcessIdentity.of(pid: pid) {
            while identity.isAlive {
                if ContinuousClock.now >= deadline {
                    timedOut = true
                    break
                }
                usleep(10_000)
            }
        }
        ProcessTree.killAll(marker: marker, leader: pid)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        ProcessTree.finished(marker: marker, leader: nil)
        ProcessTree.forget(pid)
        let text = FileManager.default.contents(atPath: errorFile).map { String(decoding: $0.suffix(65_536), as: UTF8.self) } ?? ""
        // WIFEXITED and friends are macros; the layout is the kernel's: signal in the low 7 bits, code above.
        let signal = status & 0x7f
        return Outcome(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, standardError: text, timedOut: timedOut)
    }
}
