@testable import BenchBot
import Foundation
import GRDB
import Testing

@Suite("SQLite store: a history's latest runs")
struct StoreHistoryTests {
    @Test("a whole history's newest ordinary runs are the same read in one pass as commit by commit, and ignore other repositories, machines and paired halves")
    func latestRunsOfAWholeHistory() async throws {
        try await withTemporaryDirectory { root in
            let path = root.appending(path: "benchbot.sqlite")
            let store = try SQLiteStore.open(path: path)
            let commits = (0..<700).map { ObjectID(hex: String(format: "%040x", $0 * 7919 + 1))! }
            let expected = try await store.pool.write { db -> [ObjectID: Int64] in
                var expected: [ObjectID: Int64] = [:]
                try db.execute(sql: "INSERT INTO repository (id, name, url, created_at) VALUES (1, 'project', '/srv/p.git', 0), (2, 'other', '/srv/o.git', 0)")
                var id: Int64 = 0
                func run(_ commit: ObjectID, repository: Int = 1, machine: String = "bench-1", suite: String = "default", role: String? = nil) throws {
                    id += 1
                    // One job per commit, suite and machine, as the queue keeps them; its runs are the reruns.
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO job (repository_id, sha, suite, machine, source, state, max_attempts, enqueued_at)
                            VALUES (?, ?, ?, ?, 'manual', 'done', 1, 0)
                        """, arguments: [repository, commit.hex, suite, machine])
                    let job = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE repository_id = ? AND sha = ? AND suite = ? AND machine = ?",
                                                 arguments: [repository, commit.hex, suite, machine])
                    try db.execute(sql: """
                        INSERT INTO run (id, job_id, repository_id, sha, suite, machine, started_at, finished_at, environment, role)
                            VALUES (?, ?, ?, ?, ?, ?, 0, 1, '{}', ?)
                        """, arguments: [id, job, repository, commit.hex, suite, machine, role])
                }
                for (index, commit) in commits.enumerated() {
                    // Every fifth commit is not measured here; every third twice; the rest once, among runs that do not count.
                    if index % 5 == 0 { try run(commit, machine: "bench-2"); continue }
                    try run(commit)
                    expected[commit] = id
                    if index % 3 == 0 { try run(commit); expected[commit] = id }
                    if index % 7 == 0 { try run(commit, role: "candidate") }
                    if index % 11 == 0 { try run(commit, repository: 2) }
                    if index % 13 == 0 { try run(commit, suite: "nightly") }
                }
                return expected
            }
            let unknown = (0..<5).map { ObjectID(hex: String(format: "%040x", 999_999_000 + $0))! }
            let whole = try await store.latestRunIDs(repository: "project", machine: "bench-1", suite: "default", commits: commits + unknown)
            var byParts: [ObjectID: Int64] = [:]
            for start in stride(from: 0, to: commits.count, by: 100) {
                let part = Array(commits[start..<min(start + 100, commits.count)])
                byParts.merge(try await store.latestRunIDs(repository: "project", machine: "bench-1", suite: "default", commits: part)) { $1 }
            }
            #expect(whole == expected && byParts == expected, "\(whole.count) and \(byParts.count) of \(expected.count)")
            // Asking for part of the history, past the size read in one pass, gives only that part.
            let half = Array(commits.prefix(600))
            let partial = try await store.latestRunIDs(repository: "project", machine: "bench-1", suite: "default", commits: half)
            #expect(partial == expected.filter { half.contains($0.key) })
        }
    }
}
