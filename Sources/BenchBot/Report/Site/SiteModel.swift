import Foundation

/// What the site shows, read once from the store and the mirror.
struct SiteModel {
    var repository: String
    var machine: String
    /// Measured commits of the tracked branch's first-parent history, oldest first.
    var commits: [CommitMetadata] = []
    /// Each measured commit's results, by benchmark.
    var results: [ObjectID: [String: SeriesPoint]] = [:]
    /// The run each commit's results come from: a page's inputs, for telling whether it changed.
    var runIDs: [ObjectID: Int64] = [:]
    var changes: [ChangeRecord] = []
    /// The last run's commit when it is not on the tracked branch (a branch or a fork's), so that
    /// the index's link to it has a page.
    var lastOffBranch: CommitMetadata?
    var lastJob: Job?
    var lastRun: StoredRun?

    static func load(home: Home, settings: BenchBotSettings, store: any Store) async throws -> SiteModel {
        var model = SiteModel(repository: settings.repository.name, machine: settings.machine)
        model.lastJob = try await store.jobs(in: [.done], limit: 1).last
        if let job = model.lastJob { model.lastRun = try await store.runs(repository: job.repository, commit: job.commit).last }
        // A home that has never fetched has no history yet: a friendly empty site, not an error.
        let repository = try? GitRepository.open(at: home.mirrorPath(repository: settings.repository.name))
        if let repository, let tip = try? Analyzer(store: store, repository: repository, settings: settings).trackedTip() {
            let commits: [ObjectID]
            do { commits = try repository.commits(from: tip, firstParent: true, limit: nil) } catch { throw AnalysisError.git(error) }
            let runs = try await store.latestRunIDs(repository: settings.repository.name, machine: settings.machine, suite: settings.suite, commits: commits)
            let measured = commits.filter { runs[$0] != nil }
            let medians = try await store.medians(runIDs: measured.map { runs[$0]! })
            for commit in measured {
                guard let metadata = try? repository.metadata(of: commit) else { continue }
                model.commits.append(metadata)
                model.results[commit] = medians[runs[commit]!] ?? [:]
                model.runIDs[commit] = runs[commit]!
            }
            model.changes = try await store.changes(repository: settings.repository.name, machine: settings.machine)
        }
        if let run = model.lastRun, model.results[run.commit] == nil {
            model.lastOffBranch = (try? repository?.metadata(of: run.commit)) ?? CommitMetadata(
                id: run.commit, parents: [], authorName: "?", authorEmail: "", authorTime: run.finishedAt, subject: model.lastJob?.subject ?? "")
            model.results[run.commit] = try await store.medians(runIDs: [run.id])[run.id] ?? [:]
            model.runIDs[run.commit] = run.id
        }
        return model
    }

    /// Each benchmark's points in commit order.
    var series: [String: [(commit: CommitMetadata, point: SeriesPoint)]] {
        var series: [String: [(commit: CommitMetadata, point: SeriesPoint)]] = [:]
        for commit in commits {
            for (name, point) in results[commit.id] ?? [:] { series[name, default: []].append((commit, point)) }
        }
        return series
    }
}
