import Compare
import Foundation
import Notify

extension Worker {
    /// A run judged against its baseline, with the thresholds it was judged by.
    struct Judgement: Sendable {
        var baseline: Analyzer.Baseline
        var comparison: SuiteComparison
        /// Each benchmark's run-to-run noise in the baseline's history; missing until it has enough.
        var historicalNoise: [String: Double]
        /// The commit's first parent: the baseline, unless commits between them are unmeasured.
        var firstParent: ObjectID?
    }

    /// What to do with a run's report on the tracked branch.
    struct Hold: Sendable {
        /// The suspects to hold and their confirmation job; `nil` when nothing new is suspected.
        var suspicion: Suspicion?
        /// The changes that may be told now: those confirmed before. `nil` when nothing is held back.
        var announcing: Set<String>?
        /// Whether a held suspect is a regression, for the pending status.
        var holdsRegression: Bool
    }

    /// Judges an ordinary run against its baseline; `nil` when there is none measured yet, or
    /// nobody is to be told and nothing can be held. Judging a branch queues its merge base, which
    /// only a report needs.
    func judge(_ job: Job, results: [BenchmarkResult]) async -> Judgement? {
        guard settings.notify != nil || mayHold(job) else { return nil }
        do {
            let repository = try GitRepository.open(at: home.mirrorPath(repository: settings.repository.name))
            let analyzer = Analyzer(store: store, repository: repository, settings: settings)
            let baseline = try await analyzer.baseline(for: job.commit)
            let before = try await analyzer.latestRun(of: baseline.commit).results
            let policy = try await analyzer.policy(widenedByHistoryEndingAt: baseline.commit)
            return Judgement(baseline: baseline, comparison: SuiteComparison(baseline: Analyzer.series(before), candidate: Analyzer.series(results), policy: policy),
                             historicalNoise: policy.historicalNoise, firstParent: try? repository.metadata(of: job.commit).parents.first)
        } catch {
            logger.info("job \(job.id): nothing to report against: \(error)")
            return nil
        }
    }

    /// Decides whether a run's changes are held for confirmation. Only the tracked branch's own
    /// history is held: a pull request or branch is judged by its own paired job or merge base.
    /// With `confirm: none` a run is still held while a changed benchmark's noise is unknown,
    /// since early in a history one run-to-run comparison cannot tell noise from change.
    func hold(_ job: Job, judgement: Judgement?) async -> Hold? {
        guard let judgement, judgement.baseline.reason == .nearestMeasuredAncestor, mayHold(job) else { return nil }
        let flagged = judgement.comparison.benchmarks.filter { $0.verdict == .regression || $0.verdict == .improvement }
        guard !flagged.isEmpty else { return nil }
        if settings.compare.confirm == .none, flagged.allSatisfy({ judgement.historicalNoise[$0.name] != nil }) { return nil }
        let known = (try? await store.suspects(repository: settings.repository.name, machine: settings.machine))?.filter { $0.commit == job.commit } ?? []
        let kind = { (benchmark: BenchmarkComparison) in benchmark.verdict == .regression ? ChangeKind.regression : .improvement }
        let fresh = flagged.filter { benchmark in !known.contains { $0.benchmark == benchmark.name && $0.kind == kind(benchmark) } }
        let confirmedBefore = Set(flagged.filter { benchmark in
            known.contains { $0.benchmark == benchmark.name && $0.kind == kind(benchmark) && $0.state == .confirmed }
        }.map(\.name))
        // With automatic bisection, a change after unmeasured commits is not this commit's to
        // announce: bisection settles its culprit, where the change point is confirmed and told.
        let leftToBisection = settings.compare.automaticBisection && judgement.firstParent != judgement.baseline.commit
        guard !fresh.isEmpty, !leftToBisection else { return Hold(suspicion: nil, announcing: confirmedBefore, holdsRegression: false) }
        guard let request = confirmationRequest(job.commit, baseline: judgement.baseline.commit, branch: job.branch) else { return nil }
        let now = Date()
        let suspects = fresh.map { benchmark in
            SuspectRecord(commit: job.commit, benchmark: benchmark.name, kind: kind(benchmark), origin: .run, baseline: judgement.baseline.commit,
                          runJobID: job.id, ratio: benchmark.estimate?.ratio, createdAt: now)
        }
        return Hold(suspicion: Suspicion(suspects: suspects, confirmation: request), announcing: confirmedBefore,
                    holdsRegression: suspects.contains { $0.kind == .regression })
    }

    /// Whether the job may measure the tracked branch's own history, whose changes are held: not a
    /// paired job, a pull request, a fork, untrusted code or another branch.
    func mayHold(_ job: Job) -> Bool {
        job.baseline == nil && job.pullRequest == nil && job.remoteURL == nil && !job.untrusted
            && job.branch.map { $0 == (settings.repository.branches.first ?? "main") } ?? true
    }

    /// The paired A/B job that confirms a suspect at `commit`: alternately against `baseline`,
    /// ahead of bisection (150) and baselines (100), since a report waits for it.
    func confirmationRequest(_ commit: ObjectID, baseline: ObjectID, branch: String?) -> EnqueueRequest? {
        guard let repository = try? GitRepository.open(at: home.mirrorPath(repository: settings.repository.name)),
              let metadata = try? repository.metadata(of: commit) else { return nil }
        var request = EnqueueRequest(repository: settings.repository.name, repositoryURL: settings.repository.url, commits: [metadata],
                                     suite: Intake.pairedSuite(settings.suite), machine: settings.machine, branch: branch, source: .manual,
                                     priority: Self.confirmationPriority, maxAttempts: settings.intake.maxAttempts)
        request.baseline = baseline
        return request
    }

    static let confirmationPriority = 200

    /// Holds the change points that detection has placed but no suspect covers yet, one
    /// confirmation job per commit. With automatic bisection on, a change point that follows
    /// unmeasured commits waits until bisection has settled its culprit, so it is confirmed, and
    /// announced, once, at the right commit.
    func holdChangePoints(analyzer: Analyzer) async throws -> [SuspectRecord] {
        guard settings.compare.confirm == .paired else { return [] }
        let known = try await store.suspects(repository: settings.repository.name, machine: settings.machine)
        let covered = Set(known.map { SuspectRecord.key($0.commit, $0.benchmark, $0.kind) })
        let open = try await store.changes(repository: settings.repository.name, machine: settings.machine)
            .filter { !covered.contains(SuspectRecord.key($0.commit, $0.benchmark, $0.kind)) }
        var held: [SuspectRecord] = []
        for (commit, changes) in Dictionary(grouping: open, by: \.commit).sorted(by: { $0.key.hex < $1.key.hex }) {
            guard let baseline = try? await analyzer.baseline(for: commit), baseline.reason == .nearestMeasuredAncestor else { continue }
            if settings.compare.automaticBisection,
               let parent = try? analyzer.repository.metadata(of: commit).parents.first, parent != baseline.commit { continue }
            guard let request = confirmationRequest(commit, baseline: baseline.commit, branch: analyzer.trackedBranch) else { continue }
            let suspects = changes.map { change in
                SuspectRecord(commit: commit, benchmark: change.benchmark, kind: change.kind, origin: .change, baseline: baseline.commit,
                              ratio: change.ratio, createdAt: change.detectedAt)
            }
            held += try await store.holdSuspects(Suspicion(suspects: suspects, confirmation: request), now: Date())
        }
        return held
    }
}
