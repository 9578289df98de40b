@testable import BenchBot
import Foundation
import Testing

@Suite("A fetch is bounded by fetch_timeout, however it hangs")
struct FetchTimeoutTests {
    /// A TCP port on 127.0.0.1 that takes connections into its backlog and never answers them.
    final class SilentListener {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(socketDescriptor, generic, length) == 0 && listen(socketDescriptor, 8) == 0
                        && getsockname(socketDescriptor, generic, &length) == 0
                }
            }
            descriptor = socketDescriptor
            port = UInt16(bigEndian: address.sin_port)
            try #require(socketDescriptor >= 0 && bound)
        }

        deinit { close(descriptor) }
    }

    @Test("enqueue from a server that accepts the connection and never answers fails with a timeout within seconds")
    func silentServer() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let listener = try SilentListener()
            try fixture.setBenchBotSection("repository", ["url": "http://127.0.0.1:\(listener.port)/project.git", "branches": ["main"]])
            try fixture.setBenchBotSection("intake", ["fetch_timeout": 2])
            let started = ContinuousClock.now
            let enqueue = try await BenchBotProcess.run(["enqueue", "--home", fixture.home, "--branch", "main"])
            let elapsed = ContinuousClock.now - started
            #expect(!enqueue.succeeded && !enqueue.timedOut && elapsed < .seconds(20), "\(elapsed) \(enqueue.standardError)")
            #expect(enqueue.standardError.contains("2 s deadline") && enqueue.standardError.contains("127.0.0.1:\(listener.port)"),
                    "\(enqueue.standardError)")
            withExtendedLifetime(listener) {}
        }
    }

    @Test("local paths are still fetched in process, and quickly; a missing branch is still reported as missing")
    func localPath() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let started = ContinuousClock.now
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "main"])
            #expect(ContinuousClock.now - started < .seconds(20))
            let missing = try await BenchBotProcess.run(["enqueue", "--home", fixture.home, "--branch", "no-such-branch"])
            #expect(!missing.succeeded && missing.standardError.contains("does not exist"), "\(missing.standardError)")
        }
    }

    @Test("the fetch child takes its URL from the environment, fetches, and reports libgit2's error on its last line")
    func childProtocol() async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 1)
            let mirror = root.appending(path: "mirror.git")
            try await git.git("init", "-q", "--bare", mirror)
            let fetched = try await BenchBotProcess.run(
                ["fetch-mirror", "--repository=\(mirror)", "--timeout=10", "--refspec=+refs/heads/main:refs/remotes/origin/main"],
                environment: ["BENCHBOT_FETCH_URL": git.origin])
            #expect(fetched.succeeded, "\(fetched.standardError)")
            let tip = try await CommandRunner.run("git", arguments: ["-C", mirror, "rev-parse", "refs/remotes/origin/main"], timeout: .seconds(30))
            #expect(tip.succeeded && tip.standardOutput.count == 41)
            let missing = try await BenchBotProcess.run(
                ["fetch-mirror", "--repository=\(mirror)", "--timeout=10", "--refspec=+refs/heads/nope:refs/remotes/origin/nope"],
                environment: ["BENCHBOT_FETCH_URL": root.appending(path: "no-such-repository")])
            #expect(missing.status == 1 && missing.standardError.split(separator: "\n").last?.hasPrefix("benchbot-git-error\t") == true,
                    "\(missing.standardError)")
        }
    }

    @Test("which URLs leave the machine, and so are fetched in a child")
    func networkURLs() {
        for url in ["https://host/r.git", "http://127.0.0.1:9/r", "git@github.com:o/r.git", "ssh://git@host/r", "git://host/r"] {
            #expect(GitRepository.isNetworkURL(url), "\(url)")
        }
        for url in ["/srv/r.git", "file:///srv/r.git", "./r", "../r.git", "dir/with:colon", "~/r.git"] {
            #expect(!GitRepository.isNetworkURL(url), "\(url)")
        }
    }
}
