import ArgumentParser
import BenchBot
import Foundation
import Logging
import Notify

extension AABenchmark {
    /// The tracked-branch A/A check: the history measured again, commit by commit, as ordinary
    /// jobs. A change already announced when the history was first measured is not announced
    /// again (its Slack message is keyed by the pair of commits, its suspect by commit, benchmark
    /// and kind), so anything announced now is news about code that did not change: a false alarm.
    func runTracked() async throws {
        try await homeOptions.withStore { home, config, store in
            let intake = Intake(home: home, config: config, store: store, logger: Logger(label: "benchbot"))
            let settings = config.benchbot
            let tip = try intake.resolveCommit(commit ?? settings.repository.branches.first ?? "main")
            let commits = Array(try intake.mirror.open().commits(from: tip, firstParent: true, limit: history).reversed())
            let before = try await Snapshot(store: store, settings: settings)
            let benchbot = currentExecutable()
            for (index, commit) in commits.enumerated() {
                for arguments in [["enqueue", "--home", home.root, "--commit", commit.hex, "--rerun"], ["work", "--home", home.root, "--drain"]] {
                    let result = try await CommandRunner.run(benchbot, arguments: arguments, timeout: .seconds(3600))
                    guard result.succeeded else {
                        throw ValidationError("benchbot \(arguments[0]) failed at commit \(index + 1) (\(commit.short)): \(result.standardError)")
                    }
                }
            }
            let after = try await Snapshot(store: store, settings: settings)
            let suspects = after.suspects.filter { $0.id.map { $0 > before.lastSuspect } ?? false }
            let announced = after.announcements(since: before)
            print("tracked-branch A/A over \(commits.count) commit(s) ending at \(tip.short): every commit measured again as an ordinary job")
            print("suspects held back: \(suspects.count) (\(suspects.count { $0.state == .confirmed }) confirmed, "
                  + "\(suspects.count { $0.state == .refuted }) refuted, \(suspects.count { $0.state == .held }) still held)")
            for suspect in suspects { print("  \(suspect.summary)") }
            print("announcements (each a false alarm): \(announced.count)")
            for line in announced { print("  \(line)") }
            if !announced.isEmpty { throw ExitCode(1) }
        }
    }

    /// What had been suspected and told, at one moment.
    struct Snapshot {
        var suspects: [SuspectRecord]
        var lastSuspect: Int64
        var notifications: [QueuedNotification]
        var lastNotification: Int64

        init(store: any Store, settings: BenchBotSettings) async throws {
            suspects = try await store.suspects(repository: settings.repository.name, machine: settings.machine)
            lastSuspect = suspects.compactMap(\.id).max() ?? 0
            notifications = try await store.notifications(in: nil, limit: nil)
            lastNotification = notifications.map(\.id).max() ?? 0
        }

        /// What was announced after `earlier`: a Slack regression message, a failing commit status
        /// on a commit with no regression confirmed before, a change newly confirmed.
        func announcements(since earlier: Snapshot) -> [String] {
            let knownRegressions = Set(earlier.suspects.filter { $0.state == .confirmed && $0.kind == .regression }.map(\.commit.hex))
            var lines: [String] = []
            for queued in notifications where queued.id > earlier.lastNotification {
                let message = queued.message
                if message.kind == "regression" {
                    lines.append("Slack: \(message.key)")
                } else if message.kind == "commit-status", case .github(_, let path) = message.destination,
                          let body = try? JSONSerialization.jsonObject(with: message.body) as? [String: Any], body["state"] as? String == "failure",
                          let commit = path.split(separator: "/").last.map(String.init), !knownRegressions.contains(commit) {
                    lines.append("failing status on \(commit.prefix(10)): \(body["description"] as? String ?? "")")
                }
            }
            for suspect in suspects where suspect.state == .confirmed && (suspect.id ?? 0) > earlier.lastSuspect {
                lines.append("confirmed: \(suspect.summary)")
            }
            return lines
        }
    }
}
