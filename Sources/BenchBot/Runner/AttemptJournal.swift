import Foundation

/// The data files a job's attempt writes under `results/experiments/data/`, accounted for so
/// that a killed attempt leaves nothing behind for long.
///
/// Each file is written under a temporary name in a hidden scratch folder beside the data and
/// renamed into place, so a reader never sees half a file. An attempt leaves a marker naming its
/// run; the marker goes once the run (or the job's failure) is stored. The next worker finds the
/// markers of attempts that died, removes the data files of those whose run never reached the
/// store, and empties the scratch folder. One worker runs per home, so whatever it finds there
/// at its start belongs to the dead.
struct AttemptJournal: Sendable {
    let home: Home

    var dataRoot: String { home.path("results", "experiments", "data") }
    /// Hidden, so that the Relay stages that list the data folder never see it.
    var scratch: String { (dataRoot as NSString).appendingPathComponent(".benchbot-partial") }

    /// Writes `data` to `path` (a file under the data folder) by a rename, after a write to a
    /// temporary file in the scratch folder.
    static func writeAtomically(_ data: Data, to path: String, home: Home) throws {
        let scratch = AttemptJournal(home: home).scratch
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let temporary = (scratch as NSString).appendingPathComponent("\(UUID().uuidString).tmp")
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            FaultPoint.dataWritten.reach()
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                                                               NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Marks the start of an attempt whose data files are named after `context.runStem`.
    func begin(_ context: StageContext) {
        let marker = Marker(commit: context.commit.hex, startedAt: context.startedAt.timeIntervalSince1970)
        guard let data = try? JSONEncoder().encode(marker) else { return }
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: markerPath(context.runStem)))
    }

    /// The attempt's run, or its failure, is stored: its data files stay.
    func end(_ context: StageContext) {
        try? FileManager.default.removeItem(atPath: markerPath(context.runStem))
    }

    /// Removes what attempts that died left: their data files unless their run was stored, and
    /// every temporary file.
    ///
    /// - Returns: How many data files were removed.
    @discardableResult
    func cleanUp(store: any Store, repository: String) async -> Int {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: scratch) else { return 0 }
        var removed = 0
        for name in names {
            let path = (scratch as NSString).appendingPathComponent(name)
            guard name.hasSuffix(Self.markerSuffix) else {
                try? manager.removeItem(atPath: path)
                continue
            }
            let stem = String(name.dropLast(Self.markerSuffix.count))
            guard let data = manager.contents(atPath: path), let marker = try? JSONDecoder().decode(Marker.self, from: data),
                  let commit = ObjectID(hex: marker.commit)
            else {
                try? manager.removeItem(atPath: path)
                continue
            }
            // A store that cannot be read now keeps the marker for the next look.
            guard let runs = try? await store.runs(repository: repository, commit: commit) else { continue }
            if !runs.contains(where: { abs($0.startedAt.timeIntervalSince1970 - marker.startedAt) < 0.001 }) {
                for experiment in (try? manager.contentsOfDirectory(atPath: dataRoot)) ?? [] where !experiment.hasPrefix(".") {
                    let file = (dataRoot as NSString).appendingPathComponent("\(experiment)/data_\(stem).json")
                    if (try? manager.removeItem(atPath: file)) != nil { removed += 1 }
                }
            }
            try? manager.removeItem(atPath: path)
        }
        return removed
    }

    private func markerPath(_ stem: String) -> String {
        (scratch as NSString).appendingPathComponent(stem + Self.markerSuffix)
    }

    private static let markerSuffix = ".attempt"

    private struct Marker: Codable {
        let commit: String
        let startedAt: Double
    }
}
