import BenchBot
import Foundation
import Notify
import Testing

@Suite("GitHub webhooks: forks, outsiders and maintainers' commands")
struct WebhookCommandTests {
    @Test("a fork's pull request gets no job, a neutral status and one comment, until a maintainer's /benchbot run queues exactly one untrusted job")
    func forkWaitsForAMaintainer() async throws {
        try await WebhookHarness.with { harness in
            let base = try await harness.git.head()
            let head = try await harness.commitOnBranch("contribution", length: 1500)
            _ = try await harness.publishPullRequest(12, branch: nil)
            let opened = try GitHubPayload.pullRequest("opened", number: 12, head: head, base: base, headRef: "contribution",
                                                       author: "outsider", association: "FIRST_TIME_CONTRIBUTOR", fork: "outsider/octo-repo")
            try await harness.deliverAndApply("pull_request", opened)
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest(
                "reopened", number: 12, head: head, base: base, headRef: "contribution", author: "outsider", association: "FIRST_TIME_CONTRIBUTOR",
                fork: "outsider/octo-repo"))
            #expect(try await harness.jobs().isEmpty)
            let statuses = await harness.fake.statusPosts.map(\.json)
            #expect(statuses.count == 1 && statuses.first?["state"] as? String == "success"
                && (statuses.first?["description"] as? String)?.contains("/benchbot run") == true, "\(statuses)")
            let runs = await harness.fake.checkRuns.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            #expect(runs.contains { $0["conclusion"] as? String == "neutral" }, "\(runs)")
            var comments = await harness.fake.comments.values.filter { $0.issue == 12 }
            #expect(comments.count == 1 && comments.first?.body.contains("`/benchbot run`") == true, "\(comments)")

            // The same command from someone outside the project: one polite reply, nothing runs.
            await harness.fake.setPullRequest(12, try Self.pullRequest(12, head: head, base: base))
            let outsider = try GitHubPayload.comment("/benchbot run", number: 12, id: 9001, author: "outsider", association: "CONTRIBUTOR")
            try await harness.deliverAndApply("issue_comment", outsider)
            try await harness.deliverAndApply("issue_comment", outsider)
            #expect(try await harness.jobs().isEmpty)
            comments = await harness.fake.comments.values.filter { $0.issue == 12 }
            #expect(comments.count == 2 && comments.contains { $0.body.contains("@outsider") && $0.body.contains("maintainers") }, "\(comments)")
            #expect(await harness.fake.reactions.isEmpty)

