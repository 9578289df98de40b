import BenchBot
import Foundation

/// One worker as `benchbot status` shows it: its last beat, and the job its lease holds.
struct WorkerStatus: Sendable {
    let identity: String
    let name: String
    let machine: String
    /// What it does when it holds no job: `idle`, `stopped`, or `silent` (no beat for two leases:
    /// it died, its machine is off, or it cannot reach the store).
    let activity: String
    let job: Job?
    let startedAt: Date?
    let heartbeatAt: Date?

    /// The workers of the store's beats, with each one's job; a job leased by a worker that never
    /// beat (a BenchBot from before beats) shows that worker too.
    static func all(_ beats: [WorkerBeat], running: [Job], config: HomeConfig, now: Date = Date()) -> [WorkerStatus] {
        let silentAfter = config.benchbot.runner.leaseDuration * 2
        var jobs = Dictionary(running.compactMap { job in job.leaseOwner.map { ($0, job) } }, uniquingKeysWith: { first, _ in first })
        var workers = beats.map { beat in
            let activity = switch beat.state {
            case .stopped: "stopped"
            case .working: now.timeIntervalSince(beat.heartbeatAt) > silentAfter.seconds ? "silent" : "idle"
            }
            return WorkerStatus(identity: beat.identity, name: beat.name, machine: beat.machine, activity: activity,
                                job: jobs.removeValue(forKey: beat.identity), startedAt: beat.startedAt, heartbeatAt: beat.heartbeatAt)
        }
        workers += jobs.values.sorted { $0.id < $1.id }.map { job in
            WorkerStatus(identity: job.leaseOwner ?? "?", name: "?", machine: job.machine, activity: "busy", job: job, startedAt: nil, heartbeatAt: nil)
        }
        return workers
    }
}
