import Foundation
import Notify

/// The JSON the read-only API answers with, built from what the store holds. The shapes are
/// documented in `Schemas/`; text that came from outside (commit subjects, job messages, delivery
/// outcomes, forks' URLs) passes through the redactor first.
struct APIDocuments {
    let redactor: SecretRedactor

    /// Free text: every URL's credentials and every known secret masked.
    func text(_ text: String?) -> JSONValue {
        text.map { .string(redactor.redact($0)) } ?? .null
    }

    /// A fork's URL: its password or token masked, a plain user name (`git@`) kept, as `status` shows it.
    func url(_ url: String?) -> JSONValue {
        url.map { .string(SecretRedactor.maskingURLPasswords(in: $0)) } ?? .null
    }

    /// One job; `Schemas/job.schema.json`.
    func job(_ job: Job) -> JSONValue {
        .object([
            "id": .number(Double(job.id)), "commit": .string(job.commit.hex), "subject": text(job.subject), "branch": job.branch.map(JSONValue.string) ?? .null,
            "remote_url": url(job.remoteURL), "pull_request": job.pullRequest.map { .number(Double($0)) } ?? .null,
            "state": .string(job.state.rawValue), "source": .string(job.source.rawValue), "suite": .string(job.suite), "machine": .string(job.machine),
            "priority": .number(Double(job.priority)), "attempts": .number(Double(job.attempts)), "max_attempts": .number(Double(job.maxAttempts)),
            "enqueued_at": Self.time(job.enqueuedAt), "started_at": Self.time(job.startedAt), "finished_at": Self.time(job.finishedAt),
            "message": text(job.message), "baseline": job.baseline.map { .string($0.hex) } ?? .null, "untrusted": .bool(job.untrusted),
            "experiments": job.experiments.map { .array($0.map(JSONValue.string)) } ?? .null,
        ])
    }

    /// A delivery as `status` lists it: never its body, which holds whatever GitHub sent.
    func delivery(_ delivery: WebhookDelivery) -> JSONValue {
        .object([
            "id": .string(delivery.id), "event": .string(delivery.event), "action": delivery.action.map(JSONValue.string) ?? .null,
            "state": .string(delivery.state.rawValue), "attempts": .number(Double(delivery.attempts)), "outcome": text(delivery.outcome),
            "received_at": Self.time(delivery.receivedAt),
        ])
    }

    /// The runs of one commit, oldest first, each benchmark with its summary and every sample; `Schemas/results.schema.json`.
    func results(commit: ObjectID, runs: [StoredRun]) -> JSONValue {
        .object(["commit": .string(commit.hex), "runs": .array(runs.map { run in
            // The rows are the results in order: `ResultsReport` computes each summary as `benchbot results` shows it.
            let rows = zip(ResultsReport(run: run).benchmarks, run.results).map { row, result -> JSONValue in
                .object([
                    "name": .string(row.benchmark), "benchmark": .string(result.benchmark),
                    "parameters": .object(result.parameters.mapValues(JSONValue.string)), "unit": .string(row.unit),
                    "direction": .string(row.direction), "samples_count": .number(Double(row.samples)), "median": Self.number(row.median),
                    "mean": Self.number(row.mean), "standard_deviation": Self.number(row.standardDeviation),
                    "coefficient_of_variation": Self.number(row.coefficientOfVariation), "minimum": Self.number(row.minimum),
                    "maximum": Self.number(row.maximum), "minimum_detectable_change": Self.number(row.minimumDetectableChange),
                    "too_noisy": .bool(row.tooNoisy), "samples": .array(result.samples.map(JSONValue.number)),
                ])
            }
            return .object([
                "id": .number(Double(run.id)), "job_id": .number(Double(run.jobID)), "machine": .string(run.machine), "suite": .string(run.suite),
                "role": run.role.map(JSONValue.string) ?? .null, "started_at": Self.time(run.startedAt), "finished_at": Self.time(run.finishedAt),
                "benchmarks": .array(rows),
            ])
        })])
    }

    /// What `benchbot status` shows; `Schemas/status.schema.json`.
    func status(counts: [JobState: Int], running: [Job], outbox: [QueuedNotification.State: Int],
                deliveries: [WebhookDelivery.State: Int], recent: [WebhookDelivery]) -> JSONValue {
        .object([
            "jobs": Self.counts(JobState.allCases, counts), "running": .array(running.map(job)),
            "outbox": Self.counts(QueuedNotification.State.allCases, outbox),
            "deliveries": Self.counts(WebhookDelivery.State.allCases, deliveries), "recent_deliveries": .array(recent.map(delivery)),
        ])
    }

    /// What `POST /api/v1/enqueue` queued; `Schemas/enqueue.schema.json`.
    func enqueued(_ outcome: IntakeOutcome) -> JSONValue {
        .object([
            "summary": text(outcome.summary), "queued": .array(outcome.enqueue.queued.map { .string($0.hex) }),
            "requeued": .array(outcome.enqueue.requeued.map { .string($0.hex) }),
            "already_known": .array(outcome.enqueue.alreadyKnown.map { .string($0.hex) }), "note": text(outcome.note),
        ])
    }

    /// ISO 8601 in UTC, to the second: `2026-12-01T16:19:52Z`.
    static func time(_ date: Date?) -> JSONValue {
        date.map { .string($0.formatted(.iso8601)) } ?? .null
    }

    static func number(_ value: Double?) -> JSONValue {
        value.map(JSONValue.number) ?? .null
    }

    /// Every state with its count, zeros included, so a client need not know which states exist.
    static func counts<State: RawRepresentable<String>>(_ states: [State], _ counts: [State: Int]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: states.map { ($0.rawValue, .number(Double(counts[$0] ?? 0))) }))
    }
}
