import ArgumentParser
import BenchBot
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve GitHub's webhooks, the JSON API, /metrics and the results site; with --work, run the worker too.",
        discussion: """
            Listens on benchbot.serve.listen (default 127.0.0.1:8080; put a TLS proxy in front). Every signed \
            delivery is kept in the store before it is answered, and applied after: pushes to tracked branches \
            and maintainers' pull requests are queued, forks' pull requests wait for a maintainer's \
            `/benchbot run`. SIGTERM or SIGINT stops it gracefully. Without --work, run `benchbot work --forever` \
            beside it.
            """)

    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: "host:port to listen on, instead of benchbot.serve.listen; port 0 picks a free one.")
    var listen: String?

    @Flag(name: .long, help: "Also lease and run jobs in this process, as `benchbot work --forever` does.")
    var work = false

    @Option(name: .long, help: "With --work: seconds between looks at an empty queue (default 5).")
    var pollInterval: Double = 5

    func validate() throws {
        if let problem = BoundedSeconds.standard.problem(pollInterval) { throw ValidationError("--poll-interval \(problem)") }
        if let listen, Self.address(listen) == nil {
            throw ValidationError("--listen '\(listen)' must be host:port with a port from 0 to 65535, such as 127.0.0.1:8080")
        }
    }

    func run() async throws {
        try await homeOptions.withCheckedStore(measuring: work) { home, config, store in
            var logger = Logger(label: "benchbot")
            // What each delivery did is the operator's log of the server.
            logger.logLevel = .info
            let server: BenchBotServer
            do {
                server = try BenchBotServer(home: home, config: config, store: store, logger: logger)
            } catch {
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
            guard let (host, port) = listen.flatMap(Self.address) ?? config.benchbot.serve.hostAndPort else {
                printError("benchbot: benchbot.serve.listen must be host:port")
                throw ExitCode(1)
            }
            if config.benchbot.github.webhookSecretFile == nil,
               config.benchbot.github.webhookSecretEnvironment.flatMap({ ProcessInfo.processInfo.environment[$0] })?.isEmpty ?? true {
                printError("benchbot: warning: no webhook secret (\(config.benchbot.github.webhookSecretEnvironment ?? "benchbot.github.webhook_secret_env") "
                    + "is unset): POST /webhooks/github answers 503 until one is set; the API, /metrics and the site work")
            }
            if config.benchbot.notify?.github == nil {
                printError("benchbot: warning: benchbot.notify.github is not set: GitHub is told nothing (no statuses, comments or replies), "
                    + "and maintainers' commands cannot read their pull request; "
                    + (server.gitHubRepository.map { "deliveries for \($0) (from benchbot.repository.url) are taken" }
                        ?? "and no delivery is acted on, since no GitHub repository is named: set benchbot.notify.github.repository"))
            }
            let worker = work ? Worker(home: home, config: config, store: store, logger: logger) : nil
            do {
                try await Self.withServingStore(store) {
                    try await server.run(host: host, port: port, worker: worker, workerPollInterval: .seconds(pollInterval)) { bound in
                        // Flushed at once: a supervisor or test waits for this line to know the port.
                        let shown = host.contains(":") ? "[\(host)]" : host
                        FileHandle.standardOutput.write(Data("benchbot: listening on http://\(shown):\(bound)\n".utf8))
                    }
                }
            } catch {
                let text = "\(error)"
                if text.contains("Address already in use") {
                    printError("benchbot: cannot listen on \(host):\(port): another process (a second benchbot serve?) has that address; "
                        + "stop it, or choose another with --listen or benchbot.serve.listen")
                } else if text.contains("Cannot assign requested address") || text.contains("Permission denied") {
                    printError("benchbot: cannot listen on \(host):\(port): \(text); set benchbot.serve.listen (or --listen) to an address "
                        + "of this machine, and a port above 1023 unless BenchBot may bind privileged ports")
                } else {
                    printError("benchbot: \(text)")
                }
                throw ExitCode(1)
            }
        }
    }

    /// Runs `body` with a SQLite store's checkpoints moved off the server's writes (see
    /// ``SQLiteStore/withBackgroundCheckpoints(every:_:)``); PostgreSQL's server does its own.
    private static func withServingStore(_ store: any Store, _ body: () async throws -> Void) async throws {
        if let sqlite = store as? SQLiteStore {
            try await sqlite.withBackgroundCheckpoints(body)
        } else {
            try await body()
        }
    }

    static func address(_ text: String) -> (String, Int)? {
        var settings = ServeSettings()
        settings.listen = text
        return settings.hostAndPort
    }
}
