import Foundation

/// What the site shows, read once from the store and the mirror.
struct SiteModel: Sendable {
    var repository: String
    var machine: String
    /// Measured commits of the tracked branch's first-parent history, oldest first: the table's rows.
    var commits: [CommitMetadata] = []
    var table = SeriesTable(rows: [])
    /// The changes announced: confirmed by a paired A/B job, or found with `confirm: none`.
    var changes: [ChangeRecord] = []
    /// Changes a paired A/B job did not confirm: shown greyed in the index's list, never as changes.
    var refutedChanges: [ChangeRecord] = []
    /// Commits measured off the tracked branch (branches, forks, pull requests), newest last, each
    /// with its comparison against its merge base when that was measured.
    var offBranch: [OffBranchRun] = []
    var lastJob: Job?
    var lastRun: StoredRun?
    /// Each experiment's graphs from its `visualize.sh` (`results/experiments/graph/<name>/`), as
    /// paths under that folder, with their file's size and time: a copy's inputs.
    var graphs: [String: [(path: String, stamp: String)]] = [:]
    /// The graphs' folder, `results/experiments/graph`.
    var graphsFolder = ""
    /// relay-bench's `deadline` subsystem's deadlines, when it is configured.
    var deadlines: [RelayReports.Deadline] = []
    /// relay-bench's score: a benchmark counts when it is at least this many times better.
    var scoreSpeedup = 1.1
    /// Where a commit is shown on its host, `{sha}` for its hash (``SiteSettings/commitURLPattern(repositoryURL:)``).
    var commitURLPattern: String?

    /// The commit's page on its host, when the site knows one.
    func commitURL(_ hex: String) -> String? {
        commitURLPattern.map { $0.replacingOccurrences(of: "{sha}", with: hex) }
    }

    /// A commit measured off the tracked branch.
    struct OffBranchRun: Sendable {
        var job: Job
        var commit: CommitMetadata
        var run: Int64
        var results: [String: SeriesPoint]
        /// The merge base (or a paired run's own baseline half) and its results.
        var baseline: (commit: CommitMetadata, run: Int64, results: [String: SeriesPoint])?
        var paired: Bool
    }

    /// At most this many off-branch runs get pages: the newest.
    static let offBranchLimit = 200

    /// Each machine class's model, in the order of `machines`. What the classes share (the mirror's
    /// history, the home's deadlines) is read once; the graphs of this home's `visualize.sh` runs
    /// go to its own class only, which measured them.
    ///
    /// - Parameter cached: Each class's table of the last build, whose rows are reused where their runs are still the latest.
    static func load(home: Home, settings: BenchBotSettings, machines: [String], store: any Store,
                     cached: [Task<SeriesTable?, Never>]) async throws -> [SiteModel] {
        var shared = SiteModel(repository: settings.repository.name, machine: "")
        shared.scoreSpeedup = settings.compare.scoreSpeedup
        shared.commitURLPattern = settings.site.commitURLPattern(repositoryURL: settings.repository.url, gitHubRepository: settings.notify?.github?.repository)
        let subsystems = HomeCheck(home: home).subsystems
        if let deadline = subsystems.first(where: { $0.name == "deadline" && $0.active }) {
            // A deadline that does not parse is the nightly run's to report, where its file is named.
            shared.deadlines = (try? RelayReports.parseDeadlines(deadline.raw, file: "deadline")) ?? []
        }
        let graphsFolder = home.path("results", "experiments", "graph")
        let graphs = machines.contains(settings.machine) ? Self.graphs(in: graphsFolder) : [:]
        // A commit gets a job per class: as many of the newest jobs per class as one class had.
        let done = try await store.jobs(in: [.done], limit: 50 * machines.count)
        var models: [SiteModel] = []
        for machine in machines {
            var model = shared
            model.machine = machine
            if machine == settings.machine { (model.graphsFolder, model.graphs) = (graphsFolder, graphs) }
            model.lastJob = done.last { $0.repository == settings.repository.name && $0.machine == machine }
            if let job = model.lastJob { model.lastRun = try await store.runs(repository: job.repository, commit: job.commit).last { $0.machine == machine } }
            models.append(model)
        }
        // A home that has never fetched has no history yet: a friendly empty site, not an error.
        guard let repository = try? GitRepository.open(at: home.mirrorPath(repository: settings.repository.name)),
              let tip = try? Analyzer(store: store, repository: repository, settings: settings).trackedTip() else { return models }
        let history: [ObjectID]
        do { history = try repository.commits(from: tip, firstParent: true, limit: nil) } catch { throw AnalysisError.git(error) }
        for index in models.indices {
            try await models[index].loadHistory(history, tip: tip, repository: repository, settings: settings, store: store, cached: cached[index])
        }
        return models
    }

