import CGit2
import Foundation
import Logging
import Synchronization

/// Finds and kills everything a command started, wherever it went: its process group, processes
/// carrying its marker variable (which `setsid` and double forks keep), their descendants by
/// parent chain, and, in a process that adopts orphans, children it adopted from finished commands.
///
/// A process group alone is not enough: `setsid` leaves it, and a daemon's double fork leaves its
/// parent. The marker survives both unless the environment is cleared; a subreaper catches that
/// case, since the orphan is then re-parented to this process instead of init.
enum ProcessTree {
    /// The variable each command's processes carry, with a value unique to the command.
    static let markerVariable = "BENCHBOT_COMMAND"

    /// How long one command's clean-up may take before it gives up and names what survived.
    static let killBudget = Duration.seconds(5)

    /// What this process knows of the commands it runs.
    struct Registry {
        var adoptsOrphans = false
        /// Commands being started: their process is not yet known, so an unknown child may be one.
        var starting = 0
        /// Bumped by every start, so a sweep can tell that a command began since it looked: that
        /// command's child may be in its snapshot as an unknown one, or may have exited as a zombie
        /// its own runner must reap.
        var generation: UInt64 = 0
        /// Processes started by the command runner, until their command is over.
        var leaders: Set<pid_t> = []
        /// Each running command's marker, with the clock tick since boot at which it started: no
        /// process started earlier can carry it.
        var running: [String: UInt64] = [:]

        /// Whether an adopted child with no marker of a running command may be taken for an
        /// orphan and killed or reaped: only when no other command runs or is starting, since a
        /// running command's daemon may have cleared or rewritten its environment (setproctitle),
        /// and a starting command's child is not yet known.
        func maySweep(for marker: String, since generation: UInt64) -> Bool {
            adoptsOrphans && starting == 0 && self.generation == generation && running.keys.allSatisfy { $0 == marker }
        }
    }

    private static let registry = Mutex(Registry())
    private static let logger = Logger(label: "benchbot.process")

    /// Makes this process a child subreaper: its descendants' orphans become its children, and are
    /// killed with the command they came from. Only for a process that starts every child through
    /// ``CommandRunner``, which knows them all: any other child would be taken for an orphan.
    static func adoptOrphans() {
        guard benchbot_become_child_subreaper() == 0 else { return }
        registry.withLock { $0.adoptsOrphans = true }
    }

    /// A new command's marker, registered as running until ``finished(marker:leader:)``.
    static func starting() -> String {
        let marker = UUID().uuidString
        let now = ticksSinceBoot()
        registry.withLock {
            $0.starting += 1
            $0.generation &+= 1
            // A tick early: the kernel rounds a process's start down, and this clock read may lag.
            $0.running[marker] = now > 0 ? now - 1 : 0
        }
        return marker
    }

    /// The command's process started; or, with `nil`, it failed to.
    static func started(_ leader: pid_t?) {
        registry.withLock {
            $0.starting -= 1
            if let leader { $0.leaders.insert(leader) }
        }
    }

    /// Kills everything the command left, and forgets it.
    static func finished(marker: String, leader: pid_t?) {
        killAll(marker: marker, leader: leader)
        registry.withLock {
            $0.running[marker] = nil
            if let leader { $0.leaders.remove(leader) }
        }
    }

