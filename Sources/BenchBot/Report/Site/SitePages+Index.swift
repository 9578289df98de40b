import Compare
import Notify
import Foundation

/// The index: the last run and its experiments, the changes with regressions first, and a grid of
/// every benchmark with its latest value and latest change.
extension SitePages {
    func index(_ context: PlanContext) -> [String: Any] {
        var page: [String: Any] = ["hasRuns": model.lastRun != nil || !model.commits.isEmpty]
        if let job = model.lastJob, let run = model.lastRun {
            var last: [String: Any] = [
                "short": job.commit.short, "subject": job.subject ?? "",
                "finished": run.finishedAt.formatted(.iso8601),
                "duration": "\(Int(run.finishedAt.timeIntervalSince(run.startedAt).rounded())) s",
                // Failures first, then by name.
                "experiments": run.experiments.sorted { ($0.succeeded ? 1 : 0, $0.experiment) < ($1.succeeded ? 1 : 0, $1.experiment) }
                    .map { outcome -> [String: Any] in
                        var row: [String: Any] = ["name": outcome.experiment, "slug": SiteLayout.slug(outcome.experiment),
                                                  "state": outcome.succeeded ? "passed" : "failed"]
                        if !outcome.succeeded { row["message"] = "at \(outcome.failedStage ?? "?"): \(outcome.message)" }
                        return row
                    },
            ]
            if context.commitPages.contains(job.commit) { last["link"] = "commit/\(job.commit.hex).html" }
            if let host = model.commitURL(job.commit.hex) { last["host"] = host }
            if let branch = job.branch { last["branch"] = branch }
            page["lastRun"] = last
        }
        let changes = model.changes.sorted {
            ($0.kind == .regression ? 0 : 1, -$0.detectedAt.timeIntervalSince1970) < ($1.kind == .regression ? 0 : 1, -$1.detectedAt.timeIntervalSince1970)
        }
        // Refuted last and greyed: recorded, so nobody wonders where a suspected change went, but no alarm.
        page["hasChanges"] = !changes.isEmpty || !model.refutedChanges.isEmpty
        page["changes"] = changes.map { change($0, context, root: "") } + model.refutedChanges.map { refuted in
            var row = change(refuted, context, root: "")
            row["refuted"] = true
            return row
        }
        page["hasBenchmarks"] = !model.table.names.isEmpty
        page["benchmarks"] = zip(model.table.names, model.table.columns).compactMap { name, column -> [String: Any]? in
            guard let latest = column.last(where: { $0 != nil }) ?? nil else { return nil }
            let noise = Self.noise(column.compactMap { $0?.median })
            var row: [String: Any] = ["name": name, "slug": SiteLayout.slug(name), "latest": HumanUnits.format(latest.median, unit: latest.unit),
                                      "latestValue": JSONText.number(latest.median), "count": column.count { $0 != nil }, "change": "-",
                                      "changeKind": "", "changeValue": "",
                                      "noise": noise.map { "±" + NumberText.fixed($0 * 100, decimals: 1, trimmingZeros: true) + "%" } ?? "-",
                                      "noiseValue": noise.map(JSONText.number) ?? ""]
            if let change = context.changesByBenchmark[name]?.max(by: { $0.detectedAt < $1.detectedAt }) {
                row["change"] = "\(NumberText.signedPercent(change.after / change.before - 1)) at \(change.commit.short)"
                row["changeKind"] = change.kind.rawValue
                row["changeValue"] = JSONText.number(change.after / change.before - 1)
            }
            return row
        }
        if let last = scoreSeries().last {
            page["hasScore"] = true
            page["score"] = "\(NumberText.compact(last.speedup))× as fast as at first, \(last.better) benchmark(s) \(NumberText.compact(model.scoreSpeedup))× better"
        }
        let now = Date()
        let upcoming = model.deadlines.filter { $0.date > now }
        page["hasDeadlines"] = !upcoming.isEmpty
        page["deadlines"] = upcoming.map { deadline -> [String: Any] in
            let days = Int(deadline.date.timeIntervalSince(now) / 86_400)
            // Red within a week, as relay-bench's countdown turns red.
            return ["name": deadline.name, "date": deadline.date.formatted(.iso8601), "left": days == 0 ? "today" : "\(days) day(s) left",
                    "urgency": days < 7 ? "due" : ""]
        }
        page["hasOffBranch"] = !model.offBranch.isEmpty
        if !model.offBranch.isEmpty {
            page["offBranch"] = model.offBranch.reversed().prefix(20).map { run -> [String: Any] in
                var row: [String: Any] = ["short": run.commit.id.short, "subject": run.commit.subject, "link": "commit/\(run.commit.id.hex).html",
                                          "what": Self.describe(run.job)]
                if let host = model.commitURL(run.commit.id.hex) { row["host"] = host }
                if let baseline = run.baseline { row["compare"] = "compare/\(baseline.commit.id.hex)...\(run.commit.id.hex).html" }
                return row
            }
        }
        return page
    }

    /// "pull request #12 (feature)", "branch feature", "paired run".
    static func describe(_ job: Job) -> String {
        var parts: [String] = []
        if let number = job.pullRequest { parts.append("pull request #\(number)") }
        if let branch = job.branch { parts.append(parts.isEmpty ? "branch \(branch)" : "(\(branch))") }
        // A fork's URL may carry a token; the page is public.
        if let remote = job.remoteURL { parts.append("from \(SecretRedactor.redactURLCredentials(in: remote))") }
        return parts.isEmpty ? "requested commit" : parts.joined(separator: " ")
    }
}
