import BenchBot
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for the store's tests, from Debian's `postgresql` package.
///
/// Made once per test process by `initdb` in a temporary folder, run by an unprivileged user
/// (PostgreSQL refuses root), listening only on a Unix socket in that folder, and stopped when the
/// test process exits. Each test takes a database of its own, so tests run side by side.
enum PostgresCluster {
    /// The newest installed server's programs, or `nil` when PostgreSQL is not installed.
    static let programs: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().lazy.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    /// Whether the PostgreSQL tests run: always under `.ci/run`, which installs the server (so a
    /// missing one fails them), elsewhere where the server is installed.
    static let enabled = programs != nil || ProcessInfo.processInfo.environment["BENCHBOT_REQUIRE_POSTGRES"] != nil

    static let skipReason: Comment = "PostgreSQL is not installed (apt-get install postgresql); the PostgreSQL half of the store tests is skipped"

    /// A running cluster: where its socket is and who may log in.
    struct Running: Sendable {
        let folder: String
        let port: Int
        let programs: String
        /// The cluster's superuser, who logs in without a password over the socket.
        let user = "benchbot"

        /// A `benchbot.store.url` for `database` on this cluster.
        func url(database: String) -> String {
            "postgres://\(user)@localhost:\(port)/\(database)?host=\(folder)"
        }
    }

    /// The cluster `.ci/run` started (`$BENCHBOT_TEST_POSTGRES`, `folder:port`), or one started here.
    private static let running = Task<Running, any Error> {
        if let given = ProcessInfo.processInfo.environment["BENCHBOT_TEST_POSTGRES"], let colon = given.lastIndex(of: ":"),
           let port = Int(given[given.index(after: colon)...]) {
            let programs = try #require(Self.programs, "PostgreSQL is not installed: apt-get install postgresql (.ci/run does)")
            return Running(folder: String(given[..<colon]), port: port, programs: programs)
        }
        return try await start()
    }

    /// Where clusters are made: `/tmp`, not `$TMPDIR`, which PostgreSQL's user may not be allowed
    /// to enter, and whose path may be too long for a socket's (107 bytes).
    private static let parent = "/tmp"

    /// A new, empty database on the cluster (started on the first call), as a store URL.
    static func makeDatabase() async throws -> String {
        try await makeDatabase(on: try await running.value)
    }

    /// The cluster itself, as its superuser sees it, for tests that stop or restart it.
    static func cluster() async throws -> Running {
        try await running.value
    }

    private static func start() async throws -> Running {
        removeLeftovers()
        let running = try await start(in: "\(Self.parent)/benchbot-postgres-\(getpid())", port: 40_000 + Int(getpid() % 20_000))
        stopAtExit(pidFile: running.folder + "/data/postmaster.pid")
        return running
    }

    /// A cluster of its own, for a test that restarts or stops it: the shared one serves every
    /// other suite meanwhile. The caller stops it (``stop(_:)``); a test process killed first
    /// leaves it to the next run's ``removeLeftovers()``.
    static func startPrivate() async throws -> Running {
        _ = try await running.value
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return try await start(in: "\(Self.parent)/benchbot-postgres-\(getpid())-\(suffix)", port: 40_000 + Int(getpid() % 20_000) + 1 + Int.random(in: 0..<5_000))
    }

    /// Restarts the server with an immediate shutdown, as a crash would end it: every connection
    /// is cut mid-statement, and the server recovers from its log before it answers again.
    static func restart(_ cluster: Running) async throws {
        let data = cluster.folder + "/data"
        let options = serverOptions(folder: cluster.folder, port: cluster.port)
        let (pgctl, arguments) = try asOwner(cluster.programs, "pg_ctl", ["-D", data, "-l", cluster.folder + "/server.log", "-o", options,
                                                                         "-m", "immediate", "-w", "-t", "60", "restart"])
        let restarted = await OwnThread.run { launchDetached(pgctl, arguments) }
        try #require(restarted == 0, "pg_ctl restart failed (\(restarted)): \((try? String(contentsOfFile: cluster.folder + "/server.log", encoding: .utf8)) ?? "")")
    }

    /// Stops the server of a private cluster at once, as a crash would, keeping its data for ``startServer(_:)``.
    static func stopServer(_ cluster: Running) async throws {
        let (pgctl, arguments) = try asOwner(cluster.programs, "pg_ctl", ["-D", cluster.folder + "/data", "-m", "immediate", "-w", "-t", "60", "stop"])
        let stopped = await OwnThread.run { launchDetached(pgctl, arguments) }
        try #require(stopped == 0, "pg_ctl stop failed (\(stopped))")
    }

    /// Starts a private cluster's server again.
    static func startServer(_ cluster: Running) async throws {
        let (pgctl, arguments) = try asOwner(cluster.programs, "pg_ctl", ["-D", cluster.folder + "/data", "-l", cluster.folder + "/server.log",
                                                                         "-o", serverOptions(folder: cluster.folder, port: cluster.port),
                                                                         "-w", "-t", "60", "start"])
        let started = await OwnThread.run { launchDetached(pgctl, arguments) }
        try #require(started == 0, "pg_ctl start failed (\(started)): \((try? String(contentsOfFile: cluster.folder + "/server.log", encoding: .utf8)) ?? "")")
    }

