import CGit2
import Foundation
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

    /// What this process knows of the commands it runs.
    private struct Registry {
        var adoptsOrphans = false
        /// Commands being started: their process is not yet known, so an unknown child may be one.
        var starting = 0
        /// Processes started by the command runner, until their command is over.
        var leaders: Set<pid_t> = []
        var runningMarkers: Set<String> = []
    }

    private static let registry = Mutex(Registry())

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
        registry.withLock {
            $0.starting += 1
            $0.runningMarkers.insert(marker)
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
            $0.runningMarkers.remove(marker)
            if let leader { $0.leaders.remove(leader) }
        }
    }

    /// Forgets a process the caller started and has reaped itself.
    static func forget(_ leader: pid_t) {
        _ = registry.withLock { $0.leaders.remove(leader) }
    }

    /// Kills the command's processes, in rounds, until a scan finds none: a process may fork
    /// between one scan and its kill, and each killed parent re-parents its children.
    ///
    /// - Parameters:
    ///   - marker: The command's marker value.
    ///   - leader: The command's first process, whose group and descendants go too; it is left
    ///     to its owner to reap.
    static func killAll(marker: String, leader: pid_t?) {
        if let leader { kill(-leader, SIGKILL) }
        let me = getpid()
        for _ in 0..<50 {
            let (adopting, known) = registry.withLock { ($0.adoptsOrphans && $0.starting == 0, $0.leaders) }
            let processes = snapshot()
            var roots = Set(processes.keys.filter { pid in
                pid != me && processes[pid]!.state != "Z" && markerValue(of: pid) == marker
            })
            if let leader, processes[leader].map({ $0.state != "Z" && $0.parent == me }) == true { roots.insert(leader) }
            if adopting {
                // A child this process did not start through the runner is an adopted orphan, of a
                // finished command unless it carries a running one's marker.
                let running = registry.withLock { $0.runningMarkers }
                roots.formUnion(processes.filter { pid, process in
                    process.parent == me && !known.contains(pid) && process.state != "Z" && !running.contains(markerValue(of: pid) ?? "")
                }.keys)
            }
            let targets = descendants(of: roots, in: processes).union(roots).filter { processes[$0]?.state != "Z" }
            for pid in targets { kill(pid, SIGKILL) }
            reapAdopted(killed: targets)
            if targets.isEmpty { return }
        }
    }

    /// Reaps the zombies of adopted orphans, which no one else waits for, waiting briefly for
    /// `killed` to become ones; the runner's own children are left to the library that waits for them.
    private static func reapAdopted(killed: Set<pid_t>) {
        let me = getpid()
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            // A child whose start is not yet registered could be taken for an orphan and its status stolen.
            let (adopting, leaders) = registry.withLock { ($0.adoptsOrphans && $0.starting == 0, $0.leaders) }
            guard adopting else { return }
            let adopted = snapshot().filter { pid, process in process.parent == me && !leaders.contains(pid) }
            var status: Int32 = 0
            for (pid, process) in adopted where process.state == "Z" { waitpid(pid, &status, WNOHANG) }
            // A SIGKILLed process needs a moment to become a zombie.
            let dying = adopted.filter { killed.contains($0.key) && $0.value.state != "Z" }
            if dying.isEmpty || ContinuousClock.now >= deadline { return }
            usleep(5000)
        }
    }

    /// Every process's parent and state, from `/proc/<pid>/stat`.
    static func snapshot() -> [pid_t: (parent: pid_t, state: Character)] {
        var processes: [pid_t: (parent: pid_t, state: Character)] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // The command name in field 2 may hold spaces and parentheses; fields 3 and 4 follow it.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let state = fields[0].first, let parent = pid_t(fields[1]) else { continue }
            processes[pid] = (parent, state)
        }
        return processes
    }

    /// The processes below `roots`, by parent chain.
    static func descendants(of roots: Set<pid_t>, in processes: [pid_t: (parent: pid_t, state: Character)]) -> Set<pid_t> {
        var children: [pid_t: [pid_t]] = [:]
        for (pid, process) in processes { children[process.parent, default: []].append(pid) }
        var found: Set<pid_t> = []
        var pending = Array(roots)
        while let next = pending.popLast() {
            for child in children[next] ?? [] where found.insert(child).inserted { pending.append(child) }
        }
        return found
    }

    /// The value of the marker variable in a process's environment, when it can be read.
    private static func markerValue(of pid: pid_t) -> String? {
        guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let prefix = Data("\(markerVariable)=".utf8)
        for entry in environment.split(separator: 0) where entry.starts(with: prefix) {
            return String(decoding: entry.dropFirst(prefix.count), as: UTF8.self)
        }
        return nil
    }
}
