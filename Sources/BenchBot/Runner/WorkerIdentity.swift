import Foundation

/// A worker's name in a job's lease: `host/pid@start-time`.
///
/// The host and the process's start time let a worker restarted on the same machine recognise a
/// lease held by a predecessor that died, and take the job back at once instead of waiting for
/// the lease to expire.
public struct WorkerIdentity: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let process: ProcessIdentity

    public static var current: WorkerIdentity {
        WorkerIdentity(host: ProcessInfo.processInfo.hostName, process: .current)
    }

    public init(host: String, process: ProcessIdentity) {
        self.host = host
        self.process = process
    }

    /// Parses a lease owner; `nil` for owners in another form.
    public init?(_ owner: String) {
        guard let slash = owner.lastIndex(of: "/"), let process = ProcessIdentity(owner[owner.index(after: slash)...]) else { return nil }
        self.init(host: String(owner[..<slash]), process: process)
    }

    public var description: String { "\(host)/\(process)" }

    /// Whether this worker ran on this machine and has since died.
    public var diedOnThisHost: Bool {
        host == ProcessInfo.processInfo.hostName && !process.isAlive
    }
}
