import Foundation

/// A process named so that a reused process id cannot be mistaken for it: its id and its start
/// time in clock ticks since boot, from `/proc/<pid>/stat`.
public struct ProcessIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public let pid: Int32
    public let startTime: UInt64

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTime: startTime(of: pid) ?? 0)
    }

    /// The live process with this id, or `nil` when there is none.
    public static func of(pid: Int32) -> ProcessIdentity? {
        startTime(of: pid).map { ProcessIdentity(pid: pid, startTime: $0) }
    }

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// Parses ``description``: `pid@startTime`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "@")
        guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return nil }
        self.init(pid: pid, startTime: start)
    }

    public var description: String { "\(pid)@\(startTime)" }

    /// Whether this very process still runs (a zombie counts as gone).
    public var isAlive: Bool {
        Self.startTime(of: pid) == startTime
    }

    /// Field 22 of `/proc/<pid>/stat`; the command name in field 2 may hold spaces and parentheses.
    private static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); the start time is field 22.
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return UInt64(fields[19])
    }
}
