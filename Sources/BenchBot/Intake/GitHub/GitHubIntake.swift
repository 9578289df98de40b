import Foundation
public import Notify

/// Turns GitHub's webhook deliveries into jobs, statuses and replies, under BenchBot's trust rules:
/// - a push to a tracked branch queues its new commits as the post-receive hook does;
/// - a pull request from a trusted author on the repository itself queues a paired A/B job of its
///   head against its merge base;
/// - anything else runs only on a maintainer's `/benchbot run`, as untrusted code.
///
/// Reading a delivery changes nothing: it returns ``DeliveryEffects`` that the store applies in one
/// transaction, so a delivery applied twice (after a crash, or a redelivery) queues nothing twice.
public struct GitHubIntake: Sendable {
    public let intake: Intake
    /// Reads pull requests for maintainers' commands; `nil` without a GitHub token.
    public let reader: GitHubReader?

    public init(intake: Intake, reader: GitHubReader?) {
        self.intake = intake
        self.reader = reader
    }

    var settings: GitHubSettings { intake.config.benchbot.github }
    /// Where statuses, check runs and comments go; `nil` when GitHub is not told anything.
    var reporting: NotifySettings.GitHubSettings? { intake.config.benchbot.notify?.github }

    /// What a delivery asks for.
    ///
    /// - Throws: ``GitHubIntakeError``; a transient one (a fetch or GitHub that did not answer) is
    ///   worth trying again later.
    public func effects(of delivery: WebhookDelivery) async throws(GitHubIntakeError) -> DeliveryEffects {
        let event: GitHubEvent
        do {
            event = try GitHubEvent.parse(event: delivery.event, payload: try JSONValue.parse(delivery.body))
        } catch let error as GitHubPayloadError {
            throw GitHubIntakeError(message: error.description, transient: false)
        } catch {
            throw GitHubIntakeError(message: "\(delivery.event) payload is not JSON: \(error)", transient: false)
        }
        switch event {
        case .ping(let hookID, let events):
            return DeliveryEffects(outcome: "ping from hook \(hookID.map(String.init) ?? "?")"
                + (events.isEmpty ? "" : " (events: \(events.map { PlainText.singleLine($0) }.joined(separator: ", ")))"))
        case .push(let push):
            return try await effects(of: push)
        case .pullRequest(let action, let pullRequest):
            return try await effects(of: pullRequest, action: action)
        case .issueComment(let action, let comment):
            return try await effects(of: comment, action: action)
        case .checkRun(let action, let checkRun):
            return try await effects(of: checkRun, action: action)
        case .ignored(let label):
            return DeliveryEffects(outcome: "\(PlainText.singleLine(String(label.prefix(100)))): not acted on")
        }
    }

    /// The repository on GitHub (`owner/name`) this home measures: `benchbot.notify.github.repository`,
    /// or read from a GitHub `repository.url`; `nil` when neither says.
    public var gitHubRepository: String? {
        reporting?.repository ?? Self.gitHubRepository(fromURL: intake.settings.repository.url)
    }

    /// `owner/name` of `https://github.com/owner/name(.git)`, `git@github.com:owner/name.git` or
    /// `ssh://git@github.com/owner/name.git`.
    static func gitHubRepository(fromURL url: String) -> String? {
        // The host must be github.com itself, not a name that ends with it.
        let path: Substring
        if let range = url.range(of: "://github.com/") ?? url.range(of: "@github.com/") ?? url.range(of: "@github.com:") {
            path = url[range.upperBound...]
        } else {
            return nil
        }
        let parts = path.split(separator: "/")
        guard parts.count == 2 else { return nil }
        let name = parts[1].hasSuffix(".git") ? parts[1].dropLast(4) : parts[1]
        return name.isEmpty ? nil : "\(parts[0])/\(name)"
    }

    /// Whether a delivery is about the repository this home measures: a hook on another
    /// repository, or an organization's hook, must not queue its commits here, and when the
    /// repository is not known, nothing is.
    func tracks(_ repository: String) -> Bool {
        gitHubRepository.map { $0.caseInsensitiveCompare(repository) == .orderedSame } ?? false
    }

    func notTracked(_ repository: String) -> DeliveryEffects {
        guard let known = gitHubRepository else {
            return DeliveryEffects(outcome: "for \(PlainText.singleLine(repository)), but this home names no GitHub repository "
                + "(set benchbot.notify.github.repository); ignored")
        }
        return DeliveryEffects(outcome: "for \(PlainText.singleLine(repository)), not \(known); ignored")
    }

