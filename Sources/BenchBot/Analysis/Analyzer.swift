public import Compare
import Foundation

/// Stored runs and the project's history, put together for ``Compare``: which baseline a commit is
/// judged against, the comparison itself, and each benchmark's history on a branch.
///
/// The baseline of a commit on a tracked branch is its nearest first-parent ancestor measured on
/// the same machine. The baseline of anything else (a requested branch, a fork, a pull request) is
/// its merge base with the tracked branch: comparing with the branch's tip instead would blame the
/// candidate for whatever landed on the tracked branch since it forked.
public struct Analyzer {
    public let store: any Store
    public let repository: GitRepository
    public let settings: BenchBotSettings
    public var policy: ComparisonPolicy
    /// How far back history reaches, in first-parent commits.
    public var historyLimit = 1000

    var repositoryName: String { settings.repository.name }
    var machine: String { settings.machine }
    /// The tracked branch baselines and history come from: the first of the config's branches.
    public var trackedBranch: String { settings.repository.branches.first ?? "main" }

    /// The tracked branch's tip as the mirror last fetched it, `refs/remotes/origin/<branch>`.
    public func trackedTip() throws(GitError) -> ObjectID {
        try repository.resolve("refs/remotes/origin/\(trackedBranch)")
    }

    /// - Parameters:
    ///   - store: Where the runs are.
    ///   - repository: The home's mirror.
    ///   - settings: The repository, machine and suite to analyse.
    public init(store: any Store, repository: GitRepository, settings: BenchBotSettings) {
        self.store = store
        self.repository = repository
        self.settings = settings
        policy = settings.compare.policy
    }

    /// The commit a candidate is judged against, and why that one.
    public struct Baseline: Sendable, Hashable {
        public enum Reason: String, Sendable, Hashable {
            case nearestMeasuredAncestor = "nearest measured first-parent ancestor"
            case mergeBase = "merge base with the tracked branch"
            case named = "named"
        }

        public let commit: ObjectID
        public let reason: Reason

        public init(commit: ObjectID, reason: Reason) {
            self.commit = commit
            self.reason = reason
        }
    }

    /// Chooses the baseline of `candidate`.
    ///
    /// - Throws: ``AnalysisError`` when there is none measured; a merge base without a run is
    ///   queued first, at high priority, and reported as ``AnalysisError`` too.
    public func baseline(for candidate: ObjectID) async throws -> Baseline {
        let tip: ObjectID
        let onTrackedBranch: Bool
        do {
            tip = try trackedTip()
            onTrackedBranch = try repository.isAncestor(candidate, of: tip)
        } catch {
            throw AnalysisError.git(error)
        }
        if onTrackedBranch {
            let ancestors: [ObjectID]
            do {
                ancestors = try repository.commits(from: candidate, firstParent: true, limit: historyLimit + 1).dropLast().reversed()
            } catch {
                throw AnalysisError.git(error)
            }
            let measured = try await store.latestRunIDs(repository: repositoryName, machine: machine, suite: settings.suite, commits: ancestors)
            guard let nearest = ancestors.first(where: { measured[$0] != nil }) else {
                throw AnalysisError.noMeasuredAncestor(candidate, machine: machine, searched: ancestors.count)
            }
            return Baseline(commit: nearest, reason: .nearestMeasuredAncestor)
        }
        let base: ObjectID
        do {
            guard let found = try repository.mergeBase(candidate, tip) else {
                throw AnalysisError.noMeasuredAncestor(candidate, machine: machine, searched: 0)
            }
            base = found
        } catch let error as GitError {
            throw AnalysisError.git(error)
        }
        if try await store.latestRunIDs(repository: repositoryName, machine: machine, suite: settings.suite, commits: [base]).isEmpty {
            try await queueBaseline(base)
            throw AnalysisError.baselineQueued(base, machine: machine)
        }
        return Baseline(commit: base, reason: .mergeBase)
    }

    /// Queues a baseline commit ahead of ordinary work, so the comparison waiting on it comes soon.
    public func queueBaseline(_ commit: ObjectID) async throws {
        try await queue(commit, priority: 100)
    }

