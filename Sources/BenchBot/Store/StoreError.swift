/// A store that cannot be opened, read or written, with what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case corrupt(detail: String)
        case locked(timeout: Double)
        case newerSchema
        case leaseLost(jobID: Int64)
        case unavailable(detail: String)
        case unreachable(detail: String)
    }

    private let kind: Kind
    /// The store's location.
    public let location: String

    private init(_ kind: Kind, location: String) {
        self.kind = kind
        self.location = location
    }

    static func corrupt(_ location: String, detail: String) -> StoreError { .init(.corrupt(detail: detail), location: location) }
    static func locked(_ location: String, timeout: Double) -> StoreError { .init(.locked(timeout: timeout), location: location) }
    static func newerSchema(_ location: String) -> StoreError { .init(.newerSchema, location: location) }
    static func leaseLost(_ location: String, jobID: Int64) -> StoreError { .init(.leaseLost(jobID: jobID), location: location) }
    static func unavailable(_ location: String, detail: String) -> StoreError { .init(.unavailable(detail: detail), location: location) }
    static func unreachable(_ location: String, detail: String) -> StoreError { .init(.unreachable(detail: detail), location: location) }

    /// The store is damaged or is not a BenchBot store at all.
    public var isCorrupt: Bool { if case .corrupt = kind { true } else { false } }
    /// Another process held the store's write lock past the busy timeout.
    public var isLocked: Bool { if case .locked = kind { true } else { false } }
    /// The worker's lease on the job expired and someone else may run it.
    public var isLeaseLost: Bool { if case .leaseLost = kind { true } else { false } }
    /// The store's server could not be reached, or went away mid-statement: nothing about the
    /// request was wrong, and the same request later may well succeed.
    public var isUnreachable: Bool { if case .unreachable = kind { true } else { false } }

    public var description: String {
        switch kind {
        case .corrupt(let detail):
            "store \(location) is damaged or not a BenchBot store (\(detail)); BenchBot left it untouched: "
                + "move it aside and restore the latest copy from backup_dir, or set benchbot.store.path to a new file"
        case .locked(let timeout):
            "store \(location) stayed locked by another process for \(formatted(timeout)) s; "
                + "retry, or raise benchbot.store.busy_timeout in config/config.json"
        case .newerSchema:
            "store \(location) was written by a newer BenchBot; upgrade BenchBot before using it"
        case .leaseLost(let jobID):
            "job \(jobID) in store \(location) is no longer leased by this worker (its lease expired); its results were not stored"
        case .unavailable(let detail):
            "store \(location): \(detail)"
        case .unreachable(let detail):
            "store \(location): \(detail)"
        }
    }
}

private func formatted(_ seconds: Double) -> String {
    seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)
}