    /// ``finished(marker:leader:)`` on a thread of its own: its scans and waits would otherwise hold
    /// one of the few threads every task of this process shares.
    static func finishedOffPool(marker: String, leader: pid_t?) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                finished(marker: marker, leader: leader)
                continuation.resume()
            }
        }
    }

    /// Forgets a process the caller started and has reaped itself.
    static func forget(_ leader: pid_t) {
        _ = registry.withLock { $0.leaders.remove(leader) }
    }

    /// Kills the command's processes, in rounds, until a scan finds none or ``killBudget`` is
    /// spent: a process may fork between one scan and its kill, and each killed parent re-parents
    /// its children.
    ///
    /// - Parameters:
    ///   - marker: The command's marker value.
    ///   - leader: The command's first process, whose group and descendants go too; it is left
    ///     to its owner to reap.
    static func killAll(marker: String, leader: pid_t?) {
        if let leader { kill(-leader, SIGKILL) }
        let me = getpid()
        let deadline = ContinuousClock.now + killBudget
        let since = registry.withLock { $0.running[marker] } ?? 0
        var survivors: Set<pid_t> = []
        repeat {
            let (generation, known, running) = registry.withLock { ($0.generation, $0.leaders, $0.running) }
            let processes = snapshot()
            // Only a process of this user, started since the command, can carry its marker: the
            // other processes' environments are not read at all.
            var roots: Set<pid_t> = []
            var execing: Set<pid_t> = []
            for (pid, process) in processes where pid != me && process.state != "Z" && !process.isKernelThread
                && process.uid == geteuid() && process.startTime >= since {
                switch markerReading(of: pid) {
                case .marker(let value) where value == marker: roots.insert(pid)
                case .midExec: execing.insert(pid)
                default: break
                }
            }
            if let leader, processes[leader].map({ $0.state != "Z" && $0.parent == me }) == true { roots.insert(leader) }
            let targets = descendants(of: roots, in: processes).union(roots).filter { processes[$0]?.state != "Z" }
            for pid in targets { kill(pid, SIGKILL) }
            let adopted = processes.filter { pid, process in process.parent == me && !known.contains(pid) }
            // A child of this process that is no command's leader is an adopted orphan; its
            // marker, when readable, tells whether its command still runs.
            let orphans = Set(adopted.filter { pid, process in
                process.state != "Z" && markerValue(of: pid).map { running[$0] == nil } ?? true
            }.keys)
            let swept = sweep(orphans, below: processes, for: marker, since: generation)
            survivors = targets.union(swept)
            reapAdopted(waitingFor: survivors, for: marker, deadline: deadline)
            // A process in the middle of exec shows no environment for a moment, so it cannot be
            // told apart yet: a `setsid` daemon caught there would be missed by a scan that stopped.
            // Only those processes are watched until they can be; other commands' new processes
            // do not hold this one's clean-up.
            if survivors.isEmpty, !settle(execing, carrying: marker, until: deadline) { return }
        } while ContinuousClock.now < deadline
        logger.warning("processes \(survivors.sorted()) left by a command survived SIGKILL for \(killBudget); giving up on them")
    }

    /// Waits until each of `processes`, caught mid-exec, shows its environment or is gone.
    ///
    /// - Returns: Whether one of them carries `marker`, so another round must kill it.
    private static func settle(_ processes: Set<pid_t>, carrying marker: String, until deadline: ContinuousClock.Instant) -> Bool {
        var pending = processes
        while !pending.isEmpty {
            for pid in pending {
                switch markerReading(of: pid) {
                // A process that exits in between reads as empty too, and stays so as a zombie.
                case .midExec where !hasExited(pid): continue
                case .marker(let value) where value == marker: return true
                default: pending.remove(pid)
                }
            }
            if pending.isEmpty || ContinuousClock.now >= deadline { return false }
            usleep(500)
        }
        return false
    }

    /// Kills `orphans` and their descendants, unless the registry says one could be another
    /// command's: checked under the registry's lock, so no command can start in between.
    ///
    /// - Returns: The processes killed.
    private static func sweep(_ orphans: Set<pid_t>, below processes: [pid_t: ProcessEntry], for marker: String,
                              since generation: UInt64) -> Set<pid_t> {
        guard !orphans.isEmpty else { return [] }
        return registry.withLock { registry in
            guard registry.maySweep(for: marker, since: generation) else { return [] }
            let targets = descendants(of: orphans, in: processes).union(orphans).filter { processes[$0]?.state != "Z" }
            for pid in targets { kill(pid, SIGKILL) }
            return targets
        }
    }

    /// Reaps the zombies of adopted orphans, which no one else waits for, waiting until `deadline`
    /// for `killed` to become ones; the runner's own children are left to the library that waits
    /// for them. Each reap happens under the registry's lock, with no command started since the
    /// scan: a zombie could otherwise be a new command's, whose status its runner needs.
    private static func reapAdopted(waitingFor killed: Set<pid_t>, for marker: String, deadline: ContinuousClock.Instant) {
        let me = getpid()
        while true {
            let (generation, leaders) = registry.withLock { ($0.generation, $0.leaders) }
            let adopted = snapshot().filter { pid, process in process.parent == me && !leaders.contains(pid) }
            let zombies = adopted.filter { $0.value.state == "Z" }.keys
            if !zombies.isEmpty {
                registry.withLock { registry in
                    guard registry.adoptsOrphans, registry.starting == 0, registry.generation == generation else { return }
                    var status: Int32 = 0
                    for pid in zombies { waitpid(pid, &status, WNOHANG) }
                }
            }
            // A SIGKILLed process needs a moment to become a zombie.
            let dying = adopted.filter { killed.contains($0.key) && $0.value.state != "Z" }
            if dying.isEmpty || ContinuousClock.now >= deadline { return }
            usleep(5000)
        }
    }

    /// One process as `/proc/<pid>/stat` and the owner of `/proc/<pid>` describe it.
    struct ProcessEntry: Sendable {
        let parent: pid_t
        let state: Character
        /// Field 22: clock ticks since boot.
        let startTime: UInt64
        /// Whose environment this process may read: a process that is not dumpable shows as root's.
        let uid: uid_t
        /// Field 9's `PF_KTHREAD`: a kernel thread has no environment or command line, ever.
        let isKernelThread: Bool
    }

    /// Every process's parent, state, start time and owner.
    static func snapshot() -> [pid_t: ProcessEntry] {
        var processes: [pid_t: ProcessEntry] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { continue }
            // The command name in field 2 may hold spaces and parentheses; field 3 follows it.
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]), let start = UInt64(fields[19]),
                  let flags = UInt64(fields[6]) else { continue }
            var status = stat()
            let uid = lstat("/proc/\(pid)", &status) == 0 ? status.st_uid : uid_t.max
            processes[pid] = ProcessEntry(parent: parent, state: state, startTime: start, uid: uid,
                                          isKernelThread: flags & 0x0020_0000 != 0)
        }
        return processes
    }

    /// Whether the process is a zombie or gone.
    static func hasExited(_ pid: pid_t) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return true
        }
        let state = text[text.index(after: close)...].dropFirst().first
        return state == "Z" || state == "X"
    }

    /// The processes below `roots`, by parent chain.
    static func descendants(of roots: Set<pid_t>, in processes: [pid_t: ProcessEntry]) -> Set<pid_t> {
        var children: [pid_t: [pid_t]] = [:]
        for (pid, process) in processes { children[process.parent, default: []].append(pid) }
        var found: Set<pid_t> = []
        var pending = Array(roots)
        while let next = pending.popLast() {
            for child in children[next] ?? [] where found.insert(child).inserted { pending.append(child) }
        }
        return found
    }

    /// Now, in the clock ticks since boot that `/proc/<pid>/stat` gives start times in.
    static func ticksSinceBoot() -> UInt64 {
        var now = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &now) == 0 else { return 0 }
        let perSecond = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return UInt64(now.tv_sec) * perSecond + UInt64(now.tv_nsec) * perSecond / 1_000_000_000
    }

    /// The value of the marker variable in a process's environment, when it can be read.
    private static func markerValue(of pid: pid_t) -> String? {
        if case .marker(let value) = markerReading(of: pid) { return value }
        return nil
    }

    /// What a process's environment says of its command.
    enum MarkerReading: Equatable {
        case marker(String)
        /// The environment was read and holds no marker.
        case none
        /// Between exec replacing the memory and the new program's arguments and environment being
        /// laid out, both read as empty: the process must be looked at again.
        case midExec
        /// The process is gone, or its environment cannot be read.
        case unreadable
    }

    static func markerReading(of pid: pid_t) -> MarkerReading {
        let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
        // Read only when needed: most processes show their environment.
        return reading(environment: environment) { FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") }
    }

    /// What an environment block says, given the process's command line when it is empty.
    static func reading(environment: Data?, commandLine: () -> Data?) -> MarkerReading {
        guard let environment else { return .unreadable }
        let prefix = Data("\(markerVariable)=".utf8)
        for entry in environment.split(separator: 0) where entry.starts(with: prefix) {
            return .marker(String(decoding: entry.dropFirst(prefix.count), as: UTF8.self))
        }
        guard environment.isEmpty else { return .none }
        // `env -i` leaves an empty environment for good, but never an empty command line.
        return commandLine()?.isEmpty == true ? .midExec : .none
    }
}