    private func effects(of push: GitHubEvent.Push) async throws(GitHubIntakeError) -> DeliveryEffects {
        guard tracks(push.repository) else { return notTracked(push.repository) }
        let reference = PlainText.singleLine(String(push.ref.prefix(200)))
        guard let branch = push.ref.dropPrefix("refs/heads/"), PushUpdate.referenceProblem(push.ref) == nil else {
            return DeliveryEffects(outcome: "push to \(reference): not a branch; nothing queued")
        }
        if push.after.isZero { return DeliveryEffects(outcome: "branch \(branch) deleted; nothing queued") }
        let patterns = settings.pushBranches.isEmpty ? intake.settings.repository.branches : settings.pushBranches
        guard patterns.contains(where: { globMatches($0, branch) }) else {
            return DeliveryEffects(outcome: "push to \(branch): not a tracked branch (\(patterns.joined(separator: ", "))); nothing queued")
        }
        let intake = self.intake
        let request = try await Self.blocking { () throws -> EnqueueRequest? in
            // A burst of pushes needs one fetch, not one each: a tip already fetched is not fetched again.
            var repository = try intake.mirror.open()
            if !repository.contains(push.after) {
                try intake.mirror.fetch(branches: [branch])
                repository = try intake.mirror.open()
            }
            // A tip force-pushed away since is not measured: the push that replaced it has its own delivery.
            guard repository.contains(push.after) else { return nil }
            let commits: [ObjectID]
            if push.before.isZero || !repository.contains(push.before) {
                // A new branch's history is its base's; an old tip gone from the mirror leaves only the new one known new.
                commits = [push.after]
            } else {
                commits = try repository.commits(from: push.after, excluding: [push.before], firstParent: intake.settings.intake.firstParent)
            }
            return try intake.request(commits, from: repository, branch: branch, source: .github, newBranchTip: push.after)
        }
        guard let request else { return DeliveryEffects(outcome: "push to \(branch): \(push.after.short) is gone from the remote; nothing queued") }
        var effects = DeliveryEffects(outcome: "push to \(branch): \(request.commits.count) commit(s)"
            + (request.commits.first.map { first in " \(first.id.short)" + (request.commits.count > 1 ? "..\(request.commits.last!.id.short)" : "") } ?? ""))
        if !request.commits.isEmpty { effects.enqueues = [request] }
        return effects
    }

    private func effects(of checkRun: GitHubEvent.CheckRun, action: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        guard action == "rerequested" else { return DeliveryEffects(outcome: "check_run.\(PlainText.singleLine(String(action.prefix(40)))): not acted on") }
        guard tracks(checkRun.repository) else { return notTracked(checkRun.repository) }
        // The check run's name is its class's context: the rerun is of that class's job.
        guard let reporting, let machine = intake.settings.measuringClasses.first(where: {
            intake.settings.gitHubContext(reporting.context, machine: $0) == checkRun.name
        }) else {
            return DeliveryEffects(outcome: "check run \"\(PlainText.singleLine(String(checkRun.name.prefix(100))))\" is not BenchBot's; ignored")
        }
        let jobs = try await Self.storeCall { () async throws(StoreError) in
            try await intake.store.jobs(repository: intake.settings.repository.name, commit: checkRun.headSHA)
        }
        guard let job = jobs.filter({ $0.machine == machine }).last else {
            return DeliveryEffects(outcome: "check run on \(checkRun.headSHA.short) re-requested, but no job measured it here; nothing queued")
        }
        var effects = DeliveryEffects(outcome: "check run on \(checkRun.headSHA.short) re-requested: job \(job.id) queued again")
        effects.enqueues = [try await rerunRequest(for: job)]
        return effects
    }

    /// The request that measures `job`'s commit again, as it was measured.
    func rerunRequest(for job: Job) async throws(GitHubIntakeError) -> EnqueueRequest {
        let intake = self.intake
        return try await Self.blocking { () throws -> EnqueueRequest in
            var request = try intake.request([job.commit], from: try intake.mirror.open(), branch: job.branch, remoteURL: job.remoteURL,
                                             source: .github, priority: job.priority, rerun: true, pairedWith: job.baseline,
                                             pullRequest: job.pullRequest)
            request.suite = job.suite
            request.untrusted = job.untrusted
            request.experiments = job.experiments
            return request
        }
    }

    /// Runs git work off Swift's cooperative threads: a fetch blocks for as long as the network
    /// takes, and the server's requests must not wait behind it.
    static func blocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws(GitHubIntakeError) -> Result {
        do {
            return try await BlockingWork.run { try body() }
        } catch let error as GitHubIntakeError {
            throw error
        } catch let error as GitError {
            // A fetch that fails is the network's or GitHub's moment; anything else in git is the data's.
            throw GitHubIntakeError(message: error.description, transient: error.operation.hasPrefix("fetch"))
        } catch {
            throw GitHubIntakeError(message: "\(error)", transient: true)
        }
    }

    static func storeCall<Result: Sendable>(_ body: () async throws(StoreError) -> Result) async throws(GitHubIntakeError) -> Result {
        do {
            return try await body()
        } catch {
            throw GitHubIntakeError(message: error.description, transient: true)
        }
    }
}

/// Why a delivery could not be applied.
public struct GitHubIntakeError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Worth trying again later: the network, GitHub or the store did not answer.
    public let transient: Bool
    public var description: String { message }
}
