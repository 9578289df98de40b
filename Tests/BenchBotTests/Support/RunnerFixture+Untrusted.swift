import BenchBot
import Foundation
import Testing

extension RunnerFixture {
    /// Queues `commit` as an untrusted job, as a maintainer's `/benchbot run` on a fork's pull
    /// request does: through the store, paired with `baseline` when given.
    func enqueueUntrusted(_ commit: String, parent: String, baseline: String? = nil, branch: String = "main") async throws {
        let metadata = CommitMetadata(id: try #require(ObjectID(hex: commit)), parents: [try #require(ObjectID(hex: parent))],
                                      authorName: "Mallory", authorEmail: "mallory@example.invalid", authorTime: Date(), subject: "from a fork")
        var request = EnqueueRequest(repository: "origin", repositoryURL: git.origin, commits: [metadata], suite: "default",
                                     machine: ProcessInfo.processInfo.hostName, branch: branch, source: .github)
        request.untrusted = true
        request.baseline = try baseline.map { try #require(ObjectID(hex: $0)) }
        let outcome = try await store().enqueue(request)
        #expect(outcome.queued.count == 1, "\(outcome)")
    }

    /// Commits `files` on a new branch off `main` and pushes it: a fork's pull request.
    ///
    /// - Returns: The commit.
    func pushFork(_ branch: String, files: [String: String]) async throws -> String {
        try await git.git("-C", git.work, "checkout", "-q", "-B", branch, "main")
        for (name, body) in files {
            try body.write(toFile: git.work.appending(path: name), atomically: true, encoding: .utf8)
            try await git.git("-C", git.work, "add", name)
        }
        try await git.git("-C", git.work, "commit", "-q", "-m", "a fork's change")
        let commit = try await git.head()
        try await git.git("-C", git.work, "push", "-q", "origin", branch)
        try await git.git("-C", git.work, "checkout", "-q", "main")
        return commit
    }

    /// Every file under the home's logs, results and work folders holding `text`, for a marker
    /// that must have gone nowhere.
    func filesHolding(_ text: String) -> [String] {
        var found: [String] = []
        for folder in ["logs", "results", "work"] {
            let root = home.appending(path: folder)
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = root.appending(path: relative)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil,
                      let data = FileManager.default.contents(atPath: path) else { continue }
                if String(decoding: data, as: UTF8.self).contains(text) { found.append(path) }
            }
        }
        return found
    }
}
