import BenchBot
import Foundation
import Testing

/// Builds real repositories with the git command line, as a user would.
struct GitFixture {
    static let environment: [String: String?] = [
        "GIT_AUTHOR_NAME": "Ada Tester", "GIT_AUTHOR_EMAIL": "ada@example.invalid",
        "GIT_COMMITTER_NAME": "Ada Tester", "GIT_COMMITTER_EMAIL": "ada@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
    ]

    let root: String

    var origin: String { root.appending(path: "origin.git") }
    var work: String { root.appending(path: "work") }

    /// A bare `origin.git` with `commits` commits on `main`, and a clone of it in `work`.
    static func make(in root: String, commits: Int) async throws -> GitFixture {
        let fixture = GitFixture(root: root)
        try await fixture.git("init", "-q", "--bare", "-b", "main", fixture.origin)
        try await fixture.git("init", "-q", "-b", "main", fixture.work)
        try await fixture.git("-C", fixture.work, "remote", "add", "origin", fixture.origin)
        for index in 0..<commits {
            try await fixture.commit("commit \(index + 1)")
        }
        if commits > 0 { try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main") }
        return fixture
    }

    /// Commits a change to `value.txt` in the work clone and returns its hash.
    @discardableResult
    func commit(_ message: String, file: String = "value.txt") async throws -> String {
        let path = work.appending(path: file)
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try (previous + message + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try await git("-C", work, "add", file)
        try await git("-C", work, "commit", "-q", "-m", message)
        return try await head()
    }

    func head(_ revision: String = "HEAD") async throws -> String {
        try await git("-C", work, "rev-parse", revision).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git and fails the test when it fails.
    @discardableResult
    func git(_ arguments: String...) async throws -> CommandResult {
        try await Self.git(arguments)
    }

    @discardableResult
    static func git(_ arguments: [String]) async throws -> CommandResult {
        let result = try await CommandRunner.run("git", arguments: arguments, environment: environment, timeout: .seconds(60))
        #expect(result.succeeded, "git \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        guard result.succeeded else { throw FixtureError(message: result.standardError) }
        return result
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
