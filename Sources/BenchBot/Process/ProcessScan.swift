import Foundation

/// Finds processes by a variable in their environment, which every descendant inherits.
///
/// Recording a child's process group can lose a race with the child itself; its environment
/// is set before it runs a single instruction, so a marker variable finds it, and whatever
/// it started, even after the parent that knew them is gone.
enum ProcessScan {
    /// The live processes whose environment holds `name=value`; only this user's environments are read.
    static func processes(withEnvironment name: String, equalTo value: String) -> [Int32] {
        let marker = Data("\(name)=\(value)".utf8)
        return ProcessTree.snapshot().filter { pid, process in
            guard pid != getpid(), process.state != "Z", process.uid == geteuid(),
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { Data($0) == marker }
        }.keys.sorted()
    }

    /// Kills every process so marked, with the process group each leads or belongs to, and their descendants.
    ///
    /// - Returns: How many processes were found.
    @discardableResult
    static func killAll(withEnvironment name: String, equalTo value: String) -> Int {
        let found = processes(withEnvironment: name, equalTo: value)
        // Their descendants by parent chain too: one that cleared its environment is unmarked.
        let below = ProcessTree.descendants(of: Set(found), in: ProcessTree.snapshot()).subtracting([getpid()])
        for pid in found {
            let group = getpgid(pid)
            // Never our own group: a marked process could share it only if we started it without a session.
            if group > 0, group != getpgrp() { kill(-group, SIGKILL) }
            kill(pid, SIGKILL)
        }
        for pid in below { kill(pid, SIGKILL) }
        return found.count
    }
}
