public import Foundation
public import Notify

/// Where BenchBot keeps repositories, commits, jobs, runs and results.
///
/// The SQLite implementation serves one machine; the protocol is the seam where a PostgreSQL
/// implementation can serve several. Every method is one transaction: it happens entirely or
/// not at all, whatever other processes do at the same time.
public protocol Store: JobQueue, NotificationOutbox, DeliveryStore {
    /// Where the store is, for people: the SQLite file's path, or the database's URL, which never
    /// holds a password.
    var locationDescription: String { get }

    /// Finished jobs that measured something besides the tracked branch's history: paired A/B
    /// jobs, pull requests, forks' branches, and branches other than `trackedBranch`; not the paired
    /// jobs that confirm the tracked branch's suspected changes, which belong to its history.
    ///
    /// - Parameter limit: At most this many, the newest; returned oldest first.
    func offBranchJobs(repository: String, machine: String, trackedBranch: String, limit: Int) async throws(StoreError) -> [Job]

    /// Marks a leased job failed for good, with the reason, and queues what tells people, in one transaction.
    ///
    /// - Throws: ``StoreError`` when the worker no longer holds the lease.
    func failJob(jobID: Int64, worker: String, message: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError)

    /// Stores a finished run with its results and marks its job done, in one transaction.
    ///
    /// - Returns: The run's identifier.
    /// - Throws: ``StoreError`` when the worker no longer holds the job's lease; nothing is stored then.
    func recordRun(_ run: RunRecord) async throws(StoreError) -> Int64

    /// Stores results measured elsewhere (a CI job) in the imported run of the request's one commit,
    /// in one transaction: its job is created, or marked done if it was queued.
    ///
    /// A commit has one imported run. Without `replace`, the results are added to it (or start it);
    /// a series it already holds is refused, so nothing is stored. With `replace`, it holds these
    /// results only. Contents whose digests are all stored for the job already store nothing.
    /// `failures`, the benchmarks the tool marked failed, become failed outcomes of the run (stage
    /// `run`, the tool's reason as the message), so reports show them beside the results.
    ///
    /// - Parameter contentDigests: The SHA-256 of each file the results came from.
    /// - Returns: The run, and what this call did to it.
    func importRun(_ request: EnqueueRequest, startedAt: Date, finishedAt: Date, environment: [String: String],
                   results: [BenchmarkResult], failures: [BenchmarkFailure], contentDigests: [String],
                   replace: Bool) async throws(StoreError) -> ImportedRun

    /// The imported run of the request's one commit, if it has one, for an import to check its files
    /// against before storing anything.
    func importedRun(_ request: EnqueueRequest) async throws(StoreError) -> ImportedRunContents?

    /// The runs of one commit, oldest first, with their results.
    func runs(repository: String, commit: ObjectID) async throws(StoreError) -> [StoredRun]

    /// The newest ordinary run (not half of a paired A/B run) of the suite on `machine` of each of
    /// `commits` that has one.
    func latestRunIDs(repository: String, machine: String, suite: String, commits: [ObjectID]) async throws(StoreError) -> [ObjectID: Int64]

    /// The machine classes with a run of `suite` of `repository`, by name: the site gives each its
    /// pages, classes no longer configured among them, so that their history stays readable.
    func runMachines(repository: String, suite: String) async throws(StoreError) -> [String]

    /// The newest paired A/B run of `candidate` on `machine`: both halves, measured alternately.
    func pairedRuns(repository: String, machine: String, candidate: ObjectID) async throws(StoreError) -> (baseline: StoredRun, candidate: StoredRun)?

    /// One run, with its results; `nil` when there is none with that id.
    func run(id: Int64) async throws(StoreError) -> StoredRun?

    /// Each run's benchmarks by ``BenchmarkResult/displayName``, with their stored medians: enough
    /// for history analysis without decoding a single sample.
    func medians(runIDs: [Int64]) async throws(StoreError) -> [Int64: [String: SeriesPoint]]

    /// Every change point found so far, oldest first.
    func changes(repository: String, machine: String) async throws(StoreError) -> [ChangeRecord]

    /// Stores newly found change points and moves known ones that more history placed better, in
    /// one transaction. A change point already stored at the same commit is not stored again.
    ///
    /// - Returns: The new ones that were stored: each change is returned here exactly once.
    func saveChanges(repository: String, machine: String, new: [ChangeRecord], moved: [ChangeRecord]) async throws(StoreError) -> [ChangeRecord]

    /// Holds suspected changes and queues (or queues again) the paired A/B job that confirms them,
    /// in one transaction. A suspect known already by commit, benchmark and kind is not held again.
    ///
    /// - Returns: The suspects held now.
    func holdSuspects(_ suspicion: Suspicion, now: Date) async throws(StoreError) -> [SuspectRecord]

    /// Every suspected change, held, confirmed or refuted, oldest first.
    func suspects(repository: String, machine: String) async throws(StoreError) -> [SuspectRecord]

