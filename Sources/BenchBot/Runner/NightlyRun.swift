import Foundation
import Synchronization

/// The Relay Dashboard's nightly one-shot: back up, poll, drain the queue, run the subsystems,
/// send the reports, back up again.
extension Worker {
    /// Runs one nightly cycle; every step runs even when an earlier one failed.
    ///
    /// - Parameter onLine: Told each line of the run's report as it happens.
    /// - Returns: Whether every step succeeded.
    public func runNightly(onLine: @escaping @Sendable (String) -> Void) async -> Bool {
        let night = Date()
        var succeeded = true
        await backup("before", succeeded: &succeeded, onLine: onLine)

        do {
            switch try await Intake(home: home, config: config, store: store, logger: logger).poll() {
            case .alreadyRunning: onLine("poll: another poll is running; skipped")
            case .polled(let outcomes): outcomes.forEach { onLine("poll: \($0.summary)") }
            }
        } catch {
            succeeded = false
            onLine("poll failed: \(error)")
        }

        // The latest outcome of each experiment, for the run report.
        let experiments = Mutex<[String: ExperimentOutcome]>([:])
        var lastCommit: ObjectID?
        do {
            let ran = try await run(.drain) { report in
                (report.lines + report.details).forEach(onLine)
                experiments.withLock { latest in report.outcomes.forEach { latest[$0.experiment] = $0 } }
            }
            if !ran { onLine("work: another worker is running on this home; its jobs are left to it") }
            lastCommit = try await store.jobs(in: [.done], limit: 1).last?.commit
        } catch {
            succeeded = false
            onLine("work failed: \(error)")
        }

        let context = makeContext(commit: lastCommit ?? .zero, logs: "nightly-subsystems", startedAt: Date())
        var outcomes = experiments.withLock { Array($0.values) }
        var measuredEarlier: Date?
        // Nothing new tonight: the report tells the latest results again, and says so.
        if outcomes.isEmpty, let lastCommit, let latest = try? await store.runs(repository: settings.repository.name, commit: lastCommit).last {
            outcomes = latest.experiments
            measuredEarlier = latest.finishedAt
        }
        let reports = NightlyReports(worker: self, night: night, commit: lastCommit, experiments: outcomes, measuredEarlier: measuredEarlier)
        var runner = SubsystemRunner(context: context)
        runner.builtIn = { subsystem, before in await reports.run(subsystem, before: before) }
        let check = HomeCheck(home: home)
        let subsystems = check.subsystems
        runner.refused = Self.flaggedSubsystems(check)
        for outcome in await runner.runAll(subsystems) {
            onLine("subsystem \(outcome.summary)")
        }
        // The site is regenerated every night: by the website subsystem where the home has one.
        if !subsystems.contains(where: { $0.name == "website" && $0.active }) {
            let status = await reports.site()
            if !status.success { succeeded = false }
            onLine("site: \(status.message)")
        }
        await dispatchNotifications().forEach(onLine)
        await backup("after", succeeded: &succeeded, onLine: onLine)
        return succeeded
    }

    /// Subsystems whose config `check` flags in the fields the runner reads: each would run on
    /// defaults standing in for what its author wrote. Missing scripts are the runner's own precheck.
    static func flaggedSubsystems(_ check: HomeCheck) -> [String: String] {
        let read: Set<String> = ["priority", "timeout", "needs", "notify", "title", "description"]
        var flagged: [String: String] = [:]
        for subsystem in check.subsystems where subsystem.active {
            let problems = check.problems.filter { problem in
                problem.file.hasSuffix("subsystem/\(subsystem.name)/config.json")
                    && read.contains(String(problem.field.split(separator: ".").first ?? ""))
            }
            if !problems.isEmpty { flagged[subsystem.name] = problems.map { "\($0.field): \($0.problem)" }.joined(separator: "; ") }
        }
        return flagged
    }

    private func backup(_ label: String, succeeded: inout Bool, onLine: @Sendable (String) -> Void) async {
        do {
            onLine("backup \(label): \(home.display(try await HomeBackup.create(home: home, config: config, label: label)))")
        } catch {
            succeeded = false
            onLine("backup \(label) failed: \(error)")
        }
    }
}
