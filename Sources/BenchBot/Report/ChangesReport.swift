public import Compare
import Foundation

/// The change points found in the tracked branch's history, with each culprit's subject, and the
/// statistical alerts at the branch's tip: what `benchbot changes` and `GET /api/v1/changes` show.
public struct ChangesReport: Sendable {
    /// An alert of the `stat_alert` rule: the latest value of a benchmark far from its window's mean.
    public struct Alert: Sendable {
        public let benchmark: String
        public let commit: ObjectID
        /// The benchmark's unit, for the values people read.
        public let unit: String
        public let alert: StatAlert.Alert
    }

    /// Every change point, oldest first.
    public let changes: [ChangeRecord]
    /// Each culprit's subject line, `""` when the mirror does not hold it.
    public let subjects: [ObjectID: String]
    public let alerts: [Alert]
    /// Every suspected change, run-to-run or change point, and how its confirmation went.
    public let suspects: [SuspectRecord]
    /// Each change point's confirmation by ``SuspectRecord/key(_:_:_:)``; none with `confirm: none`
    /// for a change nobody held.
    public let states: [String: SuspectRecord.State]

    /// Reads the changes from the store, their subjects from the mirror, and the alerts at `tip`.
    ///
    /// - Parameters:
    ///   - analyzer: The store, mirror and settings to read.
    ///   - tip: The tracked branch's tip; no alerts without it.
    public init(analyzer: Analyzer, tip: ObjectID?) async throws {
        if let tip {
            alerts = try await analyzer.statAlerts(endingAt: tip).map { Alert(benchmark: $0.benchmark, commit: $0.commit, unit: $0.unit, alert: $0.alert) }
        } else {
            alerts = []
        }
        let settings = analyzer.settings
        changes = try await analyzer.store.changes(repository: settings.repository.name, machine: settings.machine)
        suspects = try await analyzer.store.suspects(repository: settings.repository.name, machine: settings.machine)
        states = SuspectRecord.states(suspects)
        subjects = Dictionary(changes.map { ($0.commit, (try? analyzer.repository.metadata(of: $0.commit).subject) ?? "") }) { first, _ in first }
    }

    /// The document `benchbot changes --format json` prints. Its fields are stable; new ones may
    /// be added:
    /// - `changes`: each change point, oldest first: `benchmark`, `commit`, `subject`, `kind`,
    ///   `unit`, `before`, `after`, `ratio`, `p_value`, `detected_at`, and `confirmation`: `held`,
    ///   `confirmed`, `refuted`, or `null` when nobody suspected it (`confirm: none`);
    /// - `suspects`: each suspected change, oldest first: `benchmark`, `commit`, `kind`, `origin`
    ///   (`run` or `change`), `state`, `baseline`, `ratio`, `confirmed_ratio` (the paired A/B job's),
    ///   `confirmation_job`, `created_at`;
    /// - `stat_alerts`: `benchmark`, `commit`, `latest`, `mean`, `standard_deviation`.
    public func json() -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        let alertDocuments = JSONValue.array(alerts.map { entry in
            .object(["benchmark": .string(entry.benchmark), "commit": .string(entry.commit.hex), "latest": .number(entry.alert.latest),
                     "mean": .number(entry.alert.mean), "standard_deviation": .number(entry.alert.standardDeviation)])
        })
        return .object(["stat_alerts": alertDocuments, "changes": .array(changes.map { change in
            .object(["benchmark": .string(change.benchmark), "commit": .string(change.commit.hex), "subject": .string(subjects[change.commit] ?? ""),
                     "kind": .string(change.kind.rawValue), "unit": .string(change.unit), "before": .number(change.before),
                     "after": .number(change.after), "ratio": .number(change.ratio), "p_value": .number(change.pValue),
                     "detected_at": .string(change.detectedAt.formatted(.iso8601)),
                     "confirmation": states[SuspectRecord.key(change.commit, change.benchmark, change.kind)].map { .string($0.rawValue) } ?? .null])
        }), "suspects": .array(suspects.map { suspect in
            .object(["benchmark": .string(suspect.benchmark), "commit": .string(suspect.commit.hex), "kind": .string(suspect.kind.rawValue),
                     "origin": .string(suspect.origin.rawValue), "state": .string(suspect.state.rawValue), "baseline": .string(suspect.baseline.hex),
                     "ratio": number(suspect.ratio), "confirmed_ratio": number(suspect.confirmedRatio),
                     "confirmation_job": number(suspect.confirmationJobID.map(Double.init)),
                     "created_at": .string(suspect.createdAt.formatted(.iso8601))])
        })])
    }

    /// The lines `benchbot changes` prints, values in human units (`20M → 40M`, `65.1 ms`).
    public func lines(machine: String) -> [String] {
        var lines = changes.isEmpty ? ["no change points found on machine '\(machine)'"] : []
        for change in changes {
            let state = states[SuspectRecord.key(change.commit, change.benchmark, change.kind)]
            lines.append(PlainText.singleLine("\(change.summary): \(subjects[change.commit] ?? "")") + (state.map { " [\($0.rawValue)]" } ?? ""))
        }
        for suspect in suspects {
            lines.append(PlainText.singleLine("suspect: \(suspect.summary)"))
        }
        for entry in alerts {
            let scale = HumanUnits(unit: entry.unit, values: [entry.alert.latest, entry.alert.mean])
            lines.append(PlainText.singleLine("stat_alert: \(entry.benchmark) at \(entry.commit.short) is \(scale.format(entry.alert.latest)), "
                                              + String(format: "%.1fσ", entry.alert.deviations) + " from the window's mean \(scale.format(entry.alert.mean))"))
        }
        return lines
    }
}
