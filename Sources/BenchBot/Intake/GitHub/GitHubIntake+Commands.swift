import Foundation
import Notify

extension GitHubIntake {
    func effects(of comment: GitHubEvent.Comment, action: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        guard action == "created" else { return DeliveryEffects(outcome: "comment \(PlainText.singleLine(String(action.prefix(40)))): not acted on") }
        guard comment.onPullRequest else { return DeliveryEffects(outcome: "comment on issue #\(comment.issue), not a pull request; ignored") }
        // BenchBot's own replies, and other bots', are never commands.
        guard !comment.byBot, let command = PullRequestCommand.parse(comment.body) else {
            return DeliveryEffects(outcome: "comment on pull request #\(comment.issue) holds no command; ignored")
        }
        guard tracks(comment.repository) else { return notTracked(comment.repository) }
        let author = PlainText.singleLine(comment.author)
        let label = "/benchbot \(command.name) by \(author) on pull request #\(comment.issue)"
        guard settings.isMaintainer(login: comment.author, association: comment.authorAssociation) else {
            var effects = DeliveryEffects(outcome: "\(label): refused, not a maintainer")
            effects.notifications = reply(to: comment.issue, marker: "reply:\(comment.id)", text: """
                @\(author), thank you — BenchBot takes commands from the project's maintainers only, since they run code \
                on the project's benchmark machines. A maintainer can start the benchmarks of this pull request with \
                a comment whose first line is `/benchbot run`.
                """)
            return effects
        }
        var (effects, understood) = try await obey(command, comment: comment, label: label)
        effects.notifications.insert(contentsOf: reaction(to: comment, accepted: understood), at: 0)
        effects.onceKey = "comment:\(comment.repository.lowercased()):\(comment.id)"
        return effects
    }

    /// What a maintainer's command does, and whether it was understood (or is answered with a correction).
    private func obey(_ command: PullRequestCommand, comment: GitHubEvent.Comment,
                      label: String) async throws(GitHubIntakeError) -> (DeliveryEffects, understood: Bool) {
        let number = comment.issue
        switch command {
        case .help, .unknown:
            var effects = DeliveryEffects(outcome: "\(label): answered with the usage")
            effects.notifications = reply(to: number, marker: "reply:\(comment.id)", text: "BenchBot's commands:\n\n" + PullRequestCommand.usage)
            return (effects, command == .help)
        case .cancel:
            return (try await cancel(number, reason: "cancelled by \(PlainText.singleLine(comment.author))", outcome: "\(label): queued jobs cancelled"), true)
        case .run(let experiments):
            let known = Set(HomeCheck(home: intake.home).experiments.filter(\.active).map(\.name))
            if let unknown = experiments.first(where: { !known.contains($0) }) {
                var effects = DeliveryEffects(outcome: "\(label): unknown experiment")
                effects.notifications = reply(to: number, marker: "reply:\(comment.id)", text: "There is no experiment "
                    + "\(PlainText.markdownCode(unknown)). The experiments are: "
                    + known.sorted().map(PlainText.markdownCode).joined(separator: ", ") + ".")
                return (effects, false)
            }
            var effects = try await runPullRequest(number, experiments: experiments.isEmpty ? nil : experiments, label: label)
            // The head is read when the command is applied: the reply says which one runs, so a
            // maintainer sees when a push slipped in after their review.
            if let head = effects.enqueues.first?.commits.first, let base = effects.enqueues.first?.baseline {
                effects.notifications += reply(to: number, marker: "reply:\(comment.id)", text: "Measuring \(PlainText.markdownCode(head.id.hex)) "
                    + "against merge base \(PlainText.markdownCode(base.short))"
                    + (effects.enqueues.first?.untrusted == true ? ", as untrusted code: no secrets, in a checkout of its own." : "."))
            }
            return (effects, true)
        case .rerun:
            let jobs = try await Self.storeCall { () async throws(StoreError) in
                try await intake.store.jobs(repository: intake.settings.repository.name, pullRequest: number)
            }
            guard let job = jobs.filter({ $0.machine == intake.settings.machine }).last else {
                var effects = DeliveryEffects(outcome: "\(label): nothing measured yet")
                effects.notifications = reply(to: number, marker: "reply:\(comment.id)",
                                               text: "Nothing of this pull request was measured yet; `/benchbot run` measures its head.")
                return (effects, false)
            }
            var effects = DeliveryEffects(outcome: "\(label): job \(job.id) (\(job.commit.short)) queued again")
            effects.enqueues = [try await rerunRequest(for: job)]
            return (effects, true)
        case .bisect(let benchmark, let good, let bad):
            return try await bisect(benchmark: benchmark, good: good, bad: bad, comment: comment, label: label)
        }
    }