    /// Stops a private cluster and removes its folder.
    static func stop(_ cluster: Running) {
        stop(pidFile: cluster.folder + "/data/postmaster.pid")
        try? FileManager.default.removeItem(atPath: cluster.folder)
    }

    private static func serverOptions(folder: String, port: Int) -> String {
        "-k \(folder) -c listen_addresses= -p \(port) -c fsync=off -c max_connections=200"
    }

    /// `program` of the server's, run as PostgreSQL's user when this process is root.
    private static func asOwner(_ programs: String, _ program: String, _ arguments: [String]) throws -> (String, [String]) {
        // Root may not run PostgreSQL: the cluster is the package's `postgres` user's, or nobody's.
        guard getuid() == 0, let owner = getpwnam("postgres") ?? getpwnam("nobody") else { return (programs + "/" + program, arguments) }
        return ("setpriv", ["--reuid=\(owner.pointee.pw_uid)", "--regid=\(owner.pointee.pw_gid)", "--clear-groups", "--",
                            programs + "/" + program] + arguments)
    }

    /// Makes and starts a cluster in `folder`, listening only on a socket there.
    private static func start(in folder: String, port: Int) async throws -> Running {
        let programs = try #require(Self.programs, "PostgreSQL is not installed: apt-get install postgresql (.ci/run does)")
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0, let owner = getpwnam("postgres") ?? getpwnam("nobody") {
            try #require(chown(folder, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0, "cannot hand \(folder) to PostgreSQL's user")
        }
        let data = folder + "/data"
        let (initdb, initArguments) = try asOwner(programs, "initdb", ["-D", data, "-U", "benchbot", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        let made = try await CommandRunner.run(initdb, arguments: initArguments, timeout: .seconds(120))
        try #require(made.succeeded, "initdb failed: \(made.standardError)")
        // pg_ctl waits until the server accepts connections; the server then lives on its own,
        // outside the runner's process tree, until this process exits.
        let (pgctl, ctlArguments) = try asOwner(programs, "pg_ctl", ["-D", data, "-l", folder + "/server.log", "-o", serverOptions(folder: folder, port: port),
                                                                     "-w", "-t", "60", "start"])
        // On a thread of its own: pg_ctl waits for the server, seconds on a loaded machine, and a
        // cooperative thread blocked that long holds up every suite's awaits.
        let started = await OwnThread.run { launchDetached(pgctl, ctlArguments) }
        try #require(started == 0, "pg_ctl start failed (\(started)): \((try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "")")
        let ready = try await CommandRunner.run(programs + "/pg_isready", arguments: ["-h", folder, "-p", String(port), "-t", "30"],
                                                timeout: .seconds(40))
        try #require(ready.succeeded, "PostgreSQL did not start: \((try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "")")
        return Running(folder: folder, port: port, programs: programs)
    }

    /// A new, empty database on `cluster`, as a store URL.
    static func makeDatabase(on cluster: Running) async throws -> String {
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let made = try await CommandRunner.run(cluster.programs + "/createdb", arguments: ["-h", cluster.folder, "-p", String(cluster.port),
                                                                                          "-U", cluster.user, name], timeout: .seconds(60))
        try #require(made.succeeded, "createdb failed: \(made.standardError)")
        return cluster.url(database: name)
    }

    /// Runs `pg_ctl start`, which leaves the server running when it returns: the command runner
    /// would kill what a command leaves behind, so this one is spawned and waited for here, with
    /// pg_ctl's own deadline (`-t`). Foundation's `Process` is not used: this test process reaps
    /// its children elsewhere, and its wait would never see pg_ctl end.
    private static func launchDetached(_ executable: String, _ arguments: [String]) -> Int32 {
        let path = executable.hasPrefix("/") ? executable : "/usr/bin/" + executable
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // The server pg_ctl starts outlives it, and would keep every descriptor it inherits: a pipe
        // another test opened meanwhile for a process's output would then never reach its end, and
        // the reader, blocking a cooperative thread, would wait for ever. Only 0, 1 and 2 go along.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // glibc 2.34's closefrom action, which Swift's Glibc module does not declare.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return -ENOSYS }
        let closing = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        guard closing == 0 else { return -closing }
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { return -spawned }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            // Reaped by another waiter first: its status is lost, and pg_isready tells instead.
            if errno == ECHILD { return 0 }
            guard errno == EINTR else { return -errno }
        }
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Stops and removes the clusters of test processes that were killed before they could.
    private static func removeLeftovers() {
        let temporary = Self.parent
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix("benchbot-postgres-") {
            let pid = entry.dropFirst("benchbot-postgres-".count).prefix { $0 != "-" }
            guard let owner = Int32(pid), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else { continue }
            let folder = temporary + "/" + entry
            stop(pidFile: folder + "/data/postmaster.pid")
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    private static func stop(pidFile: String) {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) else { return }
        kill(pid, SIGQUIT)
    }

    nonisolated(unsafe) private static var pidFile = ""

    /// Stops the server (immediate shutdown, SIGQUIT) when the test process exits.
    private static func stopAtExit(pidFile: String) {
        Self.pidFile = pidFile
        atexit { PostgresCluster.stop(pidFile: PostgresCluster.pidFile) }
    }
}
