import Foundation

extension Worker.JobReport {
    /// One job as `benchbot work --format json` prints it, one object a line. The fields are
    /// stable; new ones may be added:
    /// - `job`, `commit`, `subject`, `branch`, `pull_request`, `baseline` (a paired job's), `source`;
    /// - `succeeded`: whether the job ran to its end (an experiment may still have failed);
    /// - `summary`: the line `work` prints; `changes`: the lines of the changes it announced or held;
    /// - `details`: what `--verbose` adds (deliveries, each experiment);
    /// - `experiments`: each with `name`, `succeeded`, `failed_stage`, `message`;
    /// - `results_not_stored`: the job measured results that no store could hold.
    public func json() -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            "job": .number(Double(job.id)), "commit": .string(job.commit.hex), "subject": optional(job.subject),
            "branch": optional(job.branch), "pull_request": job.pullRequest.map { .number(Double($0)) } ?? .null,
            "baseline": optional(job.baseline?.hex), "source": .string(job.source.rawValue),
            "succeeded": .bool(succeeded), "summary": .string(lines.first ?? ""),
            "changes": .array(lines.dropFirst().map { .string($0.trimmingCharacters(in: .whitespaces)) }),
            "details": .array(details.map { .string($0.trimmingCharacters(in: .whitespaces)) }),
            "experiments": .array(outcomes.map { outcome in
                .object(["name": .string(outcome.experiment), "succeeded": .bool(outcome.succeeded),
                         "failed_stage": optional(outcome.failedStage), "message": .string(outcome.message)])
            }),
            "results_not_stored": .bool(resultsNotStored),
        ])
    }
}
