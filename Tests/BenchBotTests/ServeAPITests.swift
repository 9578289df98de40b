import BenchBot
import Foundation
import Logging
import TestHTTPServer
import Testing

/// `benchbot serve`'s JSON API and site, over real HTTP on 127.0.0.1, against a real store.
@Suite("benchbot serve: the HTTP API and the site")
struct ServeAPITests {
    static let apiToken = "s3cret-api-token-value"

    /// Runs `body` with the port of a server for `home` and the home's store.
    static func withServer<Result: Sendable>(home: String, environment: [String: String] = [:],
                                             _ body: @Sendable (Int, SQLiteStore, HomeConfig) async throws -> Result) async throws -> Result {
        let home = Home(root: home)
        let config = try HomeConfig.load(from: home)
        let store = try SQLiteStore.open(path: home.resolvePath(config.benchbot.store.path))
        let base = GitFixture.environment.compactMapValues { $0 }.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { $1 }
        let server = try BenchBotServer(home: home, config: config, store: store, environment: base.merging(environment) { $1 },
                                        logger: Logger(label: "test"))
        return try await LoopbackServer.with(server.router()) { url in
            try await body(try #require(url.split(separator: ":").last.flatMap { Int($0) }), store, config)
        }
    }

    /// Records an issue for every way `answer`'s body breaks the schema in `Schemas/file`.
    static func expectConforms(_ answer: RawHTTP.Response, to file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try SchemaCheck.problems(JSONValue.parse(answer.body), against: file)
        #expect(problems.isEmpty, "\(file): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    /// `count` commits on main; runs imported for all but the last two, which are queued. `parse`
    /// steps from 100 ms to 112 ms at commit 12; ten samples a run.
    static func history(in root: String, count: Int = 24) async throws -> (home: String, commits: [String]) {
        let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: count)
        let commits = try await (0..<count).asyncMap { try await fixture.head("main~\(count - 1 - $0)") }
        let folder = root.appending(path: "history")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, commit) in commits.enumerated().dropLast(2) {
            let parse = CompareCommandTests.samples(index < 12 ? 100 : 112)
            try #"{"commit": "\#(commit)", "benchmarks": [{"name": "parse", "unit": "ms", "samples": [\#(parse)]}, {"name": "render", "unit": "ms", "samples": [\#(CompareCommandTests.samples(50))]}]}"#
                .write(toFile: folder.appending(path: String(format: "%03d.json", index)), atomically: true, encoding: .utf8)
        }
        try await BenchBotProcess.succeed(["import", "--home", home, "--format", "benchbot-json", folder])
        try await BenchBotProcess.succeed(["enqueue", "--home", home, "--range", "main~2..main"])
        return (home, commits)
    }

