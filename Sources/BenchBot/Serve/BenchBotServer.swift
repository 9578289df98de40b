public import Foundation
public import Hummingbird
public import Logging
import Notify
import ServiceLifecycle
import UnixSignals

/// `benchbot serve`: GitHub's webhooks, the HTTP API, metrics and the results site, in one
/// process; with `work`, the worker loop too.
///
/// A delivery is answered as soon as it is kept in the store; applying it (fetching, queuing,
/// telling GitHub) happens after the answer, in ``DeliveryProcessor``, so GitHub's 10-second
/// deadline holds whatever the queue holds.
public struct BenchBotServer: Sendable {
    public let home: Home
    public let config: HomeConfig
    public let store: any Store
    public let logger: Logger
    /// The webhook secret; without one, every delivery is refused.
    let webhookSecret: String?
    /// The bearer token of `POST /api/v1/enqueue`; without one, enqueuing over HTTP is refused.
    let apiToken: String?
    /// Masks this server's secrets and URL credentials in what the API answers.
    let redactor: SecretRedactor
    let metrics: ServerMetrics
    let kick: DeliveryKick
    let processor: DeliveryProcessor

    /// How long a connection may stay silent before it is closed.
    public var idleTimeout: Duration = .seconds(15)

    /// GitHub's limit on a delivery's payload: bigger ones are never sent.
    public static let maximumBody = 25 * 1024 * 1024

    /// - Throws: ``NotifySettingsError`` when a secret's file cannot be read.
    public init(home: Home, config: HomeConfig, store: any Store, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger) throws(NotifySettingsError) {
        self.home = home
        self.config = config
        self.store = store
        self.logger = logger
        self.webhookSecret = try config.benchbot.github.webhookSecret(environment: environment, home: home)
        self.apiToken = try config.benchbot.serve.apiToken(environment: environment, home: home)
        self.redactor = SecretRedactor(secrets: [webhookSecret, apiToken].compactMap { $0 } + environment.filter { SecretRedactor.namesSecret($0.key) }.values)
        self.metrics = ServerMetrics()
        self.kick = DeliveryKick()
        let credentials = try config.benchbot.notify?.credentials(environment: environment, home: home)
        let intake = GitHubIntake(intake: Intake(home: home, config: config, store: store, environment: environment, logger: logger),
                                  reader: credentials.map { GitHubReader(credentials: $0) })
        self.processor = DeliveryProcessor(intake: intake, store: store, notify: config.benchbot.notify, credentials: credentials,
                                           home: home, kick: kick, logger: logger)
    }

    /// Applies every kept delivery due now and sends what they queued, as the running server does
    /// after each delivery; for a server whose router is served without ``run(host:port:worker:workerPollInterval:onListening:)``.
    ///
    /// - Returns: How many deliveries were looked at.
    @discardableResult
    public func applyDueDeliveries() async -> Int {
        let handled = await processor.applyDue()
        let advanced = await processor.intake.advanceBisections()
        if handled > 0 || !advanced.isEmpty { await processor.sendQueued() }
        return handled
    }

    /// The repository on GitHub whose deliveries are acted on; see ``GitHubIntake/gitHubRepository``.
    public var gitHubRepository: String? { processor.intake.gitHubRepository }

    /// Every route: webhooks, the API, health, metrics and the site.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        addWebhookRoutes(to: router)
        addAPIRoutes(to: router)
        addOperationsRoutes(to: router)
        if config.benchbot.serve.serveSite { addSiteRoutes(to: router) }
        return router
    }

    /// Serves until SIGTERM or SIGINT, then stops taking requests, lets those under way finish,
    /// and stops the processor and worker.
    ///
    /// - Parameters:
    ///   - host: The address to listen on.
    ///   - port: The port; 0 picks a free one.
    ///   - worker: Run this worker's loop in the same process.
    ///   - onListening: Told the port once the server listens.
    public func run(host: String, port: Int, worker: Worker?, workerPollInterval: Duration = .seconds(5),
                    onListening: @escaping @Sendable (Int) async -> Void) async throws {
        var services: [any Service] = [ClosureService(name: "deliveries") { [processor] in
            try await withTaskExecutorPreference(BackgroundExecutor.deliveries) { try await processor.run() }
        }]
        if let worker {
            let logger = self.logger
            services.append(ClosureService(name: "worker") {
                try await Self.keepWorking(worker, pollInterval: workerPollInterval, logger: logger)
            })
        }
        let app = Application(
            router: router(),
            // GitHub sends a whole delivery within its 10-second deadline: a connection silent for
            // longer is a stalled or hostile client, and holds a descriptor (and shutdown) for nothing.
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(idleTimeout.seconds * 1000)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "BenchBot"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

extension BenchBotServer {
    /// The worker loop of `serve --work`. A service that ends stops the whole server, so a worker
    /// that stops (a store locked past its timeout, a full disk) is logged and started again after
    /// a pause, and one that finds another worker on the home leaves the jobs to it: webhooks are
    /// still taken and kept either way.
    static func keepWorking(_ worker: Worker, pollInterval: Duration, logger: Logger) async throws {
        var pause: Duration = .seconds(5)
        while !Task.isCancelled {
            do {
                let ran = try await worker.run(.forever(pollInterval: pollInterval)) { report in
                    for line in report.lines { logger.info("\(line)") }
                }
                if !ran {
                    logger.warning("another worker runs on \(worker.home.root); this server takes deliveries and requests only")
                    try await gracefulShutdown()
                    return
                }
            } catch {
                // Stopping: what a cancelled store call says is not news.
                if Task.isCancelled { return }
                logger.error("the worker stopped: \(error); it starts again in \(pause)")
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(300))
        }
    }
}

/// A long-running part of the server, stopped with it.
struct ClosureService: Service {
    let name: String
    let body: @Sendable () async throws -> Void

    init(name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    func run() async throws {
        // Cancelled on shutdown: a job under way is stopped, and the next start runs it again.
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            // The shutdown asked for, not a failure of the server.
        }
    }
}