    /// Queues a pull request's head on a maintainer's command: trusted when it is the repository's
    /// own branch by a maintainer, untrusted otherwise, and untrusted when GitHub cannot be asked.
    private func runPullRequest(_ number: Int, experiments: [String]?, label: String) async throws(GitHubIntakeError) -> DeliveryEffects {
        guard let pullRequest = try await readPullRequest(number) else {
            // Without a token the head's origin is unknown: it runs as untrusted code against the tracked branch.
            let branch = intake.settings.repository.branches.first ?? "main"
            let intake = self.intake
            let head = try await Self.blocking { () throws -> ObjectID in try intake.mirror.fetch(pullRequest: number) }
            let unknown = GitHubEvent.PullRequest(number: number, headSHA: head, headRef: "pull/\(number)/head", headRepository: nil,
                                                  headCloneURL: nil, baseRef: branch, baseRepository: gitHubRepository ?? "",
                                                  author: "", authorAssociation: nil, draft: false, isOpen: true)
            return try await queue(unknown, untrusted: true, experiments: experiments, rerun: true, why: label + " (no GitHub token to read it)")
        }
        guard pullRequest.isOpen else {
            var effects = DeliveryEffects(outcome: "\(label): the pull request is closed")
            effects.notifications = reply(to: number, marker: "reply-closed:\(pullRequest.headSHA.hex)", text: "This pull request is closed; nothing was queued.")
            return effects
        }
        return try await queue(pullRequest, untrusted: !runsOnItsOwn(pullRequest), experiments: experiments, rerun: true, why: label)
    }

    /// The pull request as GitHub describes it now, or `nil` without a token.
    private func readPullRequest(_ number: Int) async throws(GitHubIntakeError) -> GitHubEvent.PullRequest? {
        guard let reader, reader.canRead, let repository = gitHubRepository else { return nil }
        let response: HTTPResponse
        do {
            response = try await reader.get("/repos/\(repository)/pulls/\(number)")
        } catch {
            throw GitHubIntakeError(message: "GET pull request #\(number): \(error)", transient: true)
        }
        guard response.status == 200 else {
            throw GitHubIntakeError(message: "GET pull request #\(number): GitHub answered \(response.status)",
                                    transient: response.status >= 500 || response.status == 429 || response.status == 403)
        }
        do {
            let body = try JSONValue.parse(response.body)
            guard case .pullRequest(_, let pullRequest) = try GitHubEvent.parse(
                event: "pull_request", payload: .object(["action": .string("read"), "pull_request": body]))
            else { return nil }
            return pullRequest
        } catch {
            throw GitHubIntakeError(message: "GET pull request #\(number): \(error)", transient: false)
        }
    }

    /// What tells a maintainer that their command was given up on, so that it never fails silently:
    /// a 😕 and a reply with the reason. `nil` for a delivery that was no maintainer's command.
    public func givenUp(_ delivery: WebhookDelivery, reason: String) -> DeliveryEffects? {
        guard delivery.event == "issue_comment", let payload = try? JSONValue.parse(delivery.body),
              case .issueComment("created", let comment)? = try? GitHubEvent.parse(event: delivery.event, payload: payload),
              comment.onPullRequest, !comment.byBot, PullRequestCommand.parse(comment.body) != nil, tracks(comment.repository),
              settings.isMaintainer(login: comment.author, association: comment.authorAssociation)
        else { return nil }
        // The reason is posted in public: URLs lose their credentials, and a long one is cut.
        let shown = PlainText.singleLine(String(SecretRedactor.maskingURLPasswords(in: reason).prefix(300)))
        var effects = DeliveryEffects(outcome: "given up: \(shown)")
        effects.notifications = reaction(to: comment, accepted: false)
            + reply(to: comment.issue, marker: "reply:\(comment.id)", text: "I could not do that: \(PlainText.markdownCell(shown)).")
        return effects
    }

    /// 👍 on a command BenchBot obeys, 😕 on one it answers with a correction.
    private func reaction(to comment: GitHubEvent.Comment, accepted: Bool) -> [OutgoingMessage] {
        guard let reporting else { return [] }
        let content = accepted ? "+1" : "confused"
        let body = (try? JSONSerialization.data(withJSONObject: ["content": content], options: [.sortedKeys])) ?? Data()
        return [OutgoingMessage(key: "github-reaction:\(reporting.repository):\(comment.id):\(content)",
                                destination: .github(method: .post, path: "/repos/\(reporting.repository)/issues/comments/\(comment.id)/reactions"),
                                kind: "reaction", body: body)]
    }

    /// A comment of BenchBot's on a pull request, found again by its marker after a crash and
    /// never posted twice; `once` keeps it to one per pull request whatever later deliveries say.
    func reply(to pullRequest: Int, marker name: String, once: Bool = false, text: String) -> [OutgoingMessage] {
        guard let reporting else { return [] }
        let marker = "<!-- benchbot:\(name):\(reporting.context) -->"
        let body = (try? JSONSerialization.data(withJSONObject: ["body": marker + "\n" + text], options: [.sortedKeys])) ?? Data()
        return [OutgoingMessage(key: "github-reply:\(reporting.repository)#\(pullRequest):\(marker)",
                               destination: .githubIssueComment(repository: reporting.repository, issue: pullRequest, marker: marker),
                               kind: once ? "pr-notice" : "pr-reply", body: body)]
    }
}