    @Test("jobs: every field as the store holds it, filtered by state and limit, with secrets in messages masked; bad queries are 400")
    func jobs() async throws {
        try await withTemporaryDirectory { root in
            let (home, commits) = try await Self.history(in: root)
            try await Self.withServer(home: home, environment: ["BENCHBOT_API_TOKEN": Self.apiToken]) { port, store, config in
                let machine = config.benchbot.machine
                let failing = try #require(try await store.leaseNextJob(machine: machine, worker: "api-test", leaseDuration: .seconds(600), now: Date()))
                try await store.failJob(jobID: failing.id, worker: "api-test", message: "fetch https://ada:ghp_abcdefghij0123456789@example.invalid/x.git failed; "
                                        + "token \(Self.apiToken)", notifications: [], now: Date())
                _ = try #require(try await store.leaseNextJob(machine: machine, worker: "api-test", leaseDuration: .seconds(600), now: Date()))

                let all = try await RawHTTP.get("/api/v1/jobs", port: port)
                #expect(all.status == 200 && all.headers["content-type"] == "application/json")
                try Self.expectConforms(all, to: "jobs.schema.json")
                let listed = try #require(all.json?["jobs"] as? [[String: Any]])
                let stored = try await store.jobs(in: nil, limit: 100)
                #expect(listed.count == commits.count && stored.count == commits.count)
                for (document, job) in zip(listed, stored) {
                    #expect(document["id"] as? Int == Int(job.id) && document["commit"] as? String == job.commit.hex)
                    #expect(document["state"] as? String == job.state.rawValue && document["source"] as? String == job.source.rawValue)
                    #expect(document["subject"] as? String == job.subject && document["branch"] as? String == job.branch)
                    #expect(document["priority"] as? Int == job.priority && document["attempts"] as? Int == job.attempts)
                    #expect(document["enqueued_at"] as? String == job.enqueuedAt.formatted(.iso8601))
                    #expect((document["enqueued_at"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
                    #expect(document["finished_at"] as? String == job.finishedAt?.formatted(.iso8601))
                    #expect(document["untrusted"] as? Bool == false && document["pull_request"] is NSNull && document["baseline"] is NSNull)
                }
                let failed = try #require(listed.first { $0["id"] as? Int == Int(failing.id) })
                let message = try #require(failed["message"] as? String)
                #expect(!all.text.contains("ghp_abcdefghij0123456789") && !all.text.contains(Self.apiToken), "\(message)")
                #expect(message.contains("[redacted]@example.invalid") && message.hasSuffix("token [redacted]"), "\(message)")

                let running = try await RawHTTP.get("/api/v1/jobs?state=running", port: port)
                #expect((running.json?["jobs"] as? [[String: Any]])?.map { $0["commit"] as? String } == [commits.last])
                let newest = try await RawHTTP.get("/api/v1/jobs?state=done,failed&limit=2", port: port)
                try Self.expectConforms(newest, to: "jobs.schema.json")
                let expected = try await store.jobs(in: [.done, .failed], limit: 2).map(\.commit.hex)
                #expect((newest.json?["jobs"] as? [[String: Any]])?.map { $0["commit"] as? String } == expected)
                #expect(expected == [commits[commits.count - 3], commits[commits.count - 2]])

                for (query, field) in [("state=sleeping", "state:"), ("limit=0", "limit:"), ("limit=1001", "limit:"), ("limit=ten", "limit:"),
                                       ("sort=id", "unknown query parameter 'sort'")] {
                    let refused = try await RawHTTP.get("/api/v1/jobs?\(query)", port: port)
                    #expect(refused.status == 400 && refused.message?.hasPrefix(field) == true, "\(query): \(refused.text)")
                    try Self.expectConforms(refused, to: "error.schema.json")
                }
            }
        }
    }

    @Test("a commit's results: each run with each benchmark's summary and samples as stored, by full or abbreviated hash; 400 and 404 otherwise")
    func results() async throws {
        try await withTemporaryDirectory { root in
            let (home, commits) = try await Self.history(in: root)
            try await Self.withServer(home: home) { port, store, config in
                let commit = try #require(ObjectID(hex: commits[12]))
                let runs = try await store.runs(repository: config.benchbot.repository.name, commit: commit)
                let run = try #require(runs.first)
                for hash in [commits[12], String(commits[12].prefix(8)), commits[12].uppercased()] {
                    let answer = try await RawHTTP.get("/api/v1/commits/\(hash)/results", port: port)
                    #expect(answer.status == 200, "\(answer.text)")
                    try Self.expectConforms(answer, to: "results.schema.json")
                    // JSONDecoder, not JSONSerialization: the latter misreads the last digit of some doubles on Linux.
                    let decoder = JSONDecoder()
                    decoder.keyDecodingStrategy = .convertFromSnakeCase
                    let document = try decoder.decode(ResultsDocument.self, from: answer.body)
                    #expect(document.commit == commits[12])
                    #expect(document.runs.map(\.id) == runs.map(\.id) && document.runs.map(\.jobId) == runs.map(\.jobID))
                    let benchmarks = try #require(document.runs.first?.benchmarks)
                    #expect(benchmarks.map(\.name) == ["parse", "render"])
                    for (benchmark, (row, result)) in zip(benchmarks, zip(ResultsReport(run: run).benchmarks, run.results)) {
                        #expect(benchmark.samples == result.samples && benchmark.samplesCount == 10 && benchmark.unit == "ms")
                        #expect(benchmark.direction == "lower_is_better" && benchmark.median == row.median && row.median != nil)
                    }
                    #expect(benchmarks.first?.median.map { abs($0 - 112) < 0.5 } == true)
                }
                let queued = try await RawHTTP.get("/api/v1/commits/\(commits.last!)/results", port: port)
                #expect(queued.status == 200 && (queued.json?["runs"] as? [Any])?.isEmpty == true, "a known commit not run yet has no runs")

                for (hash, status, text) in [("xyz", 400, "is not a commit hash"), ("abc", 400, "is not a commit hash"),
                                             (String(repeating: "a", count: 41), 400, "is not a commit hash"),
                                             ("deadbeef", 404, "unknown commit 'deadbeef'"),
                                             (String(repeating: "0", count: 40), 404, "unknown commit")] {
                    let answer = try await RawHTTP.get("/api/v1/commits/\(hash)/results", port: port)
                    #expect(answer.status == status && answer.message?.contains(text) == true, "\(hash): \(answer.text)")
                    try Self.expectConforms(answer, to: "error.schema.json")
                }
            }
        }
    }

