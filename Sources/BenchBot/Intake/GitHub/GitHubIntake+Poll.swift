public import Foundation
import Notify

/// What `poll --pull-requests` did with one pull request.
public struct PolledPullRequest: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// Its head was queued as a paired job against its merge base.
        case queued
        /// A fork's or an outsider's: a neutral status and one comment say how a maintainer starts it.
        case awaitingMaintainer
        /// Its head already has a job here.
        case alreadyMeasured
        /// Nothing queued, as the settings say (a draft).
        case skipped
        /// No longer open: its queued jobs were cancelled.
        case cancelled
        /// It could not be queued; `line` says why.
        case failed
    }

    public var number: Int
    public var outcome: Outcome
    /// One line for people: `pull request #7: queued 1a2b3c4d5e against merge base 9f8e7d6c5b`.
    public var line: String
}

/// What a poll of the open pull requests did.
public enum PullRequestPoll: Sendable, Hashable {
    /// Another poll of the pull requests holds the lock; this one did nothing.
    case alreadyRunning
    /// One entry per open pull request, then one per pull request closed since the last poll.
    case polled([PolledPullRequest])
}

extension GitHubIntake {
    /// The page size asked for: GitHub's largest, so a hundred open pull requests cost one request.
    static let pullRequestsPerPage = 100
    /// A bound on pages followed, so a `next` link that loops cannot keep a poll going forever.
    static let maximumPullRequestPages = 50

    /// Lists the open pull requests on GitHub and treats each head with no job yet as a
    /// `synchronize` delivery would: a maintainer's own branch is queued, a fork's or an
    /// outsider's waits for a maintainer. Queued jobs of pull requests no longer open are
    /// cancelled. Each pull request's effects are stored in one transaction of their own.
    ///
    /// Pages are asked for conditionally on the ETag kept from the last poll: an unchanged page
    /// is answered 304, which costs no rate limit, and its kept copy is read instead.
    ///
    /// - Throws: ``GitHubIntakeError`` when GitHub cannot be asked (no `benchbot.notify.github`,
    ///   no token) or a page cannot be read; nothing is cancelled then.
    public func pollPullRequests(now: Date = Date()) async throws(GitHubIntakeError) -> PullRequestPoll {
        guard let reporting else {
            throw GitHubIntakeError(message: "polling pull requests needs benchbot.notify.github (the repository and a token) in the config", transient: false)
        }
        guard let reader, reader.canRead else {
            throw GitHubIntakeError(message: "polling pull requests needs a GitHub token: set the variable named by "
                + "benchbot.notify.github.token_env (default GITHUB_TOKEN), or token_file", transient: false)
        }
        let lock: FileLock?
        do {
            lock = try FileLock.acquireIfFree(at: intake.home.lockPath("poll-pull-requests-\(intake.settings.repository.name)"))
        } catch {
            throw GitHubIntakeError(message: "\(error.path): \(error.reason)", transient: true)
        }
        guard let lock else { return .alreadyRunning }
        defer { withExtendedLifetime(lock) {} }

        let open = try await openPullRequests(repository: reporting.repository, reader: reader, now: now)
        var results: [PolledPullRequest] = []
        for pullRequest in open {
            results.append(await poll(pullRequest, now: now))
        }
        results += try await cancelClosed(keeping: Set(open.map(\.number)), now: now)
        return .polled(results)
    }

    private func poll(_ pullRequest: GitHubEvent.PullRequest, now: Date) async -> PolledPullRequest {
        let label = "pull request #\(pullRequest.number)"
        let intake = self.intake
        do throws(GitHubIntakeError) {
            let jobs = try await Self.storeCall { () async throws(StoreError) in
                try await intake.store.jobs(repository: intake.settings.repository.name, pullRequest: pullRequest.number)
            }
            if let job = jobs.last(where: { $0.commit == pullRequest.headSHA && $0.machine == intake.settings.measuringClasses[0] }) {
                return PolledPullRequest(number: pullRequest.number, outcome: .alreadyMeasured,
                                         line: "\(label): \(pullRequest.headSHA.short) already has job \(job.id) (\(job.state.rawValue))")
            }
            // The webhook's own rules, as if GitHub had sent the head's `synchronize`.
            let effects = try await effects(of: pullRequest, action: "synchronize")
            let applied = try await Self.storeCall { () async throws(StoreError) in try await intake.store.applyEffects(effects, now: now) }
            guard let request = effects.enqueues.first, let head = request.commits.first?.id else {
                return PolledPullRequest(number: pullRequest.number, outcome: effects.notifications.isEmpty ? .skipped : .awaitingMaintainer,
                                         line: effects.outcome)
            }
            guard applied.enqueued.contains(where: { !$0.queued.isEmpty || !$0.requeued.isEmpty }) else {
                return PolledPullRequest(number: pullRequest.number, outcome: .alreadyMeasured, line: "\(label): \(head.short) already has a job")
            }
            return PolledPullRequest(number: pullRequest.number, outcome: .queued,
                                     line: "\(label): queued \(head.short) against merge base \(request.baseline?.short ?? "?")")
        } catch {
            return PolledPullRequest(number: pullRequest.number, outcome: .failed, line: "\(label): not queued: \(error.message)")
        }
    }

