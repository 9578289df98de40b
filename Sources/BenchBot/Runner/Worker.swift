import Foundation
public import Logging

/// Leases jobs from the store and runs them: checkout, build, experiments, results.
///
/// One worker runs per home at a time (benchmarks sharing a machine measure each other). A
/// worker that finds a job leased by a predecessor that died on this machine kills what that
/// predecessor left running and takes the job back.
public struct Worker: Sendable {
    /// How long a worker keeps at it.
    public enum Mode: Sendable, Hashable {
        /// At most one job.
        case once
        /// Until the queue is empty.
        case drain
        /// Until stopped, looking for new jobs every `pollInterval` when the queue is empty.
        case forever(pollInterval: Duration)
    }

    /// What happened to one job.
    public struct JobReport: Sendable, Hashable {
        public let job: Job
        public let succeeded: Bool
        /// One line for people, and one per change announced or held.
        public var lines: [String]
        /// What `work --verbose` adds: each experiment, where each notification went.
        public var details: [String] = []
        /// How each experiment went, for the night's run report.
        public var outcomes: [ExperimentOutcome] = []
        /// Set when the store could not be written: the worker stops after this report.
        public var storeFailure: String? = nil
        /// The job measured results that no store could hold, and failed for it.
        public var resultsNotStored = false
        /// The site's update after the job, when it was updated.
        public var siteUpdate: SiteUpdate? = nil
    }

    public let home: Home
    public let config: HomeConfig
    public let store: any Store
    public let logger: Logger
    public let identity: WorkerIdentity
    let builder: Builder

    public init(home: Home, config: HomeConfig, store: any Store, logger: Logger = Logger(label: "benchbot.worker")) {
        self.home = home
        self.config = config
        self.store = store
        self.logger = logger
        self.identity = .current
        let intake = Intake(home: home, config: config, store: store, logger: logger)
        self.builder = Builder(home: home, settings: config.benchbot, mirror: intake.mirror)
    }

    var settings: BenchBotSettings { config.benchbot }

    /// Runs jobs until `mode` says to stop.
    ///
    /// - Parameters:
    ///   - mode: One job, the whole queue, or forever.
    ///   - onReport: Called after each job.
    /// - Returns: `false` when another worker already runs on this home, so nothing was done.
    /// - Throws: ``StoreError`` when the store fails, ``WorkerStopped`` when a job's end could not be stored.
    @discardableResult
    public func run(_ mode: Mode, onReport: @Sendable (JobReport) -> Void = { _ in }) async throws -> Bool {
        let lock: FileLock?
        do {
            lock = try FileLock.acquireIfFree(at: home.lockPath("worker-\(settings.repository.name)"))
        } catch {
            throw StoreError.unavailable(error.path, detail: error.reason)
        }
        guard let lock else {
            logger.info("another worker runs on \(home.root); this one stops here")
            return false
        }
        defer { withExtendedLifetime(lock) {} }

        await beat(.working)
        var lastBeat = ContinuousClock.now
        // Runs a dead predecessor measured are stored before its leases are ended: they still hold the jobs.
        for report in try await storeSpooledRuns() { onReport(report) }
        try await reclaimJobsOfDeadWorkers()
        let removed = await AttemptJournal(home: home).cleanUp(store: store, repository: settings.repository.name)
        if removed > 0 { logger.warning("removed \(removed) data file(s) of attempts that were stopped before their runs were stored") }
        var backoff = StoreBackoff()
        while !Task.isCancelled {
            // Given up on a full disk, the reserve comes back once there is room.
            reserve.ensure()
            // A job leased on a full disk would only fail and spend one of its attempts.
            if let full = fullDisk() { throw WorkerStopped(description: full) }
            let leased: Job?
            switch await leaseNextJob() {
            case .leased(let job):
                leased = job
                backoff = StoreBackoff()
            case .unreachable(let error) where mode != .once && !Task.isCancelled:
                // A worker left running waits out a database restart instead of ending with it.
                logger.warning("\(error); asking again in \(backoff.pause)")
                await backoff.wait()
                continue
            case .unreachable(let error), .failed(let error):
                throw error
            }
            guard let job = leased else {
                guard case .forever(let interval) = mode else {
                    await beat(.stopped)
                    return true
                }
                // A short poll interval must not write a beat at each look: a third of a lease is often enough.
                if ContinuousClock.now - lastBeat >= settings.runner.leaseDuration / 3 {
                    await beat(.working)
                    lastBeat = .now
                }
                // Idle: the retries that fell due go out now, not after the next job.
                for line in await dispatchNotifications() { logger.info("\(line.trimmingCharacters(in: .whitespaces))") }
                try? await Task.sleep(for: interval)
                // A store that cannot be reached now is asked again at the next lease.
                try? await reclaimJobsOfDeadWorkers()
                continue
            }
            FaultPoint.jobLeased.reach()
            let report = await execute(job)
            onReport(report)
            if let failure = report.storeFailure { throw WorkerStopped(description: failure) }
            if mode == .once {
                await beat(.stopped)
                return true
            }
        }
        await beat(.stopped)
        return true
    }

    /// What asking the store for a job gave.
    private enum LeaseAnswer {
        case leased(Job?)
        case unreachable(StoreError)
        case failed(StoreError)
    }

    private func leaseNextJob() async -> LeaseAnswer {
        do {
            return .leased(try await store.leaseNextJob(
                machine: settings.machine, worker: identity.description, leaseDuration: settings.runner.leaseDuration, now: Date()))
        } catch {
            return error.isUnreachable ? .unreachable(error) : .failed(error)
        }
    }

    /// Tells the store this worker lives, and what it does; a store that cannot take the beat
    /// now takes the next one. The store keeps the first beat's time as the worker's start.
    func beat(_ state: WorkerBeat.State) async {
        let now = Date()
        try? await store.beat(WorkerBeat(identity: identity.description, name: settings.machineName, machine: settings.machine,
                                         repository: settings.repository.name, startedAt: now, heartbeatAt: now, state: state))
    }

    /// Kills what dead predecessors on this machine left running, and ends their leases.
    func reclaimJobsOfDeadWorkers() async throws {
        for job in try await store.jobs(in: [.running], limit: nil) where job.machine == settings.machine {
            guard let owner = job.leaseOwner, let previous = WorkerIdentity(owner), previous.diedOnThisHost else { continue }
            let killed = ProcessScan.killAll(withEnvironment: Self.workerVariable, equalTo: owner)
            if try await store.expireLease(jobID: job.id, owner: owner, now: Date()) {
                logger.warning("job \(job.id) (\(job.commit.short)) was leased by \(owner), which died; killed the \(killed) process(es) it left; the job goes back to the queue")
            }
        }
    }

    /// Every process a worker starts carries its identity in this variable, so a successor can
    /// find what it left behind.
    static let workerVariable = "BENCHBOT_WORKER"
}
