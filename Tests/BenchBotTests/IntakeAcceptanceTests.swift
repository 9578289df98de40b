import BenchBot
import Foundation
import Testing

/// The intake acceptance points, through the real executable, real git pushes and real hooks.
@Suite("Intake through the benchbot executable")
struct IntakeAcceptanceTests {
    /// A fixture repository and a home whose project is its `origin.git`.
    static func setUp(in root: String, commits: Int = 3) async throws -> (GitFixture, String) {
        let fixture = try await GitFixture.make(in: root, commits: commits)
        let home = root.appending(path: "home")
        try await BenchBotProcess.succeed(["init", "--home", home, "--repo", fixture.origin, "--branch", "main"])
        return (fixture, home)
    }

    @Test("pushing 3 commits through the installed hook queues exactly those 3, oldest first")
    func hookQueuesPushedCommitsInOrder() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root)
            try await BenchBotProcess.succeed(["hook", "install", "--home", home, "--repo", fixture.origin])
            var pushed: [String] = []
            for index in 1...3 { pushed.append(try await fixture.commit("change \(index)")) }
            let push = try await fixture.git("-C", fixture.work, "push", "origin", "main")

            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.map(\.commit) == pushed)
            #expect(jobs.allSatisfy { $0.branch == "main" && $0.source == "hook" && $0.state == "queued" })
            #expect(jobs.map(\.subject) == ["change 1", "change 2", "change 3"])
            #expect(push.standardError.contains("benchbot: branch main: queued 3"))
        }
    }

    @Test("pushing a new branch queues only its tip")
    func newBranchQueuesOnlyItsTip() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root)
            try await BenchBotProcess.succeed(["hook", "install", "--home", home, "--repo", fixture.origin])
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "feature/faster")
            try await fixture.commit("feature 1")
            try await fixture.commit("feature 2")
            let tip = try await fixture.commit("feature 3")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "feature/faster")

            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.map(\.commit) == [tip])
            #expect(jobs.first?.branch == "feature/faster")
        }
    }

    @Test("20 concurrent enqueue processes over overlapping ranges leave no duplicates")
    func concurrentEnqueuesDoNotDuplicate() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root, commits: 12)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            let expected = Set(try await fixture.git("-C", fixture.work, "rev-list", "main~11..main")
                .standardOutput.split(separator: "\n").map(String.init))
                .union([try await fixture.head()])

            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for index in 0..<20 {
                    let start = index % 6
                    group.addTask {
                        try await BenchBotProcess.run(["enqueue", "--home", home, "--range", "main~\(start + 6)..main~\(start % 3)"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for result in results {
                #expect(result.succeeded, "enqueue failed: \(result.standardError)")
            }
            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.count == Set(jobs.map(\.commit)).count, "duplicate jobs: \(jobs.map(\.commit))")
            #expect(Set(jobs.map(\.commit)).isSubset(of: expected))
            // Every commit of main~8..main plus the polled tip: ranges cover main~11 exclusive.
            #expect(jobs.count == 11)
        }
    }

    @Test("two pushes at once and a poll overlapping them queue every commit exactly once")
    func concurrentPushesAndPoll() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root, commits: 2)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            try await BenchBotProcess.succeed(["hook", "install", "--home", home, "--repo", fixture.origin])
            let polledTip = try await fixture.head()
            let other = GitFixture(root: root.appending(path: "second"))
            try await fixture.git("clone", "-q", fixture.origin, other.work)
            var mainCommits: [String] = []
            for index in 1...3 { mainCommits.append(try await fixture.commit("main \(index)")) }
            try await other.git("-C", other.work, "checkout", "-q", "-b", "topic")
            for index in 1...3 { try await other.commit("topic \(index)", file: "topic.txt") }
            let topicTip = try await other.head()

            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                group.addTask { try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main") }
                group.addTask { try await other.git("-C", other.work, "push", "-q", "origin", "topic") }
                group.addTask { try await BenchBotProcess.run(["poll", "--home", home]) }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.succeeded }, "\(results.map { $0.standardError })")
            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(jobs.count == Set(jobs.map(\.commit)).count, "duplicates: \(jobs.map(\.commit))")
            #expect(Set(jobs.map(\.commit)) == Set([polledTip, topicTip] + mainCommits))
            #expect(jobs.filter { $0.branch == "main" }.map(\.commit).suffix(3) == mainCommits[...])
        }
    }

    @Test("a second poll queues nothing, and a poll after new commits queues exactly those")
    func secondPollQueuesNothing() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root, commits: 5)
            let first = try await BenchBotProcess.succeed(["poll", "--home", home])
            #expect(first.contains("queued 1"))
            #expect(try await BenchBotProcess.jobs(home: home).map(\.commit) == [try await fixture.head()])

            let second = try await BenchBotProcess.succeed(["poll", "--home", home])
            #expect(second.contains("nothing new"))
            #expect(try await BenchBotProcess.jobs(home: home).count == 1)

            let newCommits = [try await fixture.commit("six"), try await fixture.commit("seven")]
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["poll", "--home", home])
            #expect(try await BenchBotProcess.jobs(home: home).map(\.commit).suffix(2) == newCommits[...])
        }
    }

    @Test("--backfill N queues the last N first-parent commits on the first poll")
    func backfillQueuesHistory() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root, commits: 6)
            try await BenchBotProcess.succeed(["poll", "--home", home, "--backfill", "4"])
            let expected = try await fixture.git("-C", fixture.work, "rev-list", "--first-parent", "--reverse", "-n", "4", "main")
                .standardOutput.split(separator: "\n").map(String.init)
            #expect(try await BenchBotProcess.jobs(home: home).map(\.commit) == expected)
        }
    }

    @Test("a force-push queues the replacing commits, through the hook and through poll")
    func forcePushQueuesNewCommits() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root, commits: 4)
            try await BenchBotProcess.succeed(["poll", "--home", home])
            try await BenchBotProcess.succeed(["hook", "install", "--home", home, "--repo", fixture.origin])

            try await fixture.git("-C", fixture.work, "reset", "-q", "--hard", "HEAD~2")
            let rewritten = [try await fixture.commit("rewritten 3"), try await fixture.commit("rewritten 4")]
            let push = try await fixture.git("-C", fixture.work, "push", "-f", "origin", "main")
            #expect(push.standardError.contains("queued 2"))
            let jobs = try await BenchBotProcess.jobs(home: home)
            #expect(Array(jobs.map(\.commit).suffix(2)) == rewritten)

            // The poller saw the old tip; after the rewrite it must queue nothing twice and not fail.
            let poll = try await BenchBotProcess.run(["poll", "--home", home])
            #expect(poll.succeeded, "\(poll.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).count == jobs.count)
        }
    }

    @Test("a poll that finds another poll holding the lock exits 0 quietly and queues nothing")
    func overlappingPollExitsQuietly() async throws {
        try await withTemporaryDirectory { root in
            let (_, home) = try await Self.setUp(in: root)
            let lock = try #require(try FileLock.acquireIfFree(at: Home(root: home).lockPath("poll-origin")))
            let result = try await BenchBotProcess.run(["poll", "--home", home])
            withExtendedLifetime(lock) {}
            #expect(result.status == 0)
            #expect(result.standardOutput.isEmpty && result.standardError.isEmpty)
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("a fork's branch is fetched and queued with its URL, only when asked for")
    func forkBranchIsQueuedOnRequest() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await Self.setUp(in: root)
            let fork = root.appending(path: "fork.git")
            try await fixture.git("clone", "-q", "--bare", fixture.origin, fork)
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "contribution")
            let tip = try await fixture.commit("contributed speed-up")
            try await fixture.git("-C", fixture.work, "push", "-q", fork, "contribution")

            let queued = try await BenchBotProcess.succeed(["enqueue", "--home", home, "--branch", "contribution", "--remote", fork])
            let output = try await BenchBotProcess.succeed(["status", "--home", home, "--format", "json"])
            // Its merge base with main is its baseline, queued first.
            let mergeBase = try await fixture.head("main")
            #expect(try await BenchBotProcess.jobs(home: home).map(\.commit) == [mergeBase, tip])
            #expect(queued.contains("merge base \(mergeBase.prefix(10)), queued first"), "\(queued)")
            #expect(output.contains("\"remote_url\" : \"\(fork)\""))
        }
    }
}
