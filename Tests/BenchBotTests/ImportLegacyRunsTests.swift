import BenchBot
import Compare
import Foundation
import GRDB
import Testing

/// Stores written by versions that kept one run per imported file.
@Suite("import: a store with one run per imported file")
struct ImportLegacyRunsTests {
    @Test("every older run's file counts as imported, and --replace leaves the commit one run")
    func legacyRunsReplaced() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let sha = try await fixture.head("main")
            let id = try #require(ObjectID(hex: sha))
            let metadata = CommitMetadata(id: id, parents: [], authorName: "A", authorEmail: "a@example.org", authorTime: Date(), subject: "s")
            let request = EnqueueRequest(repository: "origin", repositoryURL: fixture.origin, commits: [metadata], suite: "default",
                                         machine: "m", branch: "main", source: .import)
            let store = try SQLiteStore.open(path: home.appending(path: "benchbot.sqlite"))
            let parse = BenchmarkResult(benchmark: "parse", unit: "ms", direction: .lowerIsBetter, samples: [1, 2])
            let first = try await store.importRun(request, startedAt: Date(), finishedAt: Date(), environment: [:], results: [parse], failures: [],
                                                  contentDigests: ["d1"], replace: false)
            // What an older version left for a second file: a run of its own, with its one digest.
            let database = try DatabaseQueue(path: home.appending(path: "benchbot.sqlite"))
            try await database.write { db in
                try db.execute(sql: """
                    INSERT INTO run (job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, import_digest)
                    SELECT job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, experiments, 'd2' FROM run WHERE id = ?
                    """, arguments: [first.id])
            }
            let contents = try #require(try await store.importedRun(request))
            #expect(contents.digests == ["d1", "d2"] && contents.id > first.id)
            let again = try await store.importRun(request, startedAt: Date(), finishedAt: Date(), environment: [:], results: [parse], failures: [],
                                                  contentDigests: ["d1"], replace: false)
            #expect(again.outcome == .unchanged)
            let render = BenchmarkResult(benchmark: "render", unit: "ms", direction: .lowerIsBetter, samples: [3])
            let replaced = try await store.importRun(request, startedAt: Date(), finishedAt: Date(), environment: [:], results: [render], failures: [],
                                                     contentDigests: ["d2"], replace: true)
            #expect(replaced.outcome == .replaced)
            let runs = try await store.runs(repository: "origin", commit: id)
            #expect(runs.map(\.id) == [replaced.id] && runs.first?.results.map(\.displayName) == ["render"])
            #expect(try await store.importedRun(request)?.digests == ["d2"])
        }
    }
}
