import Foundation
import Notify

extension GitHubIntake {
    /// Whether a pull request runs on its own: its head is a branch of the repository itself, and
    /// its author a maintainer. A fork's code, or an outsider's, waits for a maintainer's command.
    func runsOnItsOwn(_ pullRequest: GitHubEvent.PullRequest) -> Bool {
        pullRequest.isSameRepository && settings.isMaintainer(login: pullRequest.author, association: pullRequest.authorAssociation)
    }

    func effects(of pullRequest: GitHubEvent.PullRequest, action: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        guard tracks(pullRequest.baseRepository) else { return notTracked(pullRequest.baseRepository) }
        let label = "pull request #\(pullRequest.number)"
        switch action {
        case "closed":
            return try await cancel(pullRequest.number, reason: "pull request #\(pullRequest.number) was closed",
                                    outcome: "\(label) closed: its queued jobs cancelled")
        case "opened", "synchronize", "reopened", "ready_for_review":
            if pullRequest.draft, !settings.drafts {
                return DeliveryEffects(outcome: "\(label) is a draft: measured once it is ready for review (benchbot.github.drafts)")
            }
            guard runsOnItsOwn(pullRequest) else {
                var effects = DeliveryEffects(outcome: "\(label) "
                    + (pullRequest.isSameRepository ? "by \(PlainText.singleLine(pullRequest.author)), who is not a maintainer" : "from a fork")
                    + ": waits for a maintainer's /benchbot run")
                effects.notifications = awaitingMaintainer(pullRequest)
                return effects
            }
            return try await queue(pullRequest, untrusted: false, experiments: nil, rerun: false,
                                   why: "\(label) \(PlainText.singleLine(action))")
        default:
            return DeliveryEffects(outcome: "\(label) \(PlainText.singleLine(String(action.prefix(40)))): not acted on")
        }
    }

    /// Queues a pull request's head as a paired A/B job against its merge base with the base
    /// branch, with a pending status and check run at once.
    ///
    /// The head is fetched from the base repository's `refs/pull/N/head`, as GitHub publishes it
    /// for forks too; the fork itself is never fetched from.
    func queue(_ pullRequest: GitHubEvent.PullRequest, untrusted: Bool, experiments: [String]?, rerun: Bool,
               why: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        let intake = self.intake
        let (fetched, head, base) = try await Self.blocking { () throws -> (EnqueueRequest, ObjectID, ObjectID) in
            let fetchedHead = try intake.mirror.fetch(pullRequest: pullRequest.number)
            try intake.mirror.fetch(branches: [pullRequest.baseRef])
            let repository = try intake.mirror.open()
            // The head this delivery is about; a later push brings its own delivery.
            let head = repository.contains(pullRequest.headSHA) ? pullRequest.headSHA : fetchedHead
            let baseTip = try repository.resolve(Mirror.trackingReference(for: pullRequest.baseRef))
            guard let base = try repository.mergeBase(head, baseTip), base != head else {
                throw GitHubIntakeError(message: "pull request #\(pullRequest.number): \(head.short) has no merge base with "
                    + "\(pullRequest.baseRef) to be measured against", transient: false)
            }
            // A fork's branch (its `main`, say) is not this repository's: it goes by the pull request's
            // ref, from which the head is fetched again if the mirror ever lacks it; the fork itself is
            // never fetched from.
            let ownBranch = pullRequest.isSameRepository && PushUpdate.referenceProblem("refs/heads/\(pullRequest.headRef)") == nil
            let branch = ownBranch ? pullRequest.headRef : Mirror.pullRequestBranch(pullRequest.number)
            var request = try intake.request([head], from: repository, branch: branch, remoteURL: nil,
                                             source: .github, rerun: rerun, pairedWith: base, pullRequest: pullRequest.number)
            request.untrusted = untrusted
            request.experiments = experiments
            return (request, head, base)
        }
        // A head measured before (a reopened pull request) keeps its verdict: a new pending status
        // would stay pending for good, since nothing is queued for it. A head whose job was
        // cancelled (the pull request closed, then reopened) is queued again.
        var request = fetched
        if !rerun {
            let existing = try await Self.storeCall { () async throws(StoreError) in
                try await intake.store.jobs(repository: intake.settings.repository.name, commit: head)
            }
            if let known = existing.last(where: { $0.suite == request.suite && $0.machine == request.machine }) {
                guard known.state == .cancelled else {
                    return DeliveryEffects(outcome: "\(why): \(head.short) already has job \(known.id) (\(known.state.rawValue)); nothing queued")
                }
                request.rerun = true
            }
        }
        var effects = DeliveryEffects(outcome: "\(why): \(head.short) queued against merge base \(base.short)"
            + (untrusted ? " as untrusted code" : ""))
        effects.enqueues = [request]
        effects.notifications = queued(head: head, pullRequest: pullRequest.number, base: base, again: request.rerun)
        return effects
    }