    /// Queues a commit that an analysis waits for.
    public func queue(_ commit: ObjectID, priority: Int) async throws {
        let metadata: CommitMetadata
        do { metadata = try repository.metadata(of: commit) } catch { throw AnalysisError.git(error) }
        let request = EnqueueRequest(repository: repositoryName, repositoryURL: settings.repository.url, commits: [metadata],
                                     suite: settings.suite, machine: machine, source: .manual, priority: priority,
                                     maxAttempts: settings.intake.maxAttempts)
        _ = try await store.enqueue(request)
    }

    /// The newest run of `commit` on this machine.
    public func latestRun(of commit: ObjectID) async throws -> StoredRun {
        guard let id = try await store.latestRunIDs(repository: repositoryName, machine: machine, suite: settings.suite, commits: [commit])[commit],
              let run = try await store.run(id: id) else {
            throw AnalysisError.notMeasured(commit, machine: machine)
        }
        return run
    }

    /// Compares the newest runs of two commits.
    public func compare(baseline: ObjectID, candidate: ObjectID) async throws -> SuiteComparison {
        try await compare(try await latestRun(of: baseline), try await latestRun(of: candidate))
    }

    /// Compares two runs (two commits' runs, or the halves of a paired one), with thresholds
    /// widened by each benchmark's noise in the baseline's own history.
    public func compare(_ baseline: StoredRun, _ candidate: StoredRun) async throws -> SuiteComparison {
        try await compare(baseline.results, candidate.results, baseline: baseline.commit)
    }

    /// Compares two sets of results, thresholds widened by the noise in the history ending at `baseline`.
    public func compare(_ before: [BenchmarkResult], _ after: [BenchmarkResult], baseline: ObjectID) async throws -> SuiteComparison {
        SuiteComparison(baseline: Self.series(before), candidate: Self.series(after), policy: try await policy(widenedByHistoryEndingAt: baseline))
    }

    /// The policy with each benchmark's threshold widened by its noise in the 60 measured commits ending at `tip`.
    public func policy(widenedByHistoryEndingAt tip: ObjectID) async throws -> ComparisonPolicy {
        var policy = self.policy
        for (name, series) in try await history(endingAt: tip, limit: 60) {
            policy.historicalNoise[name] = HistoricalNoise.estimate(medians: series.map(\.point.median))
        }
        return policy
    }

    /// Each benchmark's medians along the first-parent history ending at `tip`, oldest first,
    /// over the commits measured on this machine.
    public func history(endingAt tip: ObjectID, limit: Int? = nil) async throws -> [String: [(commit: ObjectID, point: SeriesPoint)]] {
        let commits: [ObjectID]
        do { commits = try repository.commits(from: tip, firstParent: true, limit: limit ?? historyLimit) } catch { throw AnalysisError.git(error) }
        let runs = try await store.latestRunIDs(repository: repositoryName, machine: machine, suite: settings.suite, commits: commits)
        let measured = commits.filter { runs[$0] != nil }
        let points = try await store.medians(runIDs: measured.map { runs[$0]! })
        var series: [String: [(commit: ObjectID, point: SeriesPoint)]] = [:]
        for commit in measured {
            for (name, point) in points[runs[commit]!] ?? [:] { series[name, default: []].append((commit, point)) }
        }
        return series
    }

    static func series(_ results: [BenchmarkResult]) -> [MeasuredSeries] {
        results.map { MeasuredSeries(name: $0.displayName, unit: $0.unit, direction: $0.direction, samples: $0.samples, rounds: $0.rounds) }
    }
}

extension CompareSettings {
    /// The configured thresholds, before any benchmark's history widens them.
    public var policy: ComparisonPolicy {
        var policy = ComparisonPolicy()
        policy.minimumEffect = minimumEffect
        policy.minimumEffects = minimumEffects
        policy.falseDiscoveryRate = falseDiscoveryRate
        policy.pairedFalseDiscoveryRate = pairedFalseDiscoveryRate
        return policy
    }
}
