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
    public var policy = ComparisonPolicy()
    /// How far back history reaches, in first-parent commits.
    public var historyLimit = 1000

    var repositoryName: String { settings.repository.name }
    var machine: String { settings.machine }
    /// The tracked branch baselines come from, `refs/remotes/origin/<branch>` in the mirror.
    var trackedBranch: String { settings.repository.branches.first ?? "main" }

    /// - Parameters:
    ///   - store: Where the runs are.
    ///   - repository: The home's mirror.
    ///   - settings: The repository, machine and suite to analyse.
    public init(store: any Store, repository: GitRepository, settings: BenchBotSettings) {
        self.store = store
        self.repository = repository
        self.settings = settings
        policy.minimumEffect = settings.compare.minimumEffect
        policy.minimumEffects = settings.compare.minimumEffects
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
            tip = try repository.resolve("refs/remotes/origin/\(trackedBranch)")
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

    /// Compares the newest runs of two commits, with thresholds widened by each benchmark's noise
    /// in the baseline's own history.
    public func compare(baseline: ObjectID, candidate: ObjectID) async throws -> SuiteComparison {
        let before = try await latestRun(of: baseline)
        let after = try await latestRun(of: candidate)
        var policy = self.policy
        for (name, series) in try await history(endingAt: baseline, limit: 60) {
            policy.historicalNoise[name] = HistoricalNoise.estimate(medians: series.map(\.point.median))
        }
        return SuiteComparison(baseline: Self.series(before), candidate: Self.series(after), policy: policy)
    }

    /// Compares the two halves of a paired A/B run; their own alternation is the noise control,
    /// so the history's noise is not added.
    public func compare(_ baseline: StoredRun, _ candidate: StoredRun) -> SuiteComparison {
        SuiteComparison(baseline: Self.series(baseline), candidate: Self.series(candidate), policy: policy)
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

    static func series(_ run: StoredRun) -> [MeasuredSeries] {
        series(run.results)
    }

    static func series(_ results: [BenchmarkResult]) -> [MeasuredSeries] {
        results.map { MeasuredSeries(name: $0.displayName, unit: $0.unit, direction: $0.direction, samples: $0.samples) }
    }
}
