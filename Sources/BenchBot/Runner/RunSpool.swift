import Foundation

/// A measured run kept on the worker's disk while the store cannot be reached.
///
/// A worker that loses its database finishes the benchmark it is running and keeps what it
/// measured here, under `spool/` in its home, until the store answers again. When the worker dies
/// meanwhile, its successor on the same home stores the spooled run under the dead worker's lease,
/// if that lease still holds the job, instead of measuring the commit again.
struct RunSpool: Codable, Sendable {
    var jobID: Int64
    var worker: String
    var startedAt: Date
    var finishedAt: Date
    var environment: [String: String]
    var results: [BenchmarkResult]
    var experiments: [ExperimentOutcome]
    /// Each telemetry record's experiment, kind and document as compact JSON.
    var telemetry: [Telemetry]

    struct Telemetry: Codable, Sendable {
        var experiment: String
        var kind: TelemetryRecord.Kind
        var document: Data
    }

    init(_ run: RunRecord) {
        jobID = run.jobID
        worker = run.worker
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        environment = run.environment
        results = run.results
        experiments = run.experiments
        telemetry = run.telemetry.map { Telemetry(experiment: $0.experiment, kind: $0.kind, document: $0.document.compactJSON()) }
    }

    /// The measured part of the run: what is judged and announced is worked out again from the store.
    var run: RunRecord {
        RunRecord(jobID: jobID, worker: worker, startedAt: startedAt, finishedAt: finishedAt, environment: environment, results: results,
                  experiments: experiments,
                  telemetry: telemetry.compactMap { record in
                      (try? JSONValue.parse(record.document)).map { TelemetryRecord(experiment: record.experiment, kind: record.kind, document: $0) }
                  })
    }

    /// The spool file of a job, in `folder`.
    static func path(jobID: Int64, in folder: String) -> String {
        (folder as NSString).appendingPathComponent("job-\(jobID).json")
    }

    /// Writes the file whole, through a temporary one renamed over it, and syncs it: a spool
    /// that a crash left half-written would be worse than none.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let data = try encoder.encode(self)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    static func read(from path: String) throws -> RunSpool {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(RunSpool.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