    /// Cancels a pull request's queued jobs, and says so on each of their heads: the pending status
    /// and queued check run they were given would otherwise stay for good, and block a pull
    /// request whose check is required. As for a fork's, the status is `success` with a
    /// description that says it did not run, since nothing was judged.
    func cancel(_ number: Int, reason: String, outcome: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        let intake = self.intake
        var effects = DeliveryEffects(outcome: outcome)
        effects.cancelPullRequest = PullRequestCancellation(number, of: intake.settings.repository.name, reason: reason)
        guard let reporting else { return effects }
        let jobs = try await Self.storeCall { () async throws(StoreError) in
            try await intake.store.jobs(repository: intake.settings.repository.name, pullRequest: number)
        }
        for job in jobs where job.state == .queued {
            // Each queuing of a head is cancelled at most once: a head queued again and cancelled again says so again.
            let occasion = "cancelled-pr\(number)-\(job.id)-\(Int(job.enqueuedAt.timeIntervalSince1970 * 1000))"
            let description = String("not run: cancelled (\(PlainText.singleLine(reason)))".prefix(CommitStatus.maximumDescription))
            let context = intake.settings.gitHubContext(reporting.context, machine: job.machine)
            effects.notifications.append(CommitStatus(state: .success, context: context, description: description, targetURL: nil)
                .message(repository: reporting.repository, commit: job.commit.hex, occasion: occasion))
            if reporting.checkRuns {
                effects.notifications.append(CheckRun(name: context, headSHA: job.commit.hex, status: .completed, conclusion: .cancelled,
                                                      title: "Cancelled", summary: "Not measured: \(PlainText.singleLine(reason)).", detailsURL: nil)
                    .message(repository: reporting.repository, occasion: occasion))
            }
        }
        return effects
    }

    /// A pending status and a queued check run, so the pull request shows BenchBot's check at once.
    ///
    /// - Parameter again: Whether the head was queued before: its new status is a message of its
    ///   own, not the first one's, which the outbox would keep as sent already.
    func queued(head: ObjectID, pullRequest: Int, base: ObjectID, again: Bool) -> [OutgoingMessage] {
        guard let reporting else { return [] }
        var messages: [OutgoingMessage] = []
        let occasion = "queued-pr\(pullRequest)" + (again ? "-\(Int(Date().timeIntervalSince1970 * 1000))" : "")
        let description = "queued: to be measured against merge base \(base.short)"
        for context in intake.settings.gitHubContexts(reporting.context) {
            if reporting.pendingStatus {
                messages.append(CommitStatus(state: .pending, context: context, description: description, targetURL: nil)
                    .message(repository: reporting.repository, commit: head.hex, occasion: occasion))
            }
            if reporting.checkRuns {
                messages.append(CheckRun(name: context, headSHA: head.hex, status: .queued, conclusion: nil, title: "Queued",
                                         summary: "The benchmarks of \(head.short) are queued, to be measured against merge base \(base.short).",
                                         detailsURL: nil)
                    .message(repository: reporting.repository, occasion: occasion))
            }
        }
        return messages
    }

    /// A neutral status on the head, and once per pull request a comment saying how a maintainer
    /// starts the benchmarks. Neutral, because nothing was judged: GitHub's statuses have no
    /// neutral state, so it is `success` with a description that says it did not run, as GitHub
    /// itself counts a skipped required check.
    func awaitingMaintainer(_ pullRequest: GitHubEvent.PullRequest) -> [OutgoingMessage] {
        guard let reporting else { return [] }
        var messages: [OutgoingMessage] = []
        let occasion = "awaiting-maintainer"
        for context in intake.settings.gitHubContexts(reporting.context) {
            messages.append(CommitStatus(state: .success, context: context,
                                         description: "not run: waits for a maintainer to comment /benchbot run", targetURL: nil)
                .message(repository: reporting.repository, commit: pullRequest.headSHA.hex, occasion: occasion))
            if reporting.checkRuns {
                messages.append(CheckRun(name: context, headSHA: pullRequest.headSHA.hex, status: .completed, conclusion: .neutral,
                                         title: "Not run: waiting for a maintainer",
                                         summary: "BenchBot runs a fork's code, or an outside author's, only when a maintainer comments `/benchbot run`.",
                                         detailsURL: nil)
                    .message(repository: reporting.repository, occasion: occasion))
            }
        }
        let why = pullRequest.isSameRepository
            ? "its author's association with the repository (\(PlainText.markdownCode(pullRequest.authorAssociation ?? "NONE"))) is not a maintainer's"
            : "it comes from a fork"
        messages += reply(to: pullRequest.number, marker: "awaiting-maintainer", once: true, text: """
            BenchBot has not measured this pull request: \(why), and BenchBot runs such code only when a maintainer asks.

            A maintainer can start the benchmarks with a comment whose first line is `/benchbot run`. The code then runs \
            with no secrets, in a checkout of its own.
            """)
        return messages
    }
}
