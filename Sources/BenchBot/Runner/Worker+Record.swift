import Foundation

extension Worker {
    /// Stores a job's run, the end of its leased part.
    ///
    /// Results that no store could hold (a value that is not a finite number) fail the job with
    /// what is wrong, since a second attempt would measure the same. A store that cannot be
    /// written (a full disk, an I/O error) is not the job's fault: the job goes back to the queue
    /// with the store's reason, and the worker stops, so that it neither runs more jobs into the
    /// same wall nor reports success. A store that cannot be reached (a database server restarting,
    /// a network down) is waited for, with the run in the spool.
    ///
    /// - Returns: `nil` when the run is stored; otherwise where the job stands.
    func record(_ run: RunRecord, job: Job, label: String) async -> Measured? {
        // Stages that found no room failed for the machine's sake; their job is not done.
        if let full = fullDisk() {
            return await giveBack(job, label: label, reason: "results not stored: \(full)")
        }
        if let problem = Self.unstorable(run) {
            var report = await fail(job, label: label, stage: "store", message: problem)
            if case .recorded(var failed, let tracksChanges) = report {
                failed.resultsNotStored = true
                report = .recorded(failed, tracksChanges: tracksChanges)
            }
            return report
        }
        // The spool outlives this call only when the process dies in it: every way out settles the run.
        defer { removeSpool(of: job.id) }
        var backoff = StoreBackoff()
        while true {
            do {
                _ = try await store.recordRun(run)
                return nil
            } catch where error.isLeaseLost {
                return .unrecorded(JobReport(job: job, succeeded: false, lines: ["\(label): lease lost; results not stored"]))
            } catch where error.isUnreachable && !Task.isCancelled {
                // The store checks the lease when it is back: a job another worker took meanwhile is not stored twice.
                spool(run, label: label, because: error)
                await backoff.wait()
            } catch {
                return await giveBack(job, label: label, reason: "results not stored: \(error)")
            }
        }
    }

    /// Returns a job to the queue because the machine, not the job, failed; the report stops the worker.
    func giveBack(_ job: Job, label: String, reason: String) async -> Measured {
        let returned: String
        let store = self.store, worker = identity.description
        do {
            returned = try await reserve.withRoom { () throws(StoreError) in
                try await store.returnJob(jobID: job.id, worker: worker, reason: reason, now: Date())
            } ? "the job goes back to the queue" : "its lease had already ended"
        } catch {
            // Not even this small write went through: the next worker finds the job leased by a
            // dead process and queues it again.
            returned = "the job stays leased until the next `benchbot work` takes it back"
        }
        return .unrecorded(JobReport(job: job, succeeded: false, lines: ["\(label): \(reason); \(returned)"],
                                     storeFailure: "job \(job.id) (\(job.commit.short)): \(reason); \(returned)"))
    }

    /// The spare bytes beside the store that let a full disk's last writes through.
    var reserve: StoreReserve { StoreReserve(storePath: home.resolvePath(settings.store.path)) }

    /// The first of the home's folders, the raw data folder and the store's folder whose disk has
    /// no room left, said for people; `nil` when each has room.
    func fullDisk() -> String? {
        let folders = [home.root, home.resolvePath(config.dashboard.temporaryDataDirectory),
                       (home.resolvePath(settings.store.path) as NSString).deletingLastPathComponent]
        for folder in folders {
            if let free = FreeSpace.bytes(at: folder), free < Self.fullDiskMargin {
                return "the disk holding \(folder) is full (\(free) bytes free); free some space, then run `benchbot work` again"
            }
        }
        return nil
    }

    /// Below this many free bytes a disk counts as full: SQLite, logs and data files all need a few pages.
    static let fullDiskMargin: UInt64 = 256 * 1024

    /// Why a run cannot be stored as it is, naming the benchmark, or `nil`.
    static func unstorable(_ run: RunRecord) -> String? {
        let all = run.results + (run.pairedBaseline?.results ?? [])
        guard let bad = all.first(where: { !$0.samples.allSatisfy(\.isFinite) }) else { return nil }
        let value = bad.samples.first { !$0.isFinite }.map { "\($0)" } ?? "?"
        return "benchmark \(bad.benchmark) has a sample (\(value)) that is not a finite number; fix the experiment's data.json"
    }
}

/// The worker stopped because the store could not be written; what it was doing is said once.
public struct WorkerStopped: Error, Sendable, CustomStringConvertible {
    public let description: String
}