    /// The class's table, changes and off-branch runs, over the tracked branch's first-parent `history`.
    private mutating func loadHistory(_ history: [ObjectID], tip: ObjectID, repository: GitRepository, settings: BenchBotSettings,
                                      store: any Store, cached: Task<SeriesTable?, Never>) async throws {
        let runs = try await store.latestRunIDs(repository: settings.repository.name, machine: machine, suite: settings.suite, commits: history)
        let measured = history.filter { runs[$0] != nil }
        let keys = measured.map { SeriesTable.RowKey(run: runs[$0]!, commit: $0.hex) }
        var (table, missing) = (await cached.value ?? SeriesTable(rows: [])).reused(for: keys)
        let fetched = try await store.medians(runIDs: missing.map { keys[$0].run })
        for row in missing {
            for (name, point) in fetched[keys[row].run] ?? [:] { table.set(point, benchmark: name, row: row) }
        }
        for (row, commit) in measured.enumerated() where table.commits[row] == nil {
            table.commits[row] = (try? repository.metadata(of: commit))
                ?? CommitMetadata(id: commit, parents: [], authorName: "?", authorEmail: "", authorTime: Date(timeIntervalSince1970: 0), subject: "")
        }
        commits = table.commits.compactMap { $0 }
        self.table = table.sortedByName()
        // A change found on history that a force-push has since removed has no page to show it.
        let onBranch = Set(measured)
        let found = try await store.changes(repository: settings.repository.name, machine: machine).filter { onBranch.contains($0.commit) }
        let verdicts = SuspectRecord.states(try await store.suspects(repository: settings.repository.name, machine: machine))
        // Held changes are not announced yet; with `confirm: none` a change nobody suspected is
        // announced as found.
        changes = found.filter { change in
            let state = verdicts[SuspectRecord.key(change.commit, change.benchmark, change.kind)]
            return state == .confirmed || (state == nil && settings.compare.confirm == .none)
        }
        refutedChanges = found.filter { verdicts[SuspectRecord.key($0.commit, $0.benchmark, $0.kind)] == .refuted }
        let trackedBranch = settings.repository.branches.first ?? "main"
        let jobs = try await store.offBranchJobs(repository: settings.repository.name, machine: machine, trackedBranch: trackedBranch, limit: Self.offBranchLimit)
        offBranch = try await Self.offBranchRuns(jobs, tracked: commits, machine: machine, repository: repository, tip: tip, settings: settings, store: store)
    }

    /// Every file under each experiment's folder in `folder`, but the stage's own `status.json`.
    /// Symbolic links are not followed: a script's graph folder cannot publish files from elsewhere.
    private static func graphs(in folder: String) -> [String: [(path: String, stamp: String)]] {
        let manager = FileManager.default
        var found: [String: [(path: String, stamp: String)]] = [:]
        for experiment in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted() where !experiment.hasPrefix(".") {
            let root = folder + "/" + experiment
            guard let walker = manager.enumerator(atPath: root) else { continue }
            var files: [(path: String, stamp: String)] = []
            while let path = walker.nextObject() as? String {
                guard path != "status.json", !(path as NSString).lastPathComponent.hasPrefix("."),
                      let attributes = try? manager.attributesOfItem(atPath: root + "/" + path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                files.append((path, "\(size)@\(time)"))
            }
            if !files.isEmpty { found[experiment] = files.sorted { $0.path < $1.path } }
        }
        return found
    }

    /// - Parameter tracked: The tracked branch's measured commits, oldest first.
    private static func offBranchRuns(_ jobs: [Job], tracked: [CommitMetadata], machine: String, repository: GitRepository, tip: ObjectID,
                                      settings: BenchBotSettings, store: any Store) async throws -> [OffBranchRun] {
        // A pull request's commit may be on the tracked branch already: its baseline is then the
        // measured commit before it, as the analyzer chose.
        var previous: [ObjectID: ObjectID] = [:]
        for (row, commit) in tracked.enumerated() where row > 0 { previous[commit.id] = tracked[row - 1].id }
        let onBranch = Set(tracked.map(\.id))
        var latest: [ObjectID: Job] = [:]
        for job in jobs where job.baseline != nil || job.pullRequest != nil || !onBranch.contains(job.commit) { latest[job.commit] = job }
        let chosen = latest.values.sorted { $0.id < $1.id }.suffix(offBranchLimit)
        var found: [OffBranchRun] = []
        var bases: [ObjectID: ObjectID] = [:]
        for job in chosen where job.baseline == nil {
            bases[job.commit] = onBranch.contains(job.commit) ? previous[job.commit] : (try? repository.mergeBase(job.commit, tip)) ?? nil
        }
        let ordinary = try await store.latestRunIDs(repository: settings.repository.name, machine: machine, suite: settings.suite,
                                                    commits: Array(Set(chosen.map(\.commit)).union(bases.values)))
        var pairs: [ObjectID: (baseline: ObjectID, baselineRun: Int64, candidateRun: Int64)] = [:]
        for job in chosen where job.baseline != nil {
            if let pair = try await store.pairedRuns(repository: settings.repository.name, machine: machine, candidate: job.commit) {
                pairs[job.commit] = (pair.baseline.commit, pair.baseline.id, pair.candidate.id)
            }
        }
        let medians = try await store.medians(runIDs: Array(Set(ordinary.values).union(pairs.values.flatMap { [$0.baselineRun, $0.candidateRun] })))
        func metadata(_ commit: ObjectID, _ job: Job?) -> CommitMetadata {
            (try? repository.metadata(of: commit)) ?? CommitMetadata(id: commit, parents: [], authorName: "?", authorEmail: "",
                                                                     authorTime: job?.finishedAt ?? Date(timeIntervalSince1970: 0), subject: job?.subject ?? "")
        }
        for job in chosen {
            if let pair = pairs[job.commit] {
                found.append(OffBranchRun(job: job, commit: metadata(job.commit, job), run: pair.candidateRun, results: medians[pair.candidateRun] ?? [:],
                                          baseline: (metadata(pair.baseline, nil), pair.baselineRun, medians[pair.baselineRun] ?? [:]), paired: true))
            } else if let run = ordinary[job.commit] {
                let base = bases[job.commit].flatMap { base in ordinary[base].map { (metadata(base, nil), $0, medians[$0] ?? [:]) } }
                found.append(OffBranchRun(job: job, commit: metadata(job.commit, job), run: run, results: medians[run] ?? [:], baseline: base, paired: false))
            }
        }
        return found
    }
}
