/// A count a command experiment can ask for in `"counters"`: an event of the CPU's performance
/// monitoring unit, named as `perf list` names it.
///
/// Counts are what noise cannot move much: the same program on the same input executes the same
/// instructions however busy the machine is, which is why rustc-perf and iai-callgrind count them.
public enum HardwareCounter: String, CaseIterable, Sendable, Hashable, Codable {
    case instructions
    case cycles
    case branches
    case branchMisses = "branch-misses"
    case cacheReferences = "cache-references"
    case cacheMisses = "cache-misses"

    /// The unit its series is stored with.
    public var unit: String {
        switch self {
        case .instructions: "instructions"
        case .cycles: "cycles"
        case .branches: "branches"
        case .branchMisses: "branch misses"
        case .cacheReferences: "cache references"
        case .cacheMisses: "cache misses"
        }
    }

    /// The series a command experiment's count is stored as: `<experiment>:<counter>`.
    ///
    /// The count covers one whole launch of the command, not any one benchmark it reports, so it
    /// is a sibling of the experiment's benchmarks (`<experiment>.<benchmark>`), not a parameter of
    /// one of them; the `:` keeps it apart from a benchmark the tool itself may call `instructions`.
    public func series(experiment: String) -> String { "\(experiment):\(rawValue)" }

    /// The names a config may give, for messages.
    static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