    @Test("an abbreviated hash that several objects start with is 400, not the first one found")
    func ambiguousHash() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            // A thousand blobs: two of them share their first four digits (fixed contents, fixed hashes).
            for index in 0..<1000 {
                try "file \(index)\n".write(toFile: fixture.work.appending(path: "f\(index).txt"), atomically: false, encoding: .utf8)
            }
            try await fixture.git("-C", fixture.work, "add", ".")
            try await fixture.git("-C", fixture.work, "commit", "-q", "-m", "many files")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", home])
            let objects = try await fixture.git("-C", fixture.work, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
                .standardOutput.split(separator: "\n")
            let prefix = try #require(Dictionary(grouping: objects, by: { $0.prefix(4) }).first { $0.value.count > 1 }?.key)
            try await Self.withServer(home: home) { port, _, _ in
                let answer = try await RawHTTP.get("/api/v1/commits/\(prefix)/results", port: port)
                #expect(answer.status == 400 && answer.message?.contains("ambiguous") == true, "\(answer.text)")
            }
        }
    }

    @Test("compare and changes answer exactly what `benchbot compare --format json` and `benchbot changes --format json` print")
    func compareAndChanges() async throws {
        try await withTemporaryDirectory { root in
            let (home, commits) = try await Self.history(in: root)
            let cliCompare = try JSONValue.parse(Data(try await BenchBotProcess.succeed(["compare", "--home", home, commits[11], commits[12], "--format", "json"]).utf8))
            let cliChanges = try JSONValue.parse(Data(try await BenchBotProcess.succeed(["changes", "--home", home, "--format", "json"]).utf8))
            try await Self.withServer(home: home) { port, _, _ in
                let compared = try await RawHTTP.get("/api/v1/compare/\(commits[11])...\(commits[12])", port: port)
                #expect(compared.status == 200, "\(compared.text)")
                try Self.expectConforms(compared, to: "compare.schema.json")
                let document = try JSONValue.parse(compared.body)
                #expect(document == cliCompare)
                #expect(document["benchmarks"].flatMap { if case .array(let rows) = $0 { rows.first?["verdict"] } else { nil } } == .string("regression"))

                let byName = try await RawHTTP.get("/api/v1/compare/\(commits[11].prefix(10))...main", port: port)
                #expect(byName.status == 404 && byName.message?.contains("has no run") == true,
                        "main's tip is queued, not measured: \(byName.text)")

                for (path, status, text) in [("\(commits[11])..\(commits[12])", 400, "is not BASE...HEAD"), ("...\(commits[12])", 400, "is not BASE...HEAD"),
                                             ("main:/secret...main", 400, "is not BASE...HEAD"), ("\(commits[1])...nobranch", 404, "unknown commit or branch 'nobranch'")] {
                    let answer = try await RawHTTP.get("/api/v1/compare/\(path)", port: port)
                    #expect(answer.status == status && answer.message?.contains(text) == true, "\(path): \(answer.text)")
                }

                let changes = try await RawHTTP.get("/api/v1/changes", port: port)
                #expect(changes.status == 200)
                try Self.expectConforms(changes, to: "changes.schema.json")
                let changeDocument = try JSONValue.parse(changes.body)
                #expect(changeDocument == cliChanges)
                guard case .array(let points) = changeDocument["changes"] else { Issue.record("no changes in \(changes.text)"); return }
                #expect(points.map { $0["commit"] } == [.string(commits[12])] && points.first?["kind"] == .string("regression"), "\(changes.text)")
            }
        }
    }

    @Test("status: jobs, outbox and deliveries by state as the store counts them, running jobs, and recent deliveries without their bodies")
    func status() async throws {
        try await withTemporaryDirectory { root in
            let (home, commits) = try await Self.history(in: root)
            try await Self.withServer(home: home) { port, store, config in
                let running = try #require(try await store.leaseNextJob(machine: config.benchbot.machine, worker: "api-test", leaseDuration: .seconds(600), now: Date()))
                let body = Data(#"{"ref": "refs/heads/main", "secret_marker": "BODY-NEVER-SHOWN"}"#.utf8)
                #expect(try await store.recordDelivery(WebhookDelivery(id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", event: "push", action: nil,
                                                                       body: body, receivedAt: Date())))
                #expect(try await store.recordDelivery(WebhookDelivery(id: "9a1b", event: "pull_request", action: "opened", body: body, receivedAt: Date())))

                let answer = try await RawHTTP.get("/api/v1/status", port: port)
                #expect(answer.status == 200 && !answer.text.contains("BODY-NEVER-SHOWN"), "\(answer.text)")
                try Self.expectConforms(answer, to: "status.schema.json")
                let document = try answer.object()
                let counts = try await store.countJobs()
                #expect(document["jobs"] as? [String: Int] == Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }))
                #expect((document["jobs"] as? [String: Int])?["done"] == commits.count - 2)
                #expect((document["running"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(running.id)])
                let outbox = try await store.countNotifications()
                #expect(document["outbox"] as? [String: Int]
                        == Dictionary(uniqueKeysWithValues: QueuedNotification.State.allCases.map { ($0.rawValue, outbox[$0] ?? 0) }))
                #expect(document["deliveries"] as? [String: Int] == ["received": 2, "processed": 0, "failed": 0])
                let recent = try #require(document["recent_deliveries"] as? [[String: Any]])
                let stored = try await store.deliveries(limit: 20)
                #expect(recent.map { $0["id"] as? String } == stored.map(\.id))
                #expect(Set(recent.map { $0["id"] as? String }) == ["72d3162e-cc78-11e3-81ab-4c9367dc0958", "9a1b"])
                let opened = try #require(recent.first { $0["id"] as? String == "9a1b" })
                #expect(opened["event"] as? String == "pull_request" && opened["action"] as? String == "opened" && opened["state"] as? String == "received")
                #expect(Set(opened.keys) == ["id", "event", "action", "state", "attempts", "outcome", "received_at"])

                let unknown = try await RawHTTP.get("/api/v1/nothing", port: port)
                #expect(unknown.status == 404 && unknown.headers["content-type"] == "application/json", "\(unknown.text)")
            }
        }
    }
}

/// `GET /api/v1/commits/{sha}/results`, as a client decodes it.
struct ResultsDocument: Decodable {
    struct Run: Decodable {
        let id: Int64
        let jobId: Int64
        let benchmarks: [Benchmark]
    }

    struct Benchmark: Decodable {
        let name: String
        let unit: String
        let direction: String
        let samplesCount: Int
        let median: Double?
        let samples: [Double]
    }

    let commit: String
    let runs: [Run]
}
