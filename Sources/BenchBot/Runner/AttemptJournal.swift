import Foundation

/// The data files a job's attempt writes under `results/experiments/data/`, accounted for so
/// that a killed attempt leaves nothing behind for long.
///
/// Each file is written under a hidden temporary name beside its final one and renamed into
/// place, so a reader never sees half a file, and nothing but data files ever sits in the data
/// folder itself, which Relay scripts list. An attempt leaves a marker naming its run under
/// `cache/attempts/`; the marker goes once the run is stored. The next
/// worker finds the markers of attempts that died, removes the data files of those whose run never
/// reached the store, and every temporary file. One worker runs per home, so whatever it finds at
/// its start belongs to the dead.
struct AttemptJournal: Sendable {
    let home: Home

    var dataRoot: String { home.path("results", "experiments", "data") }
    var markers: String { home.path("cache", "attempts") }

    /// Ends the name of a file being written: hidden, and known to the cleanup.
    static let temporarySuffix = ".benchbot-partial"

    /// Writes `data` to `path` by a rename, after a write to a hidden temporary file beside it.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\(name).\(UUID().uuidString)\(temporarySuffix)")
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
        try? FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: markerPath(context.runStem)), options: .atomic)
    }

    /// The attempt's run is stored: its data files stay. A job that failed instead keeps its
    /// marker, and the next worker removes the data files no stored run refers to.
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
        let experiments = ((try? manager.contentsOfDirectory(atPath: dataRoot)) ?? []).filter { !$0.hasPrefix(".") }
        for experiment in experiments {
            let folder = (dataRoot as NSString).appendingPathComponent(experiment)
            for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(Self.temporarySuffix) {
                try? manager.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
            }
        }
        var removed = 0
        for name in (try? manager.contentsOfDirectory(atPath: markers)) ?? [] {
            let path = (markers as NSString).appendingPathComponent(name)
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
                for experiment in experiments {
                    let file = (dataRoot as NSString).appendingPathComponent("\(experiment)/data_\(stem).json")
                    if (try? manager.removeItem(atPath: file)) != nil { removed += 1 }
                }
            }
            try? manager.removeItem(atPath: path)
        }
        return removed
    }

    private func markerPath(_ stem: String) -> String {
        (markers as NSString).appendingPathComponent(stem + Self.markerSuffix)
    }

    private static let markerSuffix = ".attempt"

    private struct Marker: Codable {
        let commit: String
        let startedAt: Double
    }
}