    /// Cancels the queued jobs of pull requests that left the open list since they were queued.
    private func cancelClosed(keeping open: Set<Int>, now: Date) async throws(GitHubIntakeError) -> [PolledPullRequest] {
        let intake = self.intake
        let queued = try await Self.storeCall { () async throws(StoreError) in try await intake.store.jobs(in: [.queued], limit: nil) }
        // Only what GitHub queued: `enqueue --pull-request N` by hand is an operator's to cancel.
        let gone = Set(queued.filter { $0.repository == intake.settings.repository.name && $0.source == .github }
            .compactMap(\.pullRequest)).subtracting(open)
        var results: [PolledPullRequest] = []
        for number in gone.sorted() {
            let effects = try await cancel(number, reason: "pull request #\(number) is no longer open", outcome: "pull request #\(number) is no longer open")
            let applied = try await Self.storeCall { () async throws(StoreError) in try await intake.store.applyEffects(effects, now: now) }
            results.append(PolledPullRequest(number: number, outcome: .cancelled,
                                             line: "pull request #\(number): no longer open; \(applied.cancelled) queued job(s) cancelled"))
        }
        return results
    }

    /// Every open pull request, following GitHub's `Link: <…>; rel="next"` pages.
    func openPullRequests(repository: String, reader: GitHubReader, now: Date) async throws(GitHubIntakeError) -> [GitHubEvent.PullRequest] {
        var next: String? = "/repos/\(repository)/pulls?state=open&per_page=\(Self.pullRequestsPerPage)"
        var seen: Set<String> = []
        var pullRequests: [GitHubEvent.PullRequest] = []
        while let path = next {
            guard seen.insert(path).inserted, seen.count <= Self.maximumPullRequestPages else {
                throw GitHubIntakeError(message: "GET \(path): GitHub's pages of open pull requests do not end "
                    + "(more than \(Self.maximumPullRequestPages), or a page links back); nothing was cancelled", transient: true)
            }
            let page = try await pullRequestPage(path, reader: reader, now: now)
            pullRequests += page.pullRequests
            next = page.next
        }
        return pullRequests
    }

    /// One page, from GitHub or, when GitHub answers 304, from the copy kept with its ETag.
    private func pullRequestPage(_ path: String, reader: GitHubReader, now: Date) async throws(GitHubIntakeError)
        -> (pullRequests: [GitHubEvent.PullRequest], next: String?) {
        let intake = self.intake
        let key = "github-pulls:\(reader.credentials.githubAPIURL)\(path)"
        let kept = try await Self.storeCall { () async throws(StoreError) in try await intake.store.httpCacheEntry(key: key) }
        let response: HTTPResponse
        do {
            response = try await reader.get(path, etag: kept?.etag)
        } catch {
            throw GitHubIntakeError(message: "GET \(path): \(error)", transient: true)
        }
        let page: JSONValue
        if response.status == 304, let kept, let keptPage = try? JSONValue.parse(kept.body) {
            page = keptPage
        } else if response.status == 200 {
            let items: JSONValue
            do {
                items = try JSONValue.parse(response.body)
            } catch {
                throw GitHubIntakeError(message: "GET \(path): GitHub's answer is not JSON (\(error))", transient: true)
            }
            let next = try nextPage(response.header("Link"), after: path, base: reader.credentials.githubAPIURL)
            page = .object(["pulls": items, "next": next.map(JSONValue.string) ?? .null])
            if let etag = response.header("ETag") {
                let entry = HTTPCacheEntry(etag: etag, body: page.compactJSON())
                try await Self.storeCall { () async throws(StoreError) in try await intake.store.saveHTTPCacheEntry(key: key, entry, now: now) }
            }
        } else {
            throw GitHubIntakeError(message: "GET \(path): GitHub answered \(response.status)"
                + (response.status == 401 ? "; check the token in benchbot.notify.github" : ""), transient: response.status != 404)
        }
        guard let items = page["pulls"]?.array else {
            throw GitHubIntakeError(message: "GET \(path): GitHub's answer is \(page["pulls"]?.typeName ?? "missing"), expected an array of pull requests", transient: true)
        }
        var pullRequests: [GitHubEvent.PullRequest] = []
        for (index, item) in items.enumerated() {
            do {
                // A listed pull request has the webhook's `pull_request` shape.
                if case .pullRequest(_, let pullRequest) = try GitHubEvent.parse(
                    event: "pull_request", payload: .object(["action": .string("synchronize"), "pull_request": item])) {
                    pullRequests.append(pullRequest)
                }
            } catch {
                throw GitHubIntakeError(message: "GET \(path): item \(index): \(error.description)", transient: false)
            }
        }
        return (pullRequests, page["next"]?.string)
    }

    /// The path of the `rel="next"` page, which must be on the API server the token is for.
    func nextPage(_ link: String?, after path: String, base: String) throws(GitHubIntakeError) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2, fields.dropFirst().contains(where: { $0 == "rel=\"next\"" || $0 == "rel=next" }),
                  fields[0].hasPrefix("<"), fields[0].hasSuffix(">") else { continue }
            let url = String(fields[0].dropFirst().dropLast())
            let root = base.hasSuffix("/") ? String(base.dropLast()) : base
            // The token goes with every request: a link elsewhere is not followed.
            guard url.hasPrefix(root + "/"), let rest = url.dropPrefix(root) else {
                throw GitHubIntakeError(message: "GET \(path): the next page's link \(PlainText.singleLine(String(url.prefix(200)))) "
                    + "is not on \(root); not followed, nothing was cancelled", transient: false)
            }
            return rest
        }
        return nil
    }
}
