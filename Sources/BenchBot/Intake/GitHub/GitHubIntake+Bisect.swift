import Compare
import Foundation
import Notify

extension GitHubIntake {
    /// `/benchbot bisect BENCHMARK GOOD BAD`: checked now, answered at once with what will be
    /// measured, then followed by ``advanceBisections()`` until the culprit is known.
    ///
    /// Only the tracked branches' history is bisected: every midpoint is measured as trusted code,
    /// so a fork's commits must never be among them.
    func bisect(benchmark: String, good: String, bad: String, comment: GitHubEvent.Comment,
                label: String) async throws(GitHubIntakeError) -> (DeliveryEffects, understood: Bool) {
        let intake = self.intake
        let checked = try await Self.blocking { () throws -> Result<(ObjectID, ObjectID, Int), BisectionProblem> in
            func resolve(_ revision: String) throws -> ObjectID? {
                guard PushUpdate.referenceProblem("refs/heads/\(revision)") == nil || ObjectID(hex: revision) != nil else { return nil }
                return try? intake.resolveCommit(revision)
            }
            guard let goodCommit = try resolve(good) else { return .failure(.unknown(good)) }
            guard let badCommit = try resolve(bad) else { return .failure(.unknown(bad)) }
            let repository = try intake.mirror.open()
            let onTrackedHistory = try intake.settings.repository.branches.contains { branch throws in
                guard let tip = try repository.target(of: Mirror.trackingReference(for: branch)) else { return false }
                if tip == badCommit { return true }
                return try repository.isAncestor(badCommit, of: tip)
            }
            guard onTrackedHistory else { return .failure(.offTrackedHistory(badCommit)) }
            guard goodCommit != badCommit, try repository.isAncestor(goodCommit, of: badCommit) else {
                return .failure(.order(goodCommit, badCommit))
            }
            let between = try repository.commits(from: badCommit, excluding: [goodCommit], firstParent: true).count - 1
            return .success((goodCommit, badCommit, between))
        }
        var effects = DeliveryEffects(outcome: label)
        switch checked {
        case .failure(let problem):
            effects.outcome += ": refused, \(problem.text)"
            effects.notifications = reply(to: comment.issue, marker: "reply:\(comment.id)", text: "I cannot bisect that: \(problem.text).")
            return (effects, false)
        case .success(let (goodCommit, badCommit, between)):
            effects.outcome += ": \(between) commit(s) between \(goodCommit.short) and \(badCommit.short)"
            effects.bisections = [BisectionRequest(pullRequest: comment.issue, commentID: comment.id, benchmark: benchmark,
                                                   good: goodCommit, bad: badCommit)]
            effects.notifications = reply(to: comment.issue, marker: "reply:\(comment.id)", text: """
                Bisecting \(PlainText.markdownCode(benchmark)) between \(PlainText.markdownCode(goodCommit.short)) (good) and \
                \(PlainText.markdownCode(badCommit.short)) (bad): \(between) commit(s) in between, measured midpoints first. \
                I will answer here with the commit that changed it.
                """)
            return (effects, true)
        }
    }

    /// Moves every open bisection on: records what the worker measured since, queues the next
    /// midpoint, and posts the answer once there is one. Safe to call any number of times: each
    /// step is worked out again from the store.
    ///
    /// - Returns: One line per bisection that changed.
    @discardableResult
    public func advanceBisections() async -> [String] {
        guard let open = try? await intake.store.openBisections(), !open.isEmpty else { return [] }
        var lines: [String] = []
        for request in open {
            do {
                if let line = try await advance(request) { lines.append(line) }
            } catch {
                lines.append("bisection for pull request #\(request.pullRequest) not advanced: \(error)")
            }
        }
        return lines
    }

