/// Why a comparison or a history analysis cannot be made, with what to do about it.
public struct AnalysisError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case notMeasured(commit: ObjectID, machine: String)
        case baselineQueued(commit: ObjectID, machine: String)
        case noMeasuredAncestor(commit: ObjectID, machine: String, searched: Int)
        case unknownBenchmark(name: String, commit: ObjectID)
        case git(operation: String, detail: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    static func notMeasured(_ commit: ObjectID, machine: String) -> AnalysisError { .init(.notMeasured(commit: commit, machine: machine)) }
    static func baselineQueued(_ commit: ObjectID, machine: String) -> AnalysisError { .init(.baselineQueued(commit: commit, machine: machine)) }
    static func noMeasuredAncestor(_ commit: ObjectID, machine: String, searched: Int) -> AnalysisError {
        .init(.noMeasuredAncestor(commit: commit, machine: machine, searched: searched))
    }
    public static func unknownBenchmark(_ name: String, commit: ObjectID) -> AnalysisError { .init(.unknownBenchmark(name: name, commit: commit)) }
    static func git(_ error: GitError) -> AnalysisError { .init(.git(operation: error.operation, detail: error.message)) }

    public var description: String {
        switch kind {
        case .notMeasured(let commit, let machine):
            "commit \(commit.short) has no run on machine '\(machine)'; queue it with `benchbot enqueue --commit \(commit.hex)`, then `benchbot work`"
        case .baselineQueued(let commit, let machine):
            "the baseline, merge base \(commit.short), has no run on machine '\(machine)' yet; it is queued first "
                + "(high priority): run `benchbot work`, then compare again"
        case .noMeasuredAncestor(let commit, let machine, let searched):
            "none of the \(searched) first-parent ancestors of \(commit.short) has a run on machine '\(machine)'; "
                + "queue one with `benchbot enqueue --commit \(commit.hex)~1`, or name the baseline yourself"
        case .unknownBenchmark(let name, let commit):
            "benchmark '\(name)' is not among the results of \(commit.short); `benchbot results \(commit.hex)` lists them"
        case .git(let operation, let detail):
            "cannot \(operation): \(detail)"
        }
    }
}
