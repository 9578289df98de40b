import Foundation
import Notify

/// relay-bench's reporting subsystems, done by BenchBot when the home configures them without
/// scripts of their own: their messages go into the outbox and out through `benchbot.notify.slack`.
struct NightlyReports: Sendable {
    let worker: Worker
    let night: Date
    let commit: ObjectID?
    let experiments: [ExperimentOutcome]
    /// When no job ran tonight: when the reported results were measured.
    let measuredEarlier: Date?

    func run(_ subsystem: SubsystemConfig, before: [ExperimentOutcome]) async -> StageStatus? {
        guard RelayReports.builtInSubsystems.contains(subsystem.name) else { return nil }
        let home = worker.home
        if subsystem.name == "website" { return await site() }
        let file = home.display((home.subsystemConfigsDirectory as NSString).appendingPathComponent("\(subsystem.name)/config.json"))
        guard let notify = worker.settings.notify, let slack = notify.slack else {
            return StageStatus(success: false, message: "\(subsystem.name) is built in and posts through benchbot.notify.slack, which "
                               + "\(home.display(home.effectiveConfigFile)) does not configure; add it, or set active to false in \(file)")
        }
        let reports = RelayReports(slack: slack, repositoryName: worker.settings.repository.name, siteURL: notify.siteURL)
        let all: [OutgoingMessage]
        switch subsystem.name {
        case "exp_results":
            let inactive = HomeCheck(home: home).experiments.filter { !$0.active }.map(\.name)
            let description: String? = if case .string(let text)? = subsystem.raw["slack_description"] { text } else { nil }
            all = reports.runReport(night: night, commit: commit, outcomes: experiments, inactive: inactive, description: description,
                                   measuredEarlier: measuredEarlier)
        case "subsys_reporter":
            all = reports.subsystemReport(night: night, outcomes: before, reports: subsystemReports(before))
        default:
            do {
                all = reports.deadlines(try RelayReports.parseDeadlines(subsystem.raw, file: file), now: Date())
            } catch {
                return StageStatus(success: false, message: error.message)
            }
        }
        do {
            try await worker.store.enqueueNotifications(all, now: Date())
        } catch {
            return StageStatus(success: false, message: "cannot queue its Slack message: \(error)")
        }
        let ignored = ["slack_client_token", "channel_id"].filter { subsystem.raw[$0] != nil }
        return StageStatus(success: true, message: "\(all.count) Slack message(s) queued through benchbot.notify.slack"
                           + (ignored.isEmpty ? "" : "; \(ignored.joined(separator: " and ")) in \(file) are not used"))
    }

    /// relay-bench's website, done by BenchBot: the results site, generated into
    /// `benchbot.site.folder` and published when `benchbot.site.publish` says where.
    func site() async -> StageStatus {
        let home = worker.home, settings = worker.settings.site
        let folder = home.resolvePath(settings.folder)
        let summary: SiteGenerator.Summary
        do {
            summary = try await SiteGenerator(home: home, settings: worker.settings, store: worker.store).generate(into: folder)
        } catch {
            return StageStatus(success: false, message: "the site was not generated: \(error)")
        }
        let generated = "\(summary.pages) page(s), \(summary.written) written, in \(home.display(folder))"
        guard let publish = settings.publish else { return StageStatus(success: true, message: generated) }
        let message = "Results of \(commit.map { "\($0.short)" } ?? "the latest run"), \(night.formatted(.iso8601))"
        do {
            switch try SitePublisher(home: home, settings: publish, environment: ProcessInfo.processInfo.environment).publish(folder: folder, message: message) {
            case .unchanged(let commit): return StageStatus(success: true, message: "\(generated); \(publish.branch) already holds it at \(commit.short)")
            case .published(let commit): return StageStatus(success: true, message: "\(generated); published to \(publish.branch) as \(commit.short)")
            }
        } catch {
            return StageStatus(success: false, message: "\(generated), but \(error)")
        }
    }

    /// Each `report.json` (`{"title", "value"}`) left in a subsystem's output folder this night.
    private func subsystemReports(_ outcomes: [ExperimentOutcome]) -> [(subsystem: String, title: String, value: String)] {
        outcomes.compactMap { outcome in
            let file = worker.home.path("results", "subsystem", "output", outcome.experiment, "report.json")
            guard let data = FileManager.default.contents(atPath: file), let document = try? JSONValue.parse(data),
                  case .string(let title)? = document["title"], case .string(let value)? = document["value"] else { return nil }
            return (outcome.experiment, title, value)
        }
    }
}