    /// The suspects a confirmation job is still to decide.
    func heldSuspects(confirmationJobID: Int64) async throws(StoreError) -> [SuspectRecord]

    /// Records verdicts reached without a run, as when a confirmation job failed for good, with
    /// what tells people, in one transaction; a suspect decided already is left alone.
    func resolveSuspects(_ resolutions: [SuspectResolution], confirmationJobID: Int64, notifications: [OutgoingMessage], now: Date) async throws(StoreError)

}

/// The queue of jobs that workers lease: what every store keeps first, and what many machines share.
public protocol JobQueue: Sendable {
    /// Records commits and queues one job per commit, oldest first.
    ///
    /// A job is unique by repository, commit, suite and machine: queuing it again changes
    /// nothing (unless `request.rerun` asks for a finished job to run again).
    ///
    /// - Parameter request: The commits and how to queue them.
    /// - Returns: Which commits got a new job and which already had one.
    /// - Throws: ``StoreError``.
    func enqueue(_ request: EnqueueRequest) async throws(StoreError) -> EnqueueOutcome

    /// The last tip intake saw for a branch, or `nil` before the first poll or push.
    func branchTip(repository: String, branch: String) async throws(StoreError) -> ObjectID?

    /// Jobs, oldest first.
    ///
    /// - Parameters:
    ///   - states: Only jobs in these states; all when `nil`.
    ///   - limit: At most this many, the newest ones, when set.
    func jobs(in states: Set<JobState>?, limit: Int?) async throws(StoreError) -> [Job]

    /// How many jobs are in each state, over the whole queue.
    func countJobs() async throws(StoreError) -> [JobState: Int]

    /// Records a worker's beat, replacing its last one, and forgets workers silent for
    /// ``WorkerBeat/forgottenAfter``.
    func beat(_ worker: WorkerBeat) async throws(StoreError)

    /// Every worker's last beat, on any machine sharing the store, by class and name.
    func workers() async throws(StoreError) -> [WorkerBeat]

    /// Leases the next queued job for a machine, highest priority first, then oldest first.
    ///
    /// Jobs whose lease has expired (their worker died) go back to the queue first, or fail once
    /// they have used all their attempts.
    ///
    /// - Parameters:
    ///   - machine: The machine the job must be measured on.
    ///   - worker: A name for this worker, unique while it lives (host and process id).
    ///   - leaseDuration: How long the lease lasts without a heartbeat.
    ///   - now: The current time.
    /// - Returns: The leased job, now `running`, or `nil` when the queue is empty.
    func leaseNextJob(machine: String, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Job?

    /// Extends a running job's lease; the heartbeat of a live worker.
    ///
    /// - Returns: `false` when the lease is no longer this worker's, so it must stop the job.
    func renewLease(jobID: Int64, worker: String, leaseDuration: Duration, now: Date) async throws(StoreError) -> Bool

    /// Ends a lease at once, so the next ``leaseNextJob(machine:worker:leaseDuration:now:)`` retries
    /// the job; for a worker known to be dead, whose lease would otherwise hold until it expires.
    ///
    /// - Returns: `false` when `owner` no longer held the lease.
    func expireLease(jobID: Int64, owner: String, now: Date) async throws(StoreError) -> Bool

    /// Gives a leased job back to the queue with the reason its results could not be stored, so
    /// that its next attempt, and `status`, say why; once every attempt is used, fails it with
    /// that reason instead.
    ///
    /// - Returns: `false` when the worker no longer held the lease.
    func returnJob(jobID: Int64, worker: String, reason: String, now: Date) async throws(StoreError) -> Bool

    /// Cancels the queued, not yet running, jobs of a branch, as when it is deleted.
    ///
    /// - Returns: How many jobs were cancelled.
    func cancelQueuedJobs(repository: String, branch: String, now: Date) async throws(StoreError) -> Int
}

/// The outbox: messages to people, each sent exactly once, by any number of senders.
public protocol NotificationOutbox: Sendable {
    /// Adds messages to the outbox, each once by its key; ``recordRun(_:)`` adds a run's own in its transaction.
    func enqueueNotifications(_ messages: [OutgoingMessage], now: Date) async throws(StoreError)

    /// Leases the notifications due now for sending, marking them `sending`.
    ///
    /// First, a `sending` notification whose sender's lease expired or whose sender `isDead` goes
    /// back to `pending` if its destination is idempotent, and to `uncertain` otherwise.
    ///
    /// - Parameters:
    ///   - owner: This sender's name, unique while it lives (host and process id).
    ///   - isDead: Whether a lease owner is known to have died.
    ///   - leaseDuration: How long a send may take before another sender may decide about it.
    ///   - now: The current time.
    ///   - limit: At most this many.
    func claimNotifications(owner: String, isDead: @escaping @Sendable (String) -> Bool, leaseDuration: Duration,
                            now: Date, limit: Int) async throws(StoreError) -> [QueuedNotification]

