import CGit2
import Foundation
import Hummingbird
import NIOCore
import Notify

extension BenchBotServer {
    /// The read-only JSON API and `POST /api/v1/enqueue`; `Schemas/README.md` documents them.
    func addAPIRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api/v1/jobs") { request, _ -> Response in
            await answering {
                let query = try APIRequest.jobs(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
                let jobs = try await store.jobs(in: query.states, limit: query.limit)
                return .object(["jobs": .array(jobs.map(documents.job))])
            }
        }
        router.get("/api/v1/commits/:sha/results") { _, context -> Response in
            await answering { try await results(of: context.parameters.get("sha") ?? "") }
        }
        router.get("/api/v1/compare/**") { _, context -> Response in
            await answering { try await compare(context.parameters.getCatchAll().joined(separator: "/")) }
        }
        router.get("/api/v1/changes") { _, _ -> Response in
            await answering { try await changes() }
        }
        router.get("/api/v1/status") { _, _ -> Response in
            await answering { try await status() }
        }
        router.post("/api/v1/enqueue") { request, _ -> Response in
            await enqueue(request)
        }
        router.get("/api/v1/enqueue") { _, _ -> Response in
            var response = Self.answer(.methodNotAllowed, "enqueue with POST and a JSON body, such as {\"commit\": \"1a2b3c4d\"}")
            response.headers[.allow] = "POST"
            return response
        }
        // Anything else under /api is a client's mistake, answered in JSON rather than with the site's page.
        router.get("/api/**") { _, _ -> Response in
            Self.answer(.notFound, "no such endpoint; Schemas/README.md lists the API's endpoints")
        }
    }

    var documents: APIDocuments { APIDocuments(redactor: redactor) }

    /// The intake webhooks use: its mirror, and the environment's git credentials for fetching.
    var intake: Intake { processor.intake.intake }

    /// The runs of a commit named by its full or abbreviated hash.
    func results(of segment: String) async throws -> JSONValue {
        let hash = try APIRequest.hash(segment)
        let commit = try await commit(named: hash)
        let runs = try await store.runs(repository: config.benchbot.repository.name, commit: commit)
        return documents.results(commit: commit, runs: runs)
    }

    /// The commit a hash names in the mirror as last fetched (a GET never fetches), or in the
    /// store, which may hold results imported for a commit the mirror lacks.
    ///
    /// - Throws: ``APIProblem``: 400 when several objects start with the hash, 404 when nothing does.
    func commit(named hash: String) async throws -> ObjectID {
        let mirror = intake.mirror
        // Untyped: a typed-throws closure here crashes Swift 6.3's optimizer (coroutine splitting) in release builds.
        let found = try await BlockingWork.run { () throws -> ObjectID? in
            guard let repository = try? mirror.open() else { return nil }
            do {
                return try repository.resolve(hash)
            } catch let error as GitError where error.code == GIT_EAMBIGUOUS.rawValue {
                throw APIProblem.badRequest("'\(hash)' is ambiguous: several objects start with it; give more digits")
            } catch {
                return nil
            }
        }
        if let found { return found }
        if let full = ObjectID(hex: hash), !(try await store.jobs(repository: config.benchbot.repository.name, commit: full).isEmpty) {
            return full
        }
        throw APIProblem.notFound("unknown commit '\(hash)': neither the mirror nor the store holds it; `benchbot poll` fetches new commits")
    }

    /// The comparison `benchbot compare BASE HEAD --format json` prints.
    func compare(_ path: String) async throws -> JSONValue {
        guard let text = path.removingPercentEncoding else { throw APIProblem.badRequest("the path's percent-encoding is malformed") }
        let (baseName, headName) = try APIRequest.range(text)
        let (intake, store, settings) = (intake, store, config.benchbot)
        return try await BlockingWork.run {
            let repository = try intake.mirror.open()
            let analyzer = Analyzer(store: store, repository: repository, settings: settings)
            var runs: [StoredRun] = []
            for name in [baseName, headName] {
                guard let commit = intake.resolveWithoutFetching(name, in: repository) else {
                    throw APIProblem.notFound("unknown commit or branch '\(name)' in the mirror; `benchbot poll` fetches new commits")
                }
                do {
                    runs.append(try await analyzer.latestRun(of: commit))
                } catch let error as AnalysisError {
                    throw APIProblem.notFound(error.description)
                }
            }
            let comparison = try await analyzer.compare(runs[0], runs[1])
            return ComparisonTable(baseline: runs[0].commit, candidate: runs[1].commit, baselineReason: Analyzer.Baseline.Reason.named.rawValue,
                                   comparison: comparison, scoreSpeedup: settings.compare.scoreSpeedup).json()
        }
    }

    /// The change points and alerts `benchbot changes --format json` prints.
    func changes() async throws -> JSONValue {
        let (intake, store, settings) = (intake, store, config.benchbot)
        return try await BlockingWork.run {
            let analyzer = Analyzer(store: store, repository: try intake.mirror.open(), settings: settings)
            return try await ChangesReport(analyzer: analyzer, tip: try? analyzer.trackedTip()).json()
        }
    }

    /// The queue, outbox and deliveries, as `benchbot status` shows them.
    func status() async throws -> JSONValue {
        documents.status(counts: try await store.countJobs(), running: try await store.jobs(in: [.running], limit: nil),
                         outbox: try await store.countNotifications(), deliveries: try await store.countDeliveries(),
                         recent: try await store.deliveries(limit: Self.recentDeliveries))
    }

    /// How many of the newest deliveries `GET /api/v1/status` lists.
    static let recentDeliveries = 20

    /// Answers with the document `body` builds, or with the error it throws as `{"message": …}`.
    func answering(_ body: () async throws -> JSONValue) async -> Response {
        do {
            let document = try await body()
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: document.prettyPrinted())))
        } catch {
            return failure(error)
        }
    }

    /// The JSON answer for an error, with the status its kind calls for.
    func failure(_ error: any Error) -> Response {
        let (status, message): (HTTPResponse.Status, String) = switch error {
        case let problem as APIProblem: (problem.status, problem.message)
        case let error as IntakeError:
            switch error.category {
            case .notFound: (.notFound, error.description)
            case .invalid: (.badRequest, error.description)
            case .unreachable: (.badGateway, error.description)
            case .refused: (.unprocessableContent, error.description)
            }
        case let error as StoreError: (.serviceUnavailable, "the store is unavailable: \(error)")
        default: (.internalServerError, "\(error)")
        }
        let redacted = redactor.redact(message)
        if status.code >= 500 { logger.error("API: \(redacted)") }
        return Self.answer(status, redacted)
    }
}
