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
    ///   - detector: The detector and its thresholds.
    ///   - now: When this detection ran.
    /// - Returns: The change points found for the first time; each is returned by exactly one call.
    public func trackChanges(endingAt tip: ObjectID, detector: ChangePointDetector = ChangePointDetector(), now: Date = Date()) async throws -> [ChangeRecord] {
        let history = try await history(endingAt: tip)
        let known = try await store.changes(repository: repositoryName, machine: machine)
        var new: [ChangeRecord] = []
        var moved: [ChangeRecord] = []
        for (name, series) in history.sorted(by: { $0.key < $1.key }) {
            let positions = Dictionary(uniqueKeysWithValues: series.enumerated().map { ($1.commit, $0) })
            for change in detector.detect(series.map { [$0.point.median] }) {
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

    /// The tracked branch's tip in the mirror, or `commit` when it is not on that branch.
    public func historyTip(for commit: ObjectID) -> ObjectID? {
        guard let tip = try? repository.resolve("refs/remotes/origin/\(trackedBranch)") else { return nil }
        return (try? repository.isAncestor(commit, of: tip)) == true ? tip : nil
    }
}