    /// Keeps a notification being sent leased to `owner` until `expiresAt`: a send of many
    /// requests (a pull request's pages of comments) may outlast one lease.
    ///
    /// - Returns: `false` when `owner` no longer held it.
    func renewNotificationLease(id: Int64, owner: String, expiresAt: Date) async throws(StoreError) -> Bool

    /// Records how an attempt ended.
    ///
    /// - Returns: `false` when `owner` no longer held the notification, and nothing was changed.
    func settleNotification(id: Int64, owner: String, _ settlement: NotificationSettlement, now: Date) async throws(StoreError) -> Bool

    /// The outbox, oldest first: the newest `limit` in `states` (all states when `nil`).
    func notifications(in states: Set<QueuedNotification.State>?, limit: Int?) async throws(StoreError) -> [QueuedNotification]

    /// Which of `keys` the outbox holds already, and how each stands: a message is stored once by
    /// its key, so a rerun can say why it sends nothing.
    func storedNotifications(keys: [String]) async throws(StoreError) -> [String: StoredNotificationMark]

    /// Puts `failed` or `uncertain` notifications back in the queue, due now, with a new deadline.
    ///
    /// - Returns: How many.
    func retryNotifications(in states: Set<QueuedNotification.State>, now: Date) async throws(StoreError) -> Int

    /// How many outbox messages are in each state.
    func countNotifications() async throws(StoreError) -> [QueuedNotification.State: Int]
}

/// GitHub's deliveries, and what `benchbot serve` and `poll --pull-requests` keep.
public protocol DeliveryStore: Sendable {
    /// Keeps an accepted delivery, before GitHub is answered.
    ///
    /// - Parameter durability: Whether it must be on the disk, or in the operating system's hands,
    ///   when this returns.
    /// - Returns: `false` when a delivery with this id was kept before: a redelivery, which changes nothing.
    func recordDelivery(_ delivery: WebhookDelivery, durability: DeliveryDurability) async throws(StoreError) -> Bool

    /// Deliveries still to apply whose next attempt is due, oldest first.
    func dueDeliveries(now: Date, limit: Int) async throws(StoreError) -> [WebhookDelivery]

    /// Applies deliveries: queues their jobs, cancels, queues their messages and marks them
    /// processed, all in one transaction; nothing for one no longer `received` (another process
    /// applied it).
    ///
    /// - Returns: What each delivery did, in the order given.
    func applyDeliveries(_ batch: [(id: String, effects: DeliveryEffects)], now: Date) async throws(StoreError) -> [AppliedDelivery]

    /// Stores effects that no delivery carried, such as a poll's view of one pull request: its
    /// jobs, cancels and messages, in one transaction. Repeats queue nothing twice, as
    /// ``applyDeliveries(_:now:)``'s do.
    func applyEffects(_ effects: DeliveryEffects, now: Date) async throws(StoreError) -> AppliedDelivery

    /// Records a failed attempt at applying a delivery: it is tried again at `retryAt`, or marked
    /// `failed` with the reason when `retryAt` is `nil`.
    func deferDelivery(id: String, reason: String, retryAt: Date?, now: Date) async throws(StoreError)

    /// The newest deliveries, newest first.
    func deliveries(limit: Int) async throws(StoreError) -> [WebhookDelivery]

    /// How many notifications are in each state, over the whole outbox.
    func countNotifications() async throws(StoreError) -> [QueuedNotification.State: Int]

    /// How many deliveries are in each state.
    func countDeliveries() async throws(StoreError) -> [WebhookDelivery.State: Int]

    /// The jobs of one commit, oldest first.
    func jobs(repository: String, commit: ObjectID) async throws(StoreError) -> [Job]

    /// The jobs tied to a pull request, oldest first.
    func jobs(repository: String, pullRequest: Int) async throws(StoreError) -> [Job]

    /// Bisections still to answer, oldest first.
    func openBisections() async throws(StoreError) -> [BisectionRequest]

    /// Closes a bisection with its answer and queues the messages that tell it, in one transaction.
    ///
    /// - Returns: `false` when it was closed already, and nothing was queued.
    func finishBisection(id: Int64, result: String, notifications: [OutgoingMessage], now: Date) async throws(StoreError) -> Bool

    /// A kept response for a conditional request.
    func httpCacheEntry(key: String) async throws(StoreError) -> HTTPCacheEntry?

    /// Keeps a response for a conditional request.
    func saveHTTPCacheEntry(key: String, _ entry: HTTPCacheEntry, now: Date) async throws(StoreError)

    /// How long this process's syncs of deliveries kept with `disk` durability took; `nil` for a
    /// store with no sync of its own to time (PostgreSQL's commit is its server's).
    func deliverySyncTimes() -> SyncTimes?
}

extension DeliveryStore {
    public func deliverySyncTimes() -> SyncTimes? { nil }

    /// Keeps an accepted delivery, synced to the disk before it returns.
    public func recordDelivery(_ delivery: WebhookDelivery) async throws(StoreError) -> Bool {
        try await recordDelivery(delivery, durability: .disk)
    }
}