    private func advance(_ request: BisectionRequest) async throws -> String? {
        let intake = self.intake
        let commits = try await Self.blocking { () throws -> [ObjectID] in
            [request.good] + (try intake.mirror.open().commits(from: request.bad, excluding: [request.good], firstParent: true))
        }
        let repository = try intake.mirror.open()
        let analyzer = Analyzer(store: intake.store, repository: repository, settings: intake.settings)
        let jobs = try await intake.store.jobs(in: nil, limit: nil).filter { $0.machine == intake.settings.machine && $0.suite == intake.settings.suite }
        let name = PlainText.markdownCode(request.benchmark)
        var unit = ""

        /// The benchmark's median at a commit; `nil` while it waits to be measured; throws when it never will be.
        func level(at commit: ObjectID) async throws -> Double? {
            if let run = try? await analyzer.latestRun(of: commit) {
                guard let result = run.results.first(where: { $0.displayName == request.benchmark }) else {
                    throw BisectionProblem.noBenchmark(request.benchmark, commit)
                }
                unit = result.unit
                return SampleSummary(result.samples)?.median
            }
            let tried = jobs.filter { $0.commit == commit }
            if tried.contains(where: { $0.state == .failed || $0.state == .cancelled }), !tried.contains(where: { $0.state == .queued || $0.state == .running }) {
                throw BisectionProblem.unmeasurable(commit)
            }
            if tried.isEmpty { try await analyzer.queue(commit, priority: 200) }
            return nil
        }

        let goodLevel: Double?, badLevel: Double?
        do {
            goodLevel = try await level(at: request.good)
            badLevel = try await level(at: request.bad)
        } catch let problem as BisectionProblem {
            return try await finish(request, "\(problem.text).", summary: "given up: \(problem.text)")
        }
        guard let goodLevel, let badLevel else { return nil }
        var bisection = Bisection(count: commits.count, goodLevel: goodLevel, badLevel: badLevel)
        while let position = bisection.next {
            do {
                guard let measured = try await level(at: commits[position]) else { return nil }
                bisection.record(position, level: measured)
            } catch BisectionProblem.unmeasurable {
                bisection.skip(position)
            } catch let problem as BisectionProblem {
                return try await finish(request, "\(problem.text).", summary: "given up: \(problem.text)")
            }
        }
        let format = { (value: Double) in HumanUnits.format(value, unit: unit) }
        if let culprit = bisection.culprit {
            let commit = commits[culprit]
            let subject = (try? repository.metadata(of: commit).subject).map { " " + PlainText.markdownCell($0) } ?? ""
            return try await finish(request, """
                \(name) changed at \(PlainText.markdownCode(commit.hex)):\(subject) (from \(format(goodLevel)) at \
                \(PlainText.markdownCode(request.good.short)) to \(format(badLevel)) at \(PlainText.markdownCode(request.bad.short))).
                """, summary: "culprit \(commit.short)")
        }
        let suspects = bisection.suspects.map { PlainText.markdownCode(commits[$0].short) }.joined(separator: ", ")
        return try await finish(request, "\(name) changed in one of \(suspects); the others between could not be measured.",
                                summary: "culprit among \(bisection.suspects.count) commits")
    }

    private func finish(_ request: BisectionRequest, _ text: String, summary: String) async throws -> String? {
        let messages = reply(to: request.pullRequest, marker: "bisect:\(request.commentID)", text: "Bisection of "
            + "\(PlainText.markdownCode(request.benchmark)) between \(PlainText.markdownCode(request.good.short)) and "
            + "\(PlainText.markdownCode(request.bad.short)): " + text)
        guard try await intake.store.finishBisection(id: request.id, result: summary, notifications: messages, now: Date()) else { return nil }
        return "bisection for pull request #\(request.pullRequest): \(summary)"
    }
}

/// Why a bisection cannot be done, or cannot go on.
enum BisectionProblem: Error {
    case unknown(String)
    case offTrackedHistory(ObjectID)
    case order(ObjectID, ObjectID)
    case noBenchmark(String, ObjectID)
    case unmeasurable(ObjectID)

    var text: String {
        switch self {
        case .unknown(let revision): "\(PlainText.markdownCode(revision)) is not a commit I know; give a commit hash or a tracked branch's name"
        case .offTrackedHistory(let bad): "\(PlainText.markdownCode(bad.short)) is not on the tracked branches' history, and only that is bisected"
        case .order(let good, let bad): "\(PlainText.markdownCode(good.short)) is not an ancestor of \(PlainText.markdownCode(bad.short)); give GOOD first, then BAD"
        case .noBenchmark(let name, let commit): "\(PlainText.markdownCode(commit.short)) has no benchmark \(PlainText.markdownCode(name))"
        case .unmeasurable(let commit): "\(PlainText.markdownCode(commit.short)) could not be measured"
        }
    }
}
