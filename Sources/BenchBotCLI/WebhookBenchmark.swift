import ArgumentParser
import BenchBot
import CCurl
import Foundation
import Hummingbird
import Logging
import Synchronization

struct WebhookBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "`POST /webhooks/github` under load: signed push and pull_request deliveries from concurrent keep-alive clients.",
        discussion: """
            Starts `benchbot serve`'s server on 127.0.0.1 with a throwaway home, store and webhook secret, and sends \
            signed deliveries of a few KB each from --clients threads, each keeping one libcurl connection alive. The \
            alternative, measured in the same run with the same clients and payloads, is a bare Hummingbird route that \
            reads the body and answers 200 without verifying or storing. The deliveries are for a repository the home \
            does not track, so the delivery processor applies each without fetching. The paced runs alternate between \
            the two routes in 10 rounds, on the same payloads, so that both meet the same moments of the machine; each \
            bare round starts with the processor idle, and each real round runs with the processor applying its own \
            deliveries beside it. Afterwards every accepted delivery must be in the store \
            exactly once, or the run fails.
            """)

    @Option(name: .long, help: "Deliveries sent to each route (default 5000).")
    var count = 5000

    @Option(name: .long, help: "Concurrent clients, each on its own thread and connection (default 8).")
    var clients = 8

    @Option(name: .long, help: "Requests per second offered in the paced run, all clients together (default 1000).")
    var rate: Double = 1000

    @Option(name: .long, help: "The real route's durability: disk, process, or both, measured one after the other (default both).")
    var durability = "both"

    var durabilities: [DeliveryDurability] {
        durability == "both" ? DeliveryDurability.allCases : DeliveryDurability(rawValue: durability).map { [$0] } ?? []
    }

    func validate() throws {
        guard !durabilities.isEmpty else { throw ValidationError("--durability must be disk, process or both") }
        guard count >= 10, (1...256).contains(clients) else { throw ValidationError("need --count >= 10 and --clients between 1 and 256") }
        guard rate.isFinite, (1...100_000).contains(rate) else { throw ValidationError("--rate must be between 1 and 100000 requests per second") }
    }

    static let secretVariable = "BENCHBOT_BENCH_WEBHOOK_SECRET"

    func run() async throws {
        let bench = try BenchWorkspace.temporary()
        defer { bench.remove() }
        try await bench.makeLargeRepository(commits: 1, files: 1)

        let secret = UUID().uuidString + UUID().uuidString
        let warmup = max(count / 20, clients * 4)
        let perRoute = warmup + 2 * count
        let durabilities = self.durabilities
        let deliveries = WebhookPayloads.make(count: perRoute * durabilities.count, secret: secret)
        var quiet = Logger(label: "benchbot.bench")
        // Stopping the server mid-pass makes the processor log each unfinished delivery; the figures are the output.
        quiet.logLevel = .critical
        let logger = quiet

        // The bare route's capacity first, alone on the machine; then each durability's real route:
        // its capacity, then its latency paced at --rate in rounds that alternate with the bare
        // route's on the same payloads, so that both meet the same moments of a shared machine
        // (a neighbour's burst in one route's minute would otherwise decide the ratio).
        let (count, clients, rate) = (self.count, self.clients, self.rate)
        let bareSaturated = try await Self.serving(Self.bareRouter, logger: logger) { url in
            _ = try await LoadClients.run(url: url, deliveries: deliveries, range: 0..<warmup, clients: clients)
            return try await LoadClients.run(url: url, deliveries: deliveries, range: warmup..<(warmup + count), clients: clients)
        }
        // Each durability gets deliveries of its own, so every one of them must be stored once.
        var reals: [(durability: DeliveryDurability, warm: LoadResult, saturated: LoadResult, paced: [LoadResult], bare: [LoadResult],
                     syncs: SyncTimes)] = []
        var stores: [SQLiteStore] = []
        for (index, durability) in durabilities.enumerated() {
            // A home of its own: the durability measured before leaves a store and an intake
            // thousands of deliveries larger, which this one's figures must not inherit.
            let (home, config, store) = try await Self.makeHome(in: bench, named: "home-\(durability.rawValue)")
            stores.append(store)
            var configured = config
            configured.benchbot.serve.durability = durability
            let server = try BenchBotServer(home: home, config: configured, store: store, environment: [Self.secretVariable: secret], logger: logger)
            let start = index * perRoute
            let real = try await store.withBackgroundCheckpoints {
                try await Self.serving(server) { url in
                    try await Self.serving(Self.bareRouter, logger: logger) { bareURL in
                        let warm = try await LoadClients.run(url: url, deliveries: deliveries, range: start..<(start + warmup), clients: clients)
                        let saturated = try await LoadClients.run(url: url, deliveries: deliveries, range: (start + warmup)..<(start + warmup + count),
                                                                  clients: clients)
                        _ = try await LoadClients.run(url: bareURL, deliveries: deliveries, range: start..<(start + warmup), clients: clients)
                        var paced: [LoadResult] = []
                        var bare: [LoadResult] = []
                        let before = store.deliverySyncTimes() ?? SyncTimes()
                        for round in Self.rounds(of: (start + warmup + count)..<(start + perRoute)) {
                            // Each bare round starts with the processor idle, as the bare route always is; the real
                            // round after it runs with the processor applying that round's deliveries beside it,
                            // as a steady stream does.
                            try await Self.caughtUp(store)
                            bare.append(try await LoadClients.run(url: bareURL, deliveries: deliveries, range: round, clients: clients, rate: rate))
                            paced.append(try await LoadClients.run(url: url, deliveries: deliveries, range: round, clients: clients, rate: rate))
                        }
                        let syncs = (store.deliverySyncTimes() ?? SyncTimes()).since(before)
                        return (warm: warm, saturated: saturated, paced: paced, bare: bare, syncs: syncs)
                    }
                }
            }
            reals.append((durability, real.warm, real.saturated, real.paced, real.bare, real.syncs))
        }

        let accepted = reals.reduce(0) { $0 + $1.warm.accepted + $1.saturated.accepted + $1.paced.reduce(0) { $0 + $1.accepted } }
        var stored: Set<String> = []
        for store in stores { stored.formUnion(try await store.deliveries(limit: Int.max).map(\.id)) }
        let expected = Set(deliveries.map(\.id))
        let size = deliveries.reduce(0) { $0 + $1.body.count } / deliveries.count
        var report = """

            BenchBot webhook benchmark: \(count) signed deliveries per route and run (push and pull_request, \(size) bytes on average), \
            \(clients) keep-alive clients over loopback, \(ProcessInfo.processInfo.activeProcessorCount) cores (\(Self.cpuModel()))
            """
        for (durability, _, saturated, pacedRounds, bareRounds, syncs) in reals {
            let real = (durability: durability, saturated: saturated, paced: LoadResult(combining: pacedRounds), bare: LoadResult(combining: bareRounds))
            // Each round's p99 beside the whole run's: a neighbour's burst shows as one round's outlier.
            let perRound = zip(bareRounds, pacedRounds).map { String(format: "%.1f/%.1f", $0.p99 * 1000, $1.p99 * 1000) }.joined(separator: " ")
            // The whole run's p99 is decided by its worst round, often a neighbour's burst in one
            // route's turn; the median of the rounds' paired ratios shows the two routes side by side.
            let roundRatios = zip(bareRounds, pacedRounds).map { $1.p99 / $0.p99 }.sorted()
            let medianRatio = (roundRatios[(roundRatios.count - 1) / 2] + roundRatios[roundRatios.count / 2]) / 2
            let keptRate = real.paced.accepted == count ? real.paced.throughput : 0
            let what = real.durability == .disk ? "synced to disk" : "in the OS, synced <100 ms"
            report += """


                durability "\(real.durability.rawValue)": the answer waits until each delivery is \(what)
                as fast as answers come                     requests/s     p50 ms     p99 ms
                real route: verify, store, answer           \(real.saturated.row)
                bare Hummingbird route: read body, 200      \(bareSaturated.row)
                real / bare                                 \(ratio(real.saturated.throughput, bareSaturated.throughput))  \(ratio(real.saturated.p50, bareSaturated.p50))  \(ratio(real.saturated.p99, bareSaturated.p99))

                paced at \(Int(rate)) requests/s offered,            requests/s     p50 ms     p99 ms
                in \(Self.roundCount) alternating rounds of \(count / Self.roundCount)
                real route: verify, store, answer           \(real.paced.row)
                bare Hummingbird route: read body, 200      \(real.bare.row)
                real / bare                                 \(ratio(real.paced.throughput, real.bare.throughput))  \(ratio(real.paced.p50, real.bare.p50))  \(ratio(real.paced.p99, real.bare.p99))
                p99 ms of each round, bare/real: \(perRound)
                median of the rounds' p99 ratios, real / bare: \(String(format: "%.2fx", medianRatio)) (within 2x: \(medianRatio <= 2 ? "yes" : "no"))
                answers of the real route: \(real.saturated.statusSummary) (as fast as it can), \(real.paced.statusSummary) (paced)
                targets at \(Int(rate))/s: every delivery stored and answered at the offered rate \(keptRate >= 0.98 * rate ? "met" : "MISSED"), \
                p99 < 10 ms \(real.paced.p99 < 0.010 ? "met" : "MISSED"), p99 within 2x the bare route's \(real.paced.p99 <= 2 * real.bare.p99 ? "met" : "MISSED")
                """
            if durability == .disk { report += "\n" + Self.describe(syncs, bareP99: real.bare.p99) }
        }
        print(report + """


            stored \(stored.intersection(expected).count) of \(accepted) accepted (warm-up included), each once
            (latency counts from each request's due time, so a server that falls behind is charged for the wait; the deliveries \
            are for a repository the home does not track: applying them fetches nothing)
            """)
        guard accepted == expected.count, stored == expected else {
            printError("benchbot: the store holds \(stored.count) deliveries, \(expected.subtracting(stored).count) accepted ones missing "
                + "and \(stored.subtracting(expected).count) unexpected; a benchmark that loses writes is not a result")
            throw ExitCode(1)
        }
    }

    /// The intake's syncs in the paced rounds: the disk's own time, which every answer waits for
    /// at least once (and for the rest of one under way), beside the budget the bare route leaves.
    static func describe(_ syncs: SyncTimes, bareP99: Double) -> String {
        func bound(_ fraction: Double) -> String {
            guard let seconds = syncs.quantile(fraction) else { return "-" }
            return seconds.isFinite ? String(format: "<= %g ms", seconds * 1000) : String(format: "> %g ms", SyncTimes.bounds.last! * 1000)
        }
        return "the disk's syncs in the paced rounds (each answer waits for at least one): \(syncs.count), p50 \(bound(0.5)), "
            + "p99 \(bound(0.99)), slowest \(bound(1)); twice the bare route's p99 is \(String(format: "%.2f", 2 * bareP99 * 1000)) ms"
    }

    /// How many rounds the paced run alternates between the routes.
    static let roundCount = 10

    /// `range` cut into ``roundCount`` consecutive rounds, the last taking what does not divide.
    static func rounds(of range: Range<Int>) -> [Range<Int>] {
        let size = range.count / roundCount
        return (0..<roundCount).map { round in
            let lower = range.lowerBound + round * size
            return lower..<(round == roundCount - 1 ? range.upperBound : lower + size)
        }
    }

    /// Waits until the processor has applied every delivery received, checking the store's counts
    /// every 10 ms, for at most 2 minutes.
    private static func caughtUp(_ store: SQLiteStore) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while let waiting = try await store.countDeliveries()[.received], waiting > 0 {
            guard ContinuousClock.now < deadline else {
                throw ValidationError("the delivery processor still had \(waiting) deliveries to apply after 2 minutes; it cannot keep up")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A new home in `bench`, reporting to the benchmark's repository, and its store.
    private static func makeHome(in bench: BenchWorkspace, named name: String) async throws -> (Home, HomeConfig, SQLiteStore) {
        let path = bench.path(name)
        try await bench.run(bench.benchbot, ["init", "--home", path, "--repo", bench.path("origin.git")])
        try configure(home: path)
        let home = Home.resolve(option: path)
        let config = try HomeConfig.load(from: home)
        return (home, config, try SQLiteStore.open(path: home.resolvePath(config.benchbot.store.path), busyTimeout: config.benchbot.store.busyTimeout))
    }

    /// The throwaway home's secret comes from a variable only this process sets, and its deliveries
    /// name a repository other than the one it reports to.
    private static func configure(home: String) throws {
        let file = (home as NSString).appendingPathComponent("config/config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any] ?? [:]
        var benchbot = config["benchbot"] as? [String: Any] ?? [:]
        benchbot["github"] = ["webhook_secret_env": secretVariable]
        benchbot["notify"] = ["github": ["repository": "benchbot-bench/tracked", "token_env": "BENCHBOT_BENCH_NO_TOKEN"]]
        config["benchbot"] = benchbot
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: file))
    }

    /// GitHub's route with nothing behind it: the body is read, as any route must, and 200 answered.
    private static func bareRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/webhooks/github") { request, _ -> Response in
            _ = try await request.body.collect(upTo: BenchBotServer.maximumBody)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"message":"ok"}"#)))
        }
        return router
    }

    private static func serving<Result: Sendable>(_ router: @escaping @Sendable () -> Router<BasicRequestContext>, logger: Logger,
                                                  _ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await listening({ onListening in
            let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger)
            try await app.runService(gracefulShutdownSignals: [])
        }, body)
    }

    private static func serving<Result: Sendable>(_ server: BenchBotServer, _ body: @escaping @Sendable (String) async throws -> Result) async throws -> Result {
        try await listening({ onListening in
            try await server.run(host: "127.0.0.1", port: 0, worker: nil, onListening: onListening)
        }, body)
    }

    /// Runs a server until `body`, given its webhook URL, is done.
    private static func listening<Result: Sendable>(
        _ serve: @escaping @Sendable (_ onListening: @escaping @Sendable (Int) async -> Void) async throws -> Void,
        _ body: @escaping @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await serve { port in
                    continuation.yield(port)
                    continuation.finish()
                }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw ValidationError("the server did not start on 127.0.0.1") }
            let result = try await body("http://127.0.0.1:\(port)/webhooks/github")
            group.cancelAll()
            return result
        }
    }

    private static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }
}

private func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%9.2fx", value / baseline) }
