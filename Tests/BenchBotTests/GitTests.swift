@testable import BenchBot
import Foundation
import Testing

@Suite("Git layer over libgit2")
struct GitTests {
    @Test("resolves refs, lists new commits oldest first, and reads metadata")
    func historyAndMetadata() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await GitFixture.make(in: root, commits: 5)
            let repository = try GitRepository.open(at: fixture.origin)
            let tip = try repository.resolve("main")
            #expect(tip.hex == (try await fixture.head()))
            let base = try repository.resolve("main~3")
            let new = try repository.commits(from: tip, excluding: [base], firstParent: true)
            let expected = try await fixture.git("-C", fixture.work, "rev-list", "--reverse", "main~3..main").standardOutput
            #expect(new.map(\.hex) == expected.split(separator: "\n").map(String.init))
            #expect(try repository.commits(from: tip, firstParent: true, limit: 2).last == tip)

            let metadata = try repository.metadata(of: tip)
            #expect(metadata.subject == "commit 5")
            #expect(metadata.authorName == "Ada Tester" && metadata.authorEmail == "ada@example.invalid")
            #expect(metadata.parents == [try repository.resolve("main~1")])
            #expect(try repository.isAncestor(base, of: tip))
            #expect(try !repository.isAncestor(tip, of: base))
        }
    }

    @Test("first-parent walks skip a merged branch's commits; the merge base is the fork point")
    func firstParentAndMergeBase() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await GitFixture.make(in: root, commits: 2)
            let forkPoint = try await fixture.head()
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "topic")
            let topic = try await fixture.commit("topic work", file: "topic.txt")
            try await fixture.git("-C", fixture.work, "checkout", "-q", "main")
            try await fixture.commit("main work")
            try await fixture.git("-C", fixture.work, "merge", "-q", "--no-ff", "-m", "merge topic", "topic")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main", "topic")
            let repository = try GitRepository.open(at: fixture.origin)
            let tip = try repository.resolve("main")
            let start = try repository.resolve(forkPoint)

            let firstParent = try repository.commits(from: tip, excluding: [start], firstParent: true)
            let all = try repository.commits(from: tip, excluding: [start], firstParent: false)
            #expect(firstParent.count == 2 && !firstParent.contains(ObjectID(hex: topic)!))
            #expect(all.count == 3 && all.contains(ObjectID(hex: topic)!))
            #expect(try repository.mergeBase(try repository.resolve("topic"), try repository.resolve("main~1")) == start)
        }
    }

    @Test("a mirror fetches branches and a fork's branch; unknown names are typed errors")
    func mirrorFetch() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await GitFixture.make(in: root, commits: 3)
            let mirror = Mirror(path: root.appending(path: "cache/project.git"), url: fixture.origin, fetchOptions: FetchOptions())
            let tips = try mirror.fetch(branches: ["main"])
            #expect(tips["main"]?.hex == (try await fixture.head()))

            let fork = root.appending(path: "fork.git")
            try await fixture.git("clone", "-q", "--bare", fixture.origin, fork)
            try await fixture.git("-C", fixture.work, "checkout", "-q", "-b", "idea")
            let idea = try await fixture.commit("idea")
            try await fixture.git("-C", fixture.work, "push", "-q", fork, "idea")
            #expect(try mirror.fetch(branch: "idea", fromFork: fork).hex == idea)
            #expect(try mirror.open().target(of: "refs/remotes/origin/idea") == nil)

            #expect { try mirror.fetch(branches: ["missing"]) } throws: { ($0 as? GitError)?.isNotFound == true }
            #expect { try mirror.fetch(branches: ["bad..name"]) } throws: { "\($0)".contains("not a valid branch name") }
            #expect { try mirror.open().resolve("0123456789abcdef") } throws: { ($0 as? GitError)?.isNotFound == true }
            #expect { try GitRepository.open(at: root) } throws: { ($0 as? GitError)?.message.isEmpty == false }
        }
    }

    @Test("a mirror or work tree half made by a process killed while creating it is made again, not refused", arguments: ["cache/project.git", "cache/project.git.new"])
    func halfMadeMirror(leftover: String) async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await GitFixture.make(in: root, commits: 2)
            // What `git_repository_init` leaves when killed before its HEAD: folders, and the config's lock.
            let half = root.appending(path: leftover)
            for folder in ["objects/pack", "refs/heads"] {
                try FileManager.default.createDirectory(atPath: half.appending(path: folder), withIntermediateDirectories: true)
            }
            try "[core]\n".write(toFile: half.appending(path: "config.lock"), atomically: false, encoding: .utf8)
            let mirror = Mirror(path: root.appending(path: "cache/project.git"), url: fixture.origin, fetchOptions: FetchOptions())
            #expect(try mirror.fetch(branches: ["main"])["main"]?.hex == (try await fixture.head()))
            #expect(try mirror.open().isBare)
            #expect(!FileManager.default.fileExists(atPath: root.appending(path: "cache/project.git.new")))
            #expect(!FileManager.default.fileExists(atPath: root.appending(path: "cache/project.git/config.lock")))
            // The same for a work tree's `.git`, left half made by a killed worker.
            let worktree = root.appending(path: "work/project")
            try FileManager.default.createDirectory(atPath: worktree.appending(path: ".git/objects"), withIntermediateDirectories: true)
            try "[core]\n".write(toFile: worktree.appending(path: ".git/config.lock"), atomically: false, encoding: .utf8)
            let head = try #require(ObjectID(hex: try await fixture.head()))
            try mirror.open().checkOut(head, into: worktree)
            #expect(try await GitFixture.git(["-C", worktree, "rev-parse", "HEAD"]).standardOutput.hasPrefix(head.hex))
        }
    }

    @Test("checking out into a reused work tree matches the commit exactly and removes stray files")
    func checkout() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await GitFixture.make(in: root, commits: 1)
            try "temporary\n".write(toFile: fixture.work.appending(path: "removed-later.txt"), atomically: true, encoding: .utf8)
            try await fixture.git("-C", fixture.work, "add", "removed-later.txt")
            let first = try await fixture.commit("with extra file")
            try await fixture.git("-C", fixture.work, "rm", "-q", "removed-later.txt")
            let second = try await fixture.commit("without it")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main")

            let repository = try GitRepository.open(at: fixture.origin)
            let worktree = root.appending(path: "worktree")
            try repository.checkOut(ObjectID(hex: first)!, into: worktree)
            #expect(FileManager.default.fileExists(atPath: worktree.appending(path: "removed-later.txt")))
            try "leftover build output\n".write(toFile: worktree.appending(path: "stray.o"), atomically: true, encoding: .utf8)
            try "edited\n".write(toFile: worktree.appending(path: "value.txt"), atomically: true, encoding: .utf8)

            try repository.checkOut(ObjectID(hex: second)!, into: worktree)
            #expect(!FileManager.default.fileExists(atPath: worktree.appending(path: "removed-later.txt")))
            #expect(!FileManager.default.fileExists(atPath: worktree.appending(path: "stray.o")))
            #expect(try String(contentsOfFile: worktree.appending(path: "value.txt"), encoding: .utf8)
                == String(contentsOfFile: fixture.work.appending(path: "value.txt"), encoding: .utf8))
            let status = try await GitFixture.git(["-C", worktree, "status", "--porcelain"])
            #expect(status.standardOutput.isEmpty)
            #expect(try await GitFixture.git(["-C", worktree, "rev-parse", "HEAD"]).standardOutput.hasPrefix(second))
        }
    }
}
