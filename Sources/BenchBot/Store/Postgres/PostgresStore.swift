public import Logging
import NIOSSL
import PostgresNIO

/// BenchBot's store in a PostgreSQL database shared by many benchmark machines.
///
/// It is opened once per process: a pool of connections (postgres-nio's `PostgresClient`, which
/// reconnects on its own) runs beside the process's work until ``close()``. Opening brings the
/// database's schema to ``StoreSchema/postgresVersion``, and refuses one a newer BenchBot wrote.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    /// How messages name the store: its URL without a password, which it never holds.
    let name: String
    let logger: Logger
    private let running: Task<Void, Never>

    /// Starts the pool, and returns once its `run()` has begun: a query leased before that works,
    /// but postgres-nio warns about it on standard error.
    private init(client: PostgresClient, location: PostgresLocation, logger: Logger) async {
        self.client = client
        self.location = location
        self.logger = logger
        name = Self.name(of: location)
        let (started, signal) = AsyncStream<Void>.makeStream()
        running = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
    }

    /// Opens the store at `location`, runs `body` with it, and closes it, whatever happens.
    ///
    /// - Parameter password: The password, when the server asks for one (see ``PostgresLocation``).
    public static func with<Result: Sendable>(
        _ location: PostgresLocation, password: String?, logger: Logger, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let store = try await open(location, password: password, logger: logger)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Connects and migrates; the caller must ``close()`` the store.
    ///
    /// The schema is brought up to date on one connection of its own, made first: a wrong URL,
    /// password or database then fails at once with the server's words. The pool would only log
    /// the failure and try again in the background, with growing pauses, for as long as it runs.
    static func open(_ location: PostgresLocation, password: String?, logger: Logger) async throws(StoreError) -> PostgresStore {
        let name = Self.name(of: location)
        var configuration: PostgresClient.Configuration
        var single: PostgresConnection.Configuration
        do {
            switch location.endpoint {
            case .tcp(let host, let port):
                let tls = Self.tls(location.tls)
                configuration = PostgresClient.Configuration(host: host, port: port, username: location.user, password: password,
                                                             database: location.database, tls: tls.pool)
                single = PostgresConnection.Configuration(host: host, port: port, username: location.user, password: password,
                                                          database: location.database, tls: try tls.connection())
            case .socket(let folder, let port):
                let path = "\(folder)/.s.PGSQL.\(port)"
                configuration = PostgresClient.Configuration(unixSocketPath: path, username: location.user, password: password, database: location.database)
                single = PostgresConnection.Configuration(unixSocketPath: path, username: location.user, password: password, database: location.database)
            }
        } catch {
            throw .unavailable(name, detail: "cannot set up TLS: \(error)")
        }
        configuration.options.connectTimeout = .seconds(10)
        single.options.connectTimeout = .seconds(10)
        do {
            let connection = try await PostgresConnection.connect(configuration: single, id: 0, logger: logger)
            do {
                try await migrate(on: connection, logger: logger, name: name)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw failure(error, name: name)
        }
        return await PostgresStore(client: PostgresClient(configuration: configuration, backgroundLogger: logger), location: location, logger: logger)
    }

    /// Closes every connection and waits until they are closed.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// libpq's `sslmode` in postgres-nio's terms. `allow` and `prefer` try TLS without checking the
    /// certificate, as libpq does; `require` insists on it; `verify-ca` checks the chain, and
    /// `verify-full` the host name too.
    private static func tls(_ mode: PostgresLocation.TLSMode) -> (pool: PostgresClient.Configuration.TLS, connection: () throws -> PostgresConnection.Configuration.TLS) {
        var unchecked = TLSConfiguration.makeClientConfiguration()
        unchecked.certificateVerification = .none
        var chainOnly = TLSConfiguration.makeClientConfiguration()
        chainOnly.certificateVerification = .noHostnameVerification
        let (configuration, required): (TLSConfiguration?, Bool) = switch mode {
        case .disable: (nil, false)
        case .allow, .prefer: (unchecked, false)
        case .require: (unchecked, true)
        case .verifyCA: (chainOnly, true)
        case .verifyFull: (.makeClientConfiguration(), true)
        }
        guard let configuration else { return (.disable, { .disable }) }
        return (required ? .require(configuration) : .prefer(configuration), {
            let context = try NIOSSLContext(configuration: configuration)
            return required ? .require(context) : .prefer(context)
        })
    }

    static func name(of location: PostgresLocation) -> String {
        switch location.endpoint {
        case .tcp(let host, let port): "postgres://\(location.user)@\(host):\(port)/\(location.database)"
        case .socket(let folder, let port): "postgres://\(location.user)@/\(location.database)?host=\(folder)&port=\(port)"
        }
    }

    /// A failure of the server or the connection as a ``StoreError``, with the server's own
    /// message: postgres-nio's description of its errors hides it, lest it leak a query's values.
    func failure(_ error: any Error) -> StoreError {
        Self.failure(error, name: name)
    }

    static func failure(_ error: any Error, name: String) -> StoreError {
        if let error = error as? StoreError { return error }
        // A failure inside a transaction comes wrapped with the rollback's outcome; the cause is inside.
        if let wrapped = error as? PostgresTransactionError,
           let cause = wrapped.closureError ?? wrapped.beginError ?? wrapped.commitError ?? wrapped.rollbackError {
            return failure(cause, name: name)
        }
        guard let error = error as? PSQLError else { return .unavailable(name, detail: "\(error)") }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState]
            let code = state.map { " (SQLSTATE \($0))" } ?? ""
            // Class 08 is a connection's failure; 57P01-57P03 a server shutting down, crashed or starting.
            let transient = state.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains($0) } ?? false
            return transient ? .unreachable(name, detail: "PostgreSQL said: \(message)\(code)")
                             : .unavailable(name, detail: "PostgreSQL said: \(message)\(code)")
        }
        let cause = error.underlying.map { ": \($0)" } ?? ""
        return .unreachable(name, detail: "cannot reach PostgreSQL (\(error.code))\(cause); is the server running, and the URL right?")
    }
}

extension PostgresStore: Store {
    public var locationDescription: String { name }
}
