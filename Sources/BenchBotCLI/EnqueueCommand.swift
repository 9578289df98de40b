import ArgumentParser
import BenchBot

struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Queue a commit, a branch's tip (of the project or of a fork), or a range of commits.",
        discussion: """
            Exactly one of --commit, --branch or --range. A commit that already has a job is not queued \
            again unless --rerun is given. Fork branches (--remote) run only because you asked here.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "A commit hash (full or abbreviated) or revision.")
    var commit: String?

    @Option(name: .long, help: "A branch whose tip to queue.")
    var branch: String?

    @Option(name: .long, help: "With --branch: the fork's URL to fetch it from.")
    var remote: String?

    @Option(name: .long, help: "OLD..NEW: every commit reachable from NEW and not from OLD, oldest first.")
    var range: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "With --range: follow first parents only (default: the config's first_parent).")
    var firstParent: Bool?

    @Option(name: .long, help: "Higher runs sooner (default 0).")
    var priority: Int = 0

    @Flag(name: .long, help: "Queue again commits that already ran.")
    var rerun = false

    @Flag(name: .long, help: "Paired A/B: measure it alternately with its baseline in one job (with --branch: its merge base; with --commit: its parent).")
    var paired = false

    @Option(name: .long, help: "With --commit: a paired A/B job against this revision instead of the parent (the commit itself for an A/A check).")
    var pairedWith: String?

    @Option(name: .long, help: "With --commit or --branch: the pull request it belongs to; its one BenchBot comment reports the result, edited on each push. With --branch, implies --paired.")
    var pullRequest: Int?

    func validate() throws {
        let chosen = [commit, branch, range].compactMap { $0 }.count
        guard chosen == 1 else { throw ValidationError("give exactly one of --commit, --branch or --range") }
        guard EnqueueOrder.priorities.contains(priority) else {
            throw ValidationError("--priority must be between \(EnqueueOrder.priorities.lowerBound) and \(EnqueueOrder.priorities.upperBound)")
        }
        if remote != nil, branch == nil { throw ValidationError("--remote goes with --branch") }
        if firstParent != nil, range == nil { throw ValidationError("--first-parent goes with --range") }
        if paired, range != nil { throw ValidationError("--paired goes with --commit or --branch") }
        if pairedWith != nil, commit == nil { throw ValidationError("--paired-with goes with --commit") }
        if let pullRequest, pullRequest < 1 { throw ValidationError("--pull-request is a pull request's number, 1 or more") }
        if pullRequest != nil, range != nil { throw ValidationError("--pull-request goes with --commit or --branch") }
    }

    func run() async throws {
        let target: EnqueueOrder.Target = if let commit { .commit(commit) } else if let branch { .branch(branch) } else { .range(range!) }
        var order = EnqueueOrder(target)
        order.remote = remote
        order.firstParent = firstParent
        order.priority = priority
        order.rerun = rerun
        order.paired = paired
        order.pairedWith = pairedWith
        order.pullRequest = pullRequest
        print(try await homeOptions.withIntake { try await order.run(on: $0) }.summary)
    }
}
