/// A maintainer's command in a pull request comment: its first line, starting with `/benchbot`.
public enum PullRequestCommand: Sendable, Hashable {
    /// Measure the head against its merge base; only the named experiments when any are given.
    case run(experiments: [String])
    /// Measure the head again as it was last measured.
    case rerun
    /// Cancel the pull request's queued jobs.
    case cancel
    /// Find the commit between GOOD and BAD that changed BENCHMARK.
    case bisect(benchmark: String, good: String, bad: String)
    case help
    /// `/benchbot` followed by something else: answered with the usage.
    case unknown(String)

    public static let prefix = "/benchbot"

    /// The usage, for `help` and for a command BenchBot does not know.
    public static let usage = """
        | Command | What it does |
        |---|---|
        | `/benchbot run [EXPERIMENT…]` | Measure this pull request's head against its merge base (only the named experiments, when given). |
        | `/benchbot rerun` | Measure the head again. |
        | `/benchbot cancel` | Cancel this pull request's queued jobs. |
        | `/benchbot bisect BENCHMARK GOOD BAD` | Find the commit between GOOD and BAD that changed BENCHMARK. |
        | `/benchbot help` | This list. |
        """

    /// The command a comment gives, or `nil` when it is an ordinary comment.
    ///
    /// Only the first non-empty line counts, so that a comment quoting a command, or BenchBot's
    /// own reply explaining one, is never taken for one.
    public static func parse(_ comment: String) -> PullRequestCommand? {
        guard let line = comment.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first, first.lowercased() == prefix else { return nil }
        let arguments = Array(words.dropFirst(2))
        switch words.dropFirst().first?.lowercased() {
        case "run": return .run(experiments: arguments)
        case "rerun" where arguments.isEmpty: return .rerun
        case "cancel" where arguments.isEmpty: return .cancel
        case "bisect" where arguments.count == 3: return .bisect(benchmark: arguments[0], good: arguments[1], bad: arguments[2])
        case "help", nil: return .help
        default: return .unknown(String(line.prefix(200)))
        }
    }

    /// A short name for logs and outcomes.
    public var name: String {
        switch self {
        case .run: "run"
        case .rerun: "rerun"
        case .cancel: "cancel"
        case .bisect: "bisect"
        case .help: "help"
        case .unknown: "unknown"
        }
    }
}