            // A maintainer's command: exactly one job, as untrusted code, and a 👍 on the command.
            let command = try GitHubPayload.comment("/benchbot run\n\nLet's see.", number: 12, id: 9002, author: "maintainer", association: "MEMBER")
            try await harness.deliverAndApply("issue_comment", command, id: "d-command")
            try await harness.deliverAndApply("issue_comment", command, id: "d-command-redelivered-by-hand")
            let jobs = try await harness.jobs()
            #expect(jobs.count == 1)
            let job = try #require(jobs.first)
            #expect(job.commit.hex == head && job.baseline?.hex == base && job.pullRequest == 12 && job.untrusted)
            // The fork's own branch name is not this repository's; it is never fetched from.
            #expect(job.branch == "pull/12/head" && job.remoteURL == nil)
            #expect(await harness.fake.reactions.map(\.content) == ["+1"])
            let replies = await harness.fake.comments.values.filter { $0.issue == 12 }.map(\.body)
            #expect(replies.filter { $0.contains("Measuring `\(head)`") && $0.contains("as untrusted code") }.count == 1, "\(replies)")
            let violations = await harness.fake.violations
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    @Test("a comment on a plain issue, an ordinary comment, an edited one and a bot's do nothing")
    func commentsThatAreNotCommands() async throws {
        try await WebhookHarness.with { harness in
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run", number: 3, id: 1, onPullRequest: false))
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("Looks good! /benchbot run later?", number: 4, id: 2))
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run", number: 4, id: 3, action: "edited"))
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run", number: 4, id: 4, author: "helper[bot]", bot: true))
            #expect(try await harness.jobs().isEmpty)
            #expect(await harness.fake.githubRequests.isEmpty)
            let outcomes = try await harness.deliveries().compactMap(\.outcome)
            #expect(outcomes.count == 4 && outcomes.contains { $0.contains("not a pull request") }, "\(outcomes)")
        }
    }

    @Test("maintainers' help, unknown experiments, cancel and rerun; a check run's re-run request queues its job again")
    func maintainersCommands() async throws {
        try await WebhookHarness.with(github: ["maintainers": ["outside-maintainer"]]) { harness in
            try harness.fixture.addLoopLengthExperiment("other")
            let base = try await harness.git.head()
            let head = try await harness.commitOnBranch("faster-loop", length: 1200)
            _ = try await harness.publishPullRequest(5, branch: "faster-loop")
            await harness.fake.setPullRequest(5, try Self.pullRequest(5, head: head, base: base, fork: nil))

            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot help", number: 5, id: 11))
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run nosuch", number: 5, id: 12))
            #expect(try await harness.jobs().isEmpty)
            let replies = await harness.fake.comments.values.filter { $0.issue == 5 }.map(\.body)
            #expect(replies.contains { $0.contains("/benchbot bisect BENCHMARK GOOD BAD") } && replies.contains { $0.contains("`nosuch`") && $0.contains("`size`") },
                    "\(replies)")
            #expect(await harness.fake.reactions.map(\.content).sorted() == ["+1", "confused"])

            // Listed in benchbot.github.maintainers although GitHub calls them a contributor.
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run size", number: 5, id: 13,
                                                                                        author: "outside-maintainer", association: "CONTRIBUTOR"))
            var jobs = try await harness.jobs()
            #expect(jobs.count == 1 && jobs.first?.experiments == ["size"] && jobs.first?.untrusted == false, "\(jobs)")
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot cancel", number: 5, id: 14))
            #expect(try await harness.jobs().map(\.state) == [.cancelled])
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot rerun", number: 5, id: 15))
            jobs = try await harness.jobs()
            #expect(jobs.map(\.state) == [.queued] && jobs.first?.experiments == ["size"])

            let environment = ["TEST_GITHUB_TOKEN": WebhookHarness.token]
            #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", harness.fixture.home], environment: environment).succeeded)
            #expect(try await harness.jobs().map(\.state) == [.done])
            // Only the experiment the command named was measured.
            let measured = try await harness.fixture.store().runs(repository: harness.server.config.benchbot.repository.name, commit: try #require(ObjectID(hex: head)))
            let names = Set(measured.flatMap(\.results).map(\.displayName))
            #expect(!names.isEmpty && names.allSatisfy { $0.hasPrefix("size.") }, "\(names)")
            try await harness.deliverAndApply("check_run", try GitHubPayload.checkRun(head: head))
            try await harness.deliverAndApply("check_run", try GitHubPayload.checkRun(head: head, name: "someone else's check"))
            #expect(try await harness.jobs().map(\.state) == [.queued])
            let violations = await harness.fake.violations
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    @Test("a ping is answered 200 and recorded; a form-encoded delivery is read like a JSON one")
    func pingAndFormEncoding() async throws {
        try await WebhookHarness.with { harness in
            try await harness.deliverAndApply("ping", try GitHubPayload.ping())
            let before = try await harness.git.head()
            let after = try await harness.git.commit("one more")
            try await harness.git.git("-C", harness.git.work, "push", "-q", "origin", "main")
            let json = try GitHubPayload.push(ref: "refs/heads/main", before: before, after: after)
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let form = Data(("payload=" + String(decoding: json, as: UTF8.self).addingPercentEncoding(withAllowedCharacters: allowed)!).utf8)
            #expect(try await harness.deliver("push", form, contentType: "application/x-www-form-urlencoded").status == 200)
            await harness.server.applyDueDeliveries()
            #expect(try await harness.jobs().map(\.commit.hex) == [after])
            let deliveries = try await harness.deliveries()
            #expect(deliveries.contains { $0.event == "ping" && $0.state == .processed && ($0.outcome ?? "").contains("hook 30000001") })
            let status = try await BenchBotProcess.succeed(["status", "--home", harness.fixture.home])
            #expect(status.contains("GitHub deliveries: 0 received, 2 processed, 0 failed") && status.contains("ping  processed: ping from hook 30000001"),
                    "\(status)")
        }
    }

    @Test("/benchbot bisect measures midpoints as the worker runs them and answers with the commit that changed the benchmark")
    func bisectFromAComment() async throws {
        try await WebhookHarness.with { harness in
            let commits = try await harness.fixture.commitLoopLengths(2...8) { $0 >= 6 ? 3000 : 1000 }
            let (good, bad, culprit) = (commits[0], commits[7], commits[5])
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment(
                "/benchbot bisect size.loop \(good.prefix(10)) \(bad)", number: 21, id: 4001))
            var replies = await harness.fake.comments.values.filter { $0.issue == 21 }.map(\.body)
            #expect(replies.count == 1 && replies.first?.contains("6 commit(s) in between") == true, "\(replies)")
            let environment = ["TEST_GITHUB_TOKEN": WebhookHarness.token]
            var rounds = 0
            while replies.count < 2, rounds < 8 {
                #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", harness.fixture.home], environment: environment).succeeded)
                await harness.server.applyDueDeliveries()
                replies = await harness.fake.comments.values.filter { $0.issue == 21 }.map(\.body)
                rounds += 1
            }
            let answer = try #require(replies.first { $0.contains("changed at") }, "\(replies)")
            #expect(answer.contains(culprit) && answer.contains("step 6"), "\(answer)")
            let prose = answer.replacingOccurrences(of: #"`[^`]*`"#, with: "", options: .regularExpression)
            #expect(prose.range(of: #"\de[+-]?\d"#, options: .regularExpression) == nil && prose.contains("from 1k at"), "levels in human units: \(answer)")
            // Good, bad and a few midpoints, not all seven commits.
            let measured = try await harness.jobs().filter { $0.state == .done }.count
            #expect(measured < commits.count, "\(measured) commits measured")

            // A bisection off the tracked history is refused: its midpoints would run as trusted code.
            let side = try await harness.commitOnBranch("side", from: good, length: 5000)
            _ = try await harness.publishPullRequest(22, branch: nil)
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot bisect size.loop \(good) \(side)", number: 22, id: 4002))
            let refusal = await harness.fake.comments.values.filter { $0.issue == 22 }.map(\.body)
            #expect(refusal.count == 1 && refusal.first?.contains("I cannot bisect that") == true, "\(refusal)")
        }
    }

    @Test("a maintainer's command that cannot be done (GitHub knows no such pull request) is answered with the reason, and marked failed")
    func commandGivenUpIsAnswered() async throws {
        try await WebhookHarness.with { harness in
            try await harness.deliverAndApply("issue_comment", try GitHubPayload.comment("/benchbot run", number: 99, id: 7001))
            #expect(try await harness.jobs().isEmpty)
            let replies = await harness.fake.comments.values.filter { $0.issue == 99 }.map(\.body)
            #expect(replies.count == 1 && replies.first?.contains("I could not do that: GET pull request #99: GitHub answered 404") == true, "\(replies)")
            #expect(await harness.fake.reactions.map(\.content) == ["confused"])
            #expect(try await harness.deliveries().first?.state == .failed)
        }
    }

    static func pullRequest(_ number: Int, head: String, base: String, fork: String? = "outsider/octo-repo") throws -> [String: Any] {
        let text = try GitHubPayload.pullRequestObject(number: number, head: head, base: base, author: fork == nil ? "ada" : "outsider",
                                                       association: fork == nil ? "MEMBER" : "FIRST_TIME_CONTRIBUTOR", fork: fork)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
