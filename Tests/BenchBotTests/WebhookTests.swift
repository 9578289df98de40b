import BenchBot
import Foundation
import Notify
import Testing

@Suite("GitHub webhooks: verification, pushes and pull requests")
struct WebhookTests {
    @Test("GitHub's documented test vector verifies, and a changed byte, another secret or a malformed header does not")
    func signatureVector() {
        let body = Data("Hello, World!".utf8), secret = "It's a Secret to Everybody"
        let documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookSignature.header(for: body, secret: secret) == documented)
        #expect(WebhookSignature.isValid(documented, body: body, secret: secret))
        #expect(WebhookSignature.isValid(documented.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), body: body, secret: secret))
        #expect(!WebhookSignature.isValid(documented, body: Data("Hello, World?".utf8), secret: secret))
        #expect(!WebhookSignature.isValid(documented, body: body, secret: secret + " "))
        for malformed in [nil, "", "sha256=", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d", String(documented.dropLast()), documented + "00",
                          documented.replacingOccurrences(of: "7571", with: "zz71")] {
            #expect(!WebhookSignature.isValid(malformed, body: body, secret: secret), "\(malformed ?? "nil")")
        }
    }

    @Test("a body changed by one byte, or no signature, gets 401 and keeps nothing; too big gets 413, another content type 415")
    func refusals() async throws {
        try await WebhookHarness.with { harness in
            let main = try await harness.git.head()
            let payload = try GitHubPayload.push(ref: "refs/heads/main", before: GitHubPayload.zero, after: main)
            let signature = WebhookSignature.header(for: payload, secret: WebhookHarness.secret)
            var tampered = payload
            tampered[tampered.count / 2] ^= 0x01
            #expect(try await harness.deliver("push", tampered, signature: signature).status == 401)
            var unsigned = try await harness.deliver("push", payload, signature: "")
            #expect(unsigned.status == 401)
            unsigned = try await harness.deliver("push", payload, signature: WebhookSignature.header(for: payload, secret: "another secret"))
            #expect(unsigned.status == 401)
            #expect(try await harness.deliver("push", payload, contentType: "text/plain").status == 415)
            let huge = Data(repeating: UInt8(ascii: " "), count: 25 * 1024 * 1024 + 1)
            #expect(try await harness.deliver("push", huge).status == 413)
            await harness.server.applyDueDeliveries()
            #expect(try await harness.deliveries().isEmpty)
            #expect(try await harness.jobs().isEmpty)

            // What was refused, and why, is counted for Prometheus; the store's health is /healthz.
            try await harness.deliverAndApply("ping", try GitHubPayload.ping())
            let metrics = try await HTTPClient().execute(HTTPRequest(method: .get, url: harness.url + "/metrics"))
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(metrics.status == 200 && metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            for line in [#"benchbot_webhook_rejected_total{reason="signature"} 3"#, #"benchbot_webhook_rejected_total{reason="content_type"} 1"#,
                         #"benchbot_webhook_rejected_total{reason="too_large"} 1"#, #"benchbot_webhook_deliveries_total{result="accepted",event="ping"} 1"#,
                         #"benchbot_webhook_kept{state="processed"} 1.0"#, #"benchbot_queue_jobs{state="queued"} 0.0"#,
                         // The ping was kept with `disk` durability: one sync, in the cumulative +Inf bucket and the count.
                         #"benchbot_webhook_sync_seconds_bucket{le="+Inf"} 1"#, "benchbot_webhook_sync_seconds_count 1",
                         "# TYPE benchbot_webhook_sync_seconds histogram"] {
                #expect(text.contains(line), "\(line) missing from:\n\(text)")
            }
            #expect(try await HTTPClient().execute(HTTPRequest(method: .get, url: harness.url + "/healthz")).status == 200)
        }
    }

    @Test("a push of 3 commits gives 3 jobs, and its redelivery is answered 200 and gives none")
    func pushOfThreeCommits() async throws {
        try await WebhookHarness.with { harness in
            let before = try await harness.git.head()
            var commits: [String] = []
            for index in 1...3 { commits.append(try await harness.git.commit("change \(index)")) }
            try await harness.git.git("-C", harness.git.work, "push", "-q", "origin", "main")
            let payload = try GitHubPayload.push(ref: "refs/heads/main", before: before, after: commits[2])
            try await harness.deliverAndApply("push", payload, id: "d-push-1")
            let jobs = try await harness.jobs()
            #expect(jobs.map(\.commit.hex) == commits)
            #expect(jobs.allSatisfy { $0.source == .github && $0.branch == "main" && $0.baseline == nil && !$0.untrusted })

            let again = try await harness.deliver("push", payload, id: "d-push-1")
            #expect(again.status == 200)
            #expect(String(decoding: again.body, as: UTF8.self).contains("received before"))
            await harness.server.applyDueDeliveries()
            #expect(try await harness.jobs().count == 3)
            #expect(try await harness.deliveries().map(\.state) == [.processed])
        }
    }

    @Test("a new branch queues its tip only; a forced push the commits that replaced the old ones; a tag, a deletion or an untracked branch nothing")
    func branchesAndTags() async throws {
        try await WebhookHarness.with(github: ["push_branches": ["main", "release/*"]]) { harness in
            let base = try await harness.git.head()
            _ = try await harness.git.commit("release work 1")
            let tip = try await harness.git.commit("release work 2")
            try await harness.git.git("-C", harness.git.work, "push", "-q", "origin", "HEAD:refs/heads/release/1")
            try await harness.deliverAndApply("push", try GitHubPayload.push(ref: "refs/heads/release/1", before: GitHubPayload.zero, after: tip))
            #expect(try await harness.jobs().map(\.commit.hex) == [tip])

            // Rewritten history: two commits replace the two pushed before.
            try await harness.git.git("-C", harness.git.work, "reset", "-q", "--hard", base)
            let replaced = [try await harness.git.commit("rewritten 1", file: "other.txt"), try await harness.git.commit("rewritten 2", file: "other.txt")]
            try await harness.git.git("-C", harness.git.work, "push", "-q", "-f", "origin", "HEAD:refs/heads/release/1")
            try await harness.deliverAndApply("push", try GitHubPayload.push(ref: "refs/heads/release/1", before: tip, after: replaced[1], forced: true))
            #expect(try await harness.jobs().map(\.commit.hex) == [tip] + replaced)

            try await harness.git.git("-C", harness.git.work, "tag", "v1", replaced[1])
            try await harness.git.git("-C", harness.git.work, "push", "-q", "origin", "v1")
            try await harness.deliverAndApply("push", try GitHubPayload.push(ref: "refs/tags/v1", before: GitHubPayload.zero, after: replaced[1]))
            try await harness.deliverAndApply("push", try GitHubPayload.push(ref: "refs/heads/release/1", before: replaced[1], after: GitHubPayload.zero))
            let feature = try await harness.git.commit("feature", file: "feature.txt")
            try await harness.git.git("-C", harness.git.work, "push", "-q", "origin", "HEAD:refs/heads/feature")
            try await harness.deliverAndApply("push", try GitHubPayload.push(ref: "refs/heads/feature", before: GitHubPayload.zero, after: feature))
            #expect(try await harness.jobs().count == 3)
            let outcomes = try await harness.deliveries().compactMap(\.outcome)
            #expect(outcomes.contains { $0.contains("not a branch") } && outcomes.contains { $0.contains("deleted") }
                && outcomes.contains { $0.contains("not a tracked branch") }, "\(outcomes)")
        }
    }

    @Test("a maintainer's pull request is queued at once as a paired job with a pending status and check run; a new push edits the same comment")
    func sameRepositoryPullRequest() async throws {
        try await WebhookHarness.with { harness in
            let base = try await harness.git.head()
            try await BenchBotProcess.succeed(["enqueue", "--home", harness.fixture.home, "--commit", base])
            let first = try await harness.commitOnBranch("faster-loop", length: 1001)
            _ = try await harness.publishPullRequest(7, branch: "faster-loop")
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("opened", number: 7, head: first, base: base))
            var jobs = try await harness.jobs().filter { $0.pullRequest == 7 }
            #expect(jobs.count == 1)
            #expect(jobs.first?.commit.hex == first && jobs.first?.baseline?.hex == base && jobs.first?.untrusted == false)
            let statuses = await harness.fake.statusPosts.map(\.json)
            #expect(statuses.contains { $0["state"] as? String == "pending" && $0["context"] as? String == "benchbot" }, "\(statuses)")
            let runs = await harness.fake.checkRuns.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            #expect(runs.contains { $0["head_sha"] as? String == first && $0["status"] as? String == "queued" }, "\(runs)")

            let environment = ["TEST_GITHUB_TOKEN": WebhookHarness.token]
            #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", harness.fixture.home], environment: environment).succeeded)
            let second = try await harness.commitOnBranch("faster-loop", length: 3000)
            _ = try await harness.publishPullRequest(7, branch: "faster-loop")
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("synchronize", number: 7, head: second, base: base))
            jobs = try await harness.jobs().filter { $0.pullRequest == 7 }
            #expect(jobs.map(\.commit.hex) == [first, second])
            #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", harness.fixture.home], environment: environment).succeeded)

            // Reopened with the same head: its verdict stands, and no pending status is left hanging.
            let statusesBefore = await harness.fake.statusPosts.count
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("reopened", number: 7, head: second, base: base))
            #expect(try await harness.jobs().filter { $0.pullRequest == 7 }.count == 2)
            #expect(await harness.fake.statusPosts.count == statusesBefore)

            let comments = await harness.fake.comments
            #expect(comments.count == 1, "\(comments)")
            let comment = try #require(comments.values.first)
            #expect(comment.issue == 7 && comment.body.contains(String(second.prefix(10))), "\(comment.body)")
            let requests = await harness.fake.githubRequests.map { "\($0.method) \($0.path)" }
            #expect(requests.filter { $0 == "POST /repos/octo-org/octo-repo/issues/7/comments" }.count == 1, "\(requests)")
            #expect(requests.contains { $0.hasPrefix("PATCH /repos/octo-org/octo-repo/issues/comments/") }, "\(requests)")
            let violations = await harness.fake.violations
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    @Test("a closed pull request's queued jobs are cancelled, and its pending status says so; reopened, it is queued again; a draft waits until it is ready for review")
    func closedAndDraft() async throws {
        try await WebhookHarness.with { harness in
            let base = try await harness.git.head()
            let head = try await harness.commitOnBranch("faster-loop", length: 1001)
            _ = try await harness.publishPullRequest(9, branch: "faster-loop")
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("opened", number: 9, head: head, base: base, draft: true))
            #expect(try await harness.jobs().isEmpty)
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("ready_for_review", number: 9, head: head, base: base))
            #expect(try await harness.jobs().map(\.state) == [.queued])
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("closed", number: 9, head: head, base: base, state: "closed"))
            #expect(try await harness.jobs().map(\.state) == [.cancelled])
            // The pending status would otherwise stay for good, and block a required check.
            var statuses = await harness.fake.statusPosts.filter { $0.path.hasSuffix("/statuses/\(head)") }.map(\.json)
            #expect(statuses.map { $0["state"] as? String } == ["pending", "success"], "\(statuses)")
            #expect((statuses.last?["description"] as? String)?.hasPrefix("not run: cancelled (pull request #9 was closed)") == true)
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("reopened", number: 9, head: head, base: base))
            #expect(try await harness.jobs().map(\.state) == [.queued])
            statuses = await harness.fake.statusPosts.filter { $0.path.hasSuffix("/statuses/\(head)") }.map(\.json)
            #expect(statuses.map { $0["state"] as? String } == ["pending", "success", "pending"], "\(statuses)")
            // Closed and cancelled again: said again, not dropped as a message sent before.
            try await harness.deliverAndApply("pull_request", try GitHubPayload.pullRequest("closed", number: 9, head: head, base: base, state: "closed"))
            statuses = await harness.fake.statusPosts.filter { $0.path.hasSuffix("/statuses/\(head)") }.map(\.json)
            #expect(statuses.map { $0["state"] as? String } == ["pending", "success", "pending", "success"], "\(statuses)")
        }
    }
}
