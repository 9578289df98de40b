import Foundation

extension Worker {
    /// The checkout untrusted jobs build in: never the trusted jobs' one, where a fork could leave
    /// a poisoned build cache or git hook behind.
    var untrustedCheckout: String { home.path("work", "\(settings.repository.name)~untrusted") }

    /// The baseline's checkout of an untrusted paired job.
    var untrustedBaselineCheckout: String { home.path("work", "\(settings.repository.name)~untrusted-baseline") }

    /// The private folder and wrapper of an untrusted job, or `nil` for a trusted one.
    func sandbox(for job: Job) -> UntrustedSandbox? {
        guard job.untrusted else { return nil }
        return UntrustedSandbox(folder: home.path("work", "\(settings.repository.name)~untrusted-job"),
                                wrapper: settings.runner.untrustedWrapper)
    }

    /// Empties everything an earlier untrusted job may have left: its checkouts and its private folder.
    ///
    /// - Returns: Why it could not, in which case the job must not run.
    func emptyUntrustedFolders(_ sandbox: UntrustedSandbox) -> String? {
        do {
            for checkout in [untrustedCheckout, untrustedBaselineCheckout] where FileManager.default.fileExists(atPath: checkout) {
                try FileManager.default.removeItem(atPath: checkout)
            }
            try sandbox.reset()
            return nil
        } catch {
            return "cannot empty the folders of untrusted jobs (\(untrustedCheckout), \(sandbox.folder)): \(error.localizedDescription); "
                + "remove them by hand"
        }
    }

    /// The report's line saying that an untrusted job ran with no wrapper, if it did.
    func unsandboxedLines(for job: Job) -> [String] {
        job.untrusted && settings.runner.untrustedWrapper == nil ? [UntrustedSandbox.unsandboxedLine] : []
    }

    /// An experiment an untrusted job does not run: one that builds its own variant, in a
    /// checkout shared with trusted jobs and out of the wrapper's reach.
    func refusedForUntrusted(_ experiment: ExperimentConfig) -> ExperimentOutcome {
        ExperimentOutcome(experiment: experiment.name, succeeded: false, failedStage: "precheck",
                          message: "an experiment that builds its own variant (remote/branch) does not run in an untrusted job",
                          startedAt: Date(), finishedAt: Date(), notify: experiment.notify)
    }
}
