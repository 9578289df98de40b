import Foundation
public import Hummingbird

/// A real HTTP server on 127.0.0.1 and a free port, for the length of a test.
public enum LoopbackServer {
    /// Starts `router` on 127.0.0.1, port 0, runs `body` with its base URL, and stops it.
    public static func with<Result: Sendable>(
        _ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  portContinuation.yield(channel.localAddress?.port ?? 0)
                                  portContinuation.finish()
                              })
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ServerDidNotStart() }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }
}

/// The server stopped before it said which port it listens on.
struct ServerDidNotStart: Error {}
