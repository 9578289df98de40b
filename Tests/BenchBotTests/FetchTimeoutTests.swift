@testable import BenchBot
import Foundation
import Synchronization
import Testing

@Suite("A fetch is bounded by fetch_timeout, however it hangs")
struct FetchTimeoutTests {
    /// The processes that tasks started, by name.
    final class StartedProcesses: Sendable {
        private let pids = Mutex<[String: Int32]>([:])

        func record(_ name: String, _ pid: Int32) { pids.withLock { $0[name] = pid } }

        var all: [String: Int32] { pids.withLock { $0 } }
    }

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
            // The same command on a local path, just before: what starting BenchBot and a fetch
            // cost on this machine now. On a loaded CI machine that alone has taken 20 s.
            let controlStarted = ContinuousClock.now
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--branch", "main"])
            let control = ContinuousClock.now - controlStarted
            let listener = try SilentListener()
            try fixture.setBenchBotSection("repository", ["url": "http://127.0.0.1:\(listener.port)/project.git", "branches": ["main"]])
            try fixture.setBenchBotSection("intake", ["fetch_timeout": 2])
            let started = ContinuousClock.now
            let enqueue = try await BenchBotProcess.run(["enqueue", "--home", fixture.home, "--branch", "main"])
            let elapsed = ContinuousClock.now - started
            // The 2 s deadline and a fetch child's start, beyond what the local enqueue took; without
            // the deadline the command would run until BenchBotProcess's 120 s and be timed out.
            #expect(!enqueue.succeeded && !enqueue.timedOut && elapsed < control * 2 + .seconds(15),
                    "\(elapsed), a local enqueue \(control): \(enqueue.standardError)")
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
            // Loose, as under CI's load one start of BenchBot has taken 20 s; a local fetch that
            // waited for a network deadline or for BenchBotProcess's 120 s would still fail it.
            #expect(ContinuousClock.now - started < .seconds(60))
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

    @Test("locks and half-written packs a killed fetch left in the mirror do not stop the next fetch")
    func staleLocks() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try await BenchBotProcess.succeed(["poll", "--home", fixture.home])
            let cache = fixture.home.appending(path: "cache")
            let mirror = cache.appending(path: try #require(try FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasSuffix(".git") }))
            let newest = try await fixture.git.commit("after the killed fetch")
            try await fixture.git.git("-C", fixture.git.work, "push", "-q", "origin", "main")
            let leftovers = ["refs/remotes/origin/main.lock", "refs/heads/main.lock", "packed-refs.lock", "index.lock",
                             "objects/pack/pack_git2_a1B2c3"]
            for file in leftovers {
                let path = mirror.appending(path: file)
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                #expect(FileManager.default.createFile(atPath: path, contents: Data("stale".utf8)))
            }
            let poll = try await BenchBotProcess.run(["poll", "--home", fixture.home])
            #expect(poll.succeeded, "\(poll.standardOutput)\(poll.standardError)")
            #expect(try await BenchBotProcess.jobs(home: fixture.home).contains { $0.commit == newest })
            for file in leftovers { #expect(!FileManager.default.fileExists(atPath: mirror.appending(path: file)), "\(file)") }
        }
    }

    @Test("a fetch child dies with the process that started it, instead of holding the mirror until its deadline")
    func childDiesWithParent() async throws {
        try await withTemporaryDirectory { root in
            let git = try await GitFixture.make(in: root, commits: 0)
            let mirror = root.appending(path: "mirror-\(UUID().uuidString).git")
            try await git.git("init", "-q", "--bare", mirror)
            let listener = try SilentListener()
            // The child leaves the parent's session and drops the runner's marker: only its own death signal ends it.
            let script = """
                BENCHBOT_FETCH_PARENT=$$ setsid env -u BENCHBOT_COMMAND "$0" fetch-mirror --repository="$1" --timeout=100 \\
                    --refspec=+refs/heads/main:refs/remotes/origin/main &
                wait
                """
            let parent = StartedProcesses()
            let url = "http://127.0.0.1:\(listener.port)/p.git", log = root.appending(path: "log")
            let run = Task {
                try await CommandRunner.run("sh", arguments: ["-c", script, BenchBotProcess.executable, mirror],
                                            environment: ["BENCHBOT_FETCH_URL": url], logFile: log, timeout: .seconds(120)) { identity in
                    parent.record("sh", identity.pid)
                }
            }
            let argument = "--repository=\(mirror)"
            defer {
                run.cancel()
                for pid in ProcessTreeTests.processes(running: argument) { kill(pid, SIGKILL) }
            }
            // Generous: under a full parallel test run, starting two processes can take a while.
            #expect(await ProcessTreeTests.within(.seconds(60)) { parent.all["sh"] != nil && !ProcessTreeTests.processes(running: argument).isEmpty })
            kill(try #require(parent.all["sh"]), SIGKILL)
            _ = try await run.value
            #expect(await ProcessTreeTests.allGone([argument]), "the fetch child outlived its parent")
            withExtendedLifetime(listener) {}
        }
    }
}
