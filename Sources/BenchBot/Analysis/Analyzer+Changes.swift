public import Compare
public import Foundation

extension Analyzer {
    /// Commits a known change point may move by, as more history places it better, and still be
    /// the same change: it is then updated, not reported again.
    static let sameChangeDistance = 3

    /// Runs change-point detection over each benchmark's history on the tracked branch and stores
    /// what it finds.
    ///
    /// - Parameters:
    ///   - tip: Where the history ends, normally the tracked branch's tip.
    ///   - now: When this detection ran.
    /// - Returns: The change points found for the first time; each is returned by exactly one call.
    public func trackChanges(endingAt tip: ObjectID, now: Date = Date()) async throws -> [ChangeRecord] {
        let history = try await history(endingAt: tip)
        let known = try await store.changes(repository: repositoryName, machine: machine)
        var new: [ChangeRecord] = []
        var moved: [ChangeRecord] = []
        for (name, series) in history.sorted(by: { $0.key < $1.key }) {
            let positions = Dictionary(uniqueKeysWithValues: series.enumerated().map { ($1.commit, $0) })
            let detector = ChangePointDetector(minimumEffect: policy.minimumEffects[name] ?? policy.minimumEffect)
            // A change too near an end of the history cannot yet be told from a slow stretch of
            // the machine. A paired A/B job settles it; without confirmation it waits for the
            // commits that will, and is found again then.
            let settled = settings.compare.confirm == .paired
            for change in detector.detect(series.map { [$0.point.median] }) where settled || !change.isTentative {
                let point = series[change.index]
                let record = ChangeRecord(benchmark: name, commit: point.commit, kind: ChangeKind(ratio: change.ratio, direction: point.point.direction),
                                          unit: point.point.unit, before: change.before, after: change.after, pValue: change.pValue, detectedAt: now)
                let same = known.first { existing in
                    existing.benchmark == name && existing.kind == record.kind
                        && positions[existing.commit].map { abs($0 - change.index) <= Self.sameChangeDistance } == true
                }
                if var same {
                    guard same.commit != record.commit else { continue }
                    same.commit = record.commit
                    same.before = record.before
                    same.after = record.after
                    same.pValue = record.pValue
                    same.detectedAt = now
                    moved.append(same)
                } else {
                    new.append(record)
                }
            }
        }
        return try await store.saveChanges(repository: repositoryName, machine: machine, new: new, moved: moved)
    }

    /// Queues, for each stored change point that follows unmeasured commits, the middle one of them:
    /// as each is measured, detection moves the change point, until it follows a measured commit.
    ///
    /// - Returns: The commits queued.
    public func queueBisectionMidpoints() async throws -> [ObjectID] {
        var queued: [ObjectID] = []
        for change in try await store.changes(repository: repositoryName, machine: machine) {
            let ancestors: [ObjectID]
            do { ancestors = try repository.commits(from: change.commit, firstParent: true, limit: historyLimit).dropLast().reversed() } catch { continue }
            let measured = try await store.latestRunIDs(repository: repositoryName, machine: machine, suite: settings.suite, commits: ancestors)
            // Newest first: the commits between the change and the previous measured one.
            let unmeasured = Array(ancestors.prefix { measured[$0] == nil })
            guard !unmeasured.isEmpty, unmeasured.count < ancestors.count else { continue }
            let midpoint = unmeasured[unmeasured.count / 2]
            try await queue(midpoint, priority: 150)
            queued.append(midpoint)
        }
        return queued
    }

    /// relay-bench's `stat_alert` over each benchmark's history, by commit time, when configured.
    ///
    /// - Returns: The benchmarks whose latest value is outside the band, with the alert.
    public func statAlerts(endingAt tip: ObjectID) async throws -> [(benchmark: String, commit: ObjectID, unit: String, alert: StatAlert.Alert)] {
        guard let settings = settings.compare.statAlert else { return [] }
        let rule = StatAlert(deviations: settings.deviations, window: settings.windowDays * 24 * 3600)
        var alerts: [(benchmark: String, commit: ObjectID, unit: String, alert: StatAlert.Alert)] = []
        var times: [ObjectID: Double] = [:]
        for (name, series) in try await history(endingAt: tip).sorted(by: { $0.key < $1.key }) {
            let points = series.map { entry in
                let time = times[entry.commit] ?? (try? repository.metadata(of: entry.commit).authorTime.timeIntervalSince1970) ?? 0
                times[entry.commit] = time
                return (time: time, value: entry.point.median)
            }
            if let alert = rule.check(points), let last = series.last { alerts.append((name, last.commit, last.point.unit, alert)) }
        }
        return alerts
    }

    /// The tracked branch's tip in the mirror, or `commit` when it is not on that branch.
    public func historyTip(for commit: ObjectID) -> ObjectID? {
        guard let tip = try? trackedTip() else { return nil }
        return (try? repository.isAncestor(commit, of: tip)) == true ? tip : nil
    }
}
