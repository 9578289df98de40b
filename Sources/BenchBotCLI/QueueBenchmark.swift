import ArgumentParser
import BenchBot
import Foundation
import Logging

/// `bench queue`: how many jobs a shared queue gets through with 1 to N worker processes, on
/// SQLite and on PostgreSQL in the same run.
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Lease, record and finish throughput of the job queue with several worker processes, on SQLite and PostgreSQL.",
        discussion: """
            Each round queues --jobs jobs in a fresh store, starts N `benchbot` worker processes that lease a job, \
            optionally sleep --sleep-ms as an experiment would, store a run of one small result and finish the job, \
            until the queue is empty. Throughput is jobs per second from the first lease to the last finish. \
            PostgreSQL needs --postgres with a database BenchBot may empty (it is truncated before each round).
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Worker process counts to measure (default 1 2 4 8).")
    var workers: [Int] = [1, 2, 4, 8]

    @Option(name: .long, help: "Jobs per round (default 2000).")
    var jobs = 2000

    @Option(name: .long, help: "Milliseconds each job's experiment takes (default 0: the queue alone).")
    var sleepMs = 0

    @Option(name: .long, help: "A PostgreSQL database to measure on, as postgres://user@host:port/database; its BenchBot tables are emptied.")
    var postgres: String?

    @Option(name: .long, help: "The variable holding that database's password.")
    var passwordEnv: String?

    func validate() throws {
        if workers.isEmpty || workers.contains(where: { $0 < 1 || $0 > 64 }) { throw ValidationError("--workers takes counts from 1 to 64") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if sleepMs < 0 || sleepMs > 60_000 { throw ValidationError("--sleep-ms must be from 0 to 60000") }
        if let postgres {
            do { _ = try PostgresLocation(url: postgres) } catch { throw ValidationError("--postgres \(error.message)") }
        }
    }

    func run() async throws {
        let bench = try BenchWorkspace.temporary()
        defer { bench.remove() }
        var table = ["queue throughput: \(jobs) jobs per round, \(sleepMs) ms per job's experiment, jobs per second", "",
                     "engine      workers  jobs/s   vs 1 worker"]
        var engines: [(String, [String])] = [("sqlite", [])]
        if let postgres { engines.append(("postgres", ["--postgres", postgres] + (passwordEnv.map { ["--password-env", $0] } ?? []))) }
        for (engine, arguments) in engines {
            var single: Double?
            for count in workers {
                let store = engine == "sqlite" ? ["--sqlite", bench.path("queue-\(count).sqlite")] : arguments
                try await prepare(engine: engine, store: store)
                let rate = try await measure(workers: count, store: store)
                single = single ?? rate
                table.append(engine.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%7d  %7.0f  %6.2fx", count, rate, rate / (single ?? rate)))
            }
        }
        if postgres == nil { table.append("postgres    skipped: pass --postgres postgres://user@host:port/database (its BenchBot tables are emptied)") }
        print(table.joined(separator: "\n"))
    }

    /// An empty store holding `jobs` queued jobs.
    private func prepare(engine: String, store: [String]) async throws {
        try await QueueBenchmarkWorker.withStore(store, empty: true) { queue in
            let commits = (0..<jobs).map { index in
                CommitMetadata(id: ObjectID(hex: String(format: "%040x", index + 1))!, parents: [], authorName: "Bench",
                               authorEmail: "bench@example.invalid", authorTime: Date(timeIntervalSince1970: 1_700_000_000), subject: "commit \(index)")
            }
            _ = try await queue.enqueue(EnqueueRequest(repository: "bench", repositoryURL: "/dev/null", commits: commits, suite: "default",
                                                       machine: "bench", source: .manual))
        }
    }

    /// Jobs per second with `workers` processes, from the first lease to the last finish.
    private func measure(workers: Int, store: [String]) async throws -> Double {
        let spans = try await withThrowingTaskGroup(of: (Double, Double, Int).self) { group in
            for _ in 0..<workers {
                group.addTask {
                    let result = try await CommandRunner.run(currentExecutable(), arguments: ["bench", "queue-worker", "--sleep-ms", String(sleepMs)] + store,
                                                             timeout: .seconds(600))
                    let fields = result.standardOutput.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                    guard result.succeeded, fields.count == 3 else {
                        throw ValidationError("a worker failed (\(result.status)): \(result.standardError.suffix(500))")
                    }
                    return (fields[0], fields[1], Int(fields[2]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let done = spans.reduce(0) { $0 + $1.2 }
        guard done == jobs else { throw ValidationError("the workers finished \(done) of \(jobs) jobs") }
        let first = spans.filter { $0.2 > 0 }.map(\.0).min() ?? 0, last = spans.map(\.1).max() ?? 0
        return Double(done) / max(last - first, 1e-6)
    }
}

/// One worker process of `bench queue`: leases, records and finishes jobs until the queue is
/// empty, then prints its first lease's and last finish's times and how many jobs it did.
struct QueueBenchmarkWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue-worker", abstract: "One worker of `bench queue`.",
                                                    shouldDisplay: false)

    @Option(name: .long) var sqlite: String?
    @Option(name: .long) var postgres: String?
    @Option(name: .long) var passwordEnv: String?
    @Option(name: .long) var sleepMs = 0

    func run() async throws {
        let store = sqlite.map { ["--sqlite", $0] } ?? ["--postgres", postgres ?? ""] + (passwordEnv.map { ["--password-env", $0] } ?? [])
        let worker = "bench-\(getpid())"
        try await Self.withStore(store, empty: false) { queue in
            var first: Date?, last = Date(), count = 0
            while let job = try await queue.leaseNextJob(machine: "bench", worker: worker, leaseDuration: .seconds(120), now: Date()) {
                first = first ?? Date()
                if sleepMs > 0 { try await Task.sleep(for: .milliseconds(sleepMs)) }
                _ = try await queue.recordRun(RunRecord(jobID: job.id, worker: worker, startedAt: Date(), finishedAt: Date(), environment: [:],
                                                        results: [BenchmarkResult(benchmark: "b", unit: "ns", direction: .lowerIsBetter, samples: [1, 2, 3])]))
                count += 1
                last = Date()
            }
            print("\((first ?? last).timeIntervalSince1970) \(last.timeIntervalSince1970) \(count)")
        }
    }

    /// The store named by `--sqlite PATH` or `--postgres URL [--password-env VAR]`, emptied first when asked.
    static func withStore(_ arguments: [String], empty: Bool, _ body: (any Store) async throws -> Void) async throws {
        var settings = StoreSettings()
        if arguments.first == "--sqlite", arguments.count > 1 {
            settings.path = arguments[1]
            if empty { try? FileManager.default.removeItem(atPath: arguments[1]) }
        } else if arguments.count > 1 {
            settings.url = try PostgresLocation(url: arguments[1])
            if arguments.count > 3 { settings.passwordEnvironment = arguments[3] }
        }
        try await settings.withStore(home: Home(root: FileManager.default.currentDirectoryPath), logger: Logger(label: "benchbot.bench")) { store in
            if empty, let postgres = store as? PostgresStore { try await postgres.removeEverything() }
            try await body(store)
        }
    }
}
