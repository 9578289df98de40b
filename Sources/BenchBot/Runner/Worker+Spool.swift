import Foundation

/// The growing pauses between tries at a store that cannot be reached: 0.25 s, doubling up to 15 s.
struct StoreBackoff {
    /// The next pause.
    private(set) var pause: Duration = .milliseconds(250)
    static let longest: Duration = .seconds(15)

    mutating func wait() async {
        try? await Task.sleep(for: pause)
        pause = min(pause * 2, Self.longest)
    }
}

extension Worker {

    /// Where this home's workers keep measured runs while the store cannot be reached.
    var spoolFolder: String { home.path("spool") }

    /// Waits, with growing pauses, while the store cannot be reached, the measured run spooled
    /// meanwhile; then renews the job's lease.
    ///
    /// - Returns: `nil` when the store answers and the lease is still this worker's (or the store
    ///   failed otherwise, which storing the run then reports); the job's end when the lease was lost.
    func untilStoreAnswers(_ job: Job, keeping run: RunRecord, label: String) async -> Measured? {
        var backoff = StoreBackoff()
        while true {
            do {
                if try await store.renewLease(jobID: job.id, worker: run.worker, leaseDuration: settings.runner.leaseDuration, now: Date()) {
                    return nil
                }
                removeSpool(of: job.id)
                return .unrecorded(JobReport(job: job, succeeded: false,
                                             lines: ["\(label): the lease ended while the store could not be reached; results not stored"]))
            } catch where error.isUnreachable && !Task.isCancelled {
                spool(run, label: label, because: error)
                await backoff.wait()
            } catch {
                return nil
            }
        }
    }

    /// Keeps the run in the spool, once, and says so.
    func spool(_ run: RunRecord, label: String, because error: StoreError) {
        let path = RunSpool.path(jobID: run.jobID, in: spoolFolder)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        do {
            try RunSpool(run).write(to: path)
            logger.warning("\(label): \(error); the measured run is kept in \(home.display(path)) until the store answers")
        } catch {
            logger.warning("\(label): the store cannot be reached, and the run cannot be spooled either (\(error)); it is kept in memory only")
        }
    }

    func removeSpool(of jobID: Int64) {
        try? FileManager.default.removeItem(atPath: RunSpool.path(jobID: jobID, in: spoolFolder))
    }

    /// Stores the runs that workers of this home spooled and died holding, while their leases
    /// still hold the jobs: the commit is not measured again. A spool whose job moved on (its lease
    /// expired and another worker took it) is dropped.
    ///
    /// - Returns: One report per spooled run stored or dropped.
    func storeSpooledRuns() async throws(StoreError) -> [JobReport] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: spoolFolder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { return [] }
        let running = try await store.jobs(in: [.running], limit: nil)
        var reports: [JobReport] = []
        for file in files {
            let path = (spoolFolder as NSString).appendingPathComponent(file)
            guard let spooled = try? RunSpool.read(from: path) else {
                logger.warning("\(home.display(path)) is not a spooled run BenchBot can read; it is removed, and its job measured again")
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            guard let job = running.first(where: { $0.id == spooled.jobID && $0.leaseOwner == spooled.worker }),
                  let owner = WorkerIdentity(spooled.worker), owner.diedOnThisHost else {
                logger.info("job \(spooled.jobID): its spooled run is dropped: the job is no longer held by \(spooled.worker)")
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            let label = "job \(job.id) (\(job.commit.short)), spooled by \(spooled.worker)"
            switch await finish(job, measured: spooled.run, label: label, announced: []) {
            // As after any stored run: a successor that stored it tracks its changes and updates the site.
            case .recorded(let report, let tracksChanges): reports.append(await afterRecording(job, report, tracksChanges: tracksChanges))
            case .unrecorded(let report): reports.append(report)
            }
        }
        return reports
    }
}
