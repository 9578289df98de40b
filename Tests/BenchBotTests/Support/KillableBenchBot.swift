import Foundation
import Testing

/// A `benchbot` process a test can kill with SIGKILL at a moment it chooses, as a power cut or
/// the OOM killer would.
final class KillableBenchBot: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    /// Where its standard error goes instead of a pipe, for a test that reads it while it runs.
    let errorsFile: String?

    /// Starts `benchbot arguments` with the fixtures' environment plus `environment`; its standard
    /// error goes to `errorsFile` when one is given.
    init(_ arguments: [String], environment: [String: String?] = [:], errorsFile: String? = nil) throws {
        self.errorsFile = errorsFile
        try #require(FileManager.default.isExecutableFile(atPath: BenchBotProcess.executable),
                     "build the executable first (`swift build`): \(BenchBotProcess.executable) is missing")
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in GitFixture.environment.merging(environment, uniquingKeysWith: { $1 }) { merged[name] = value }
        process.executableURL = URL(fileURLWithPath: BenchBotProcess.executable)
        process.arguments = arguments
        process.environment = merged.compactMapValues { $0 }
        process.standardOutput = output
        if let errorsFile {
            _ = FileManager.default.createFile(atPath: errorsFile, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsFile))
        } else {
            process.standardError = errors
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Kills it at once, with no chance to clean up.
    func kill() {
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for it to end (at most `timeout`), and returns its status and output.
    func finish(timeout: Duration = .seconds(120)) async throws -> (status: Int32, output: String, errors: String) {
        let deadline = ContinuousClock.now + timeout
        // Reading as it writes, so that a full pipe never blocks it. A pipe that a descendant keeps
        // open blocks its reader for as long as that one lives: on threads of their own, such a
        // wait holds up this test alone, not the shared threads every other suite needs.
        async let out = OwnThread.run { self.output.fileHandleForReading.readDataToEndOfFile() }
        async let err = OwnThread.run { self.errorsFile == nil ? self.errors.fileHandleForReading.readDataToEndOfFile() : Data() }
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill()
                Issue.record("benchbot \(process.arguments ?? []) did not end within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // A file of errors is read once the process has written all of it.
        let errors = await err
        var written = errors
        if let errorsFile {
            // Unreadable, it would read as empty, and a test that expects some text absent would pass unseen.
            written = try #require(FileManager.default.contents(atPath: errorsFile), "\(errorsFile) cannot be read")
        }
        return (process.terminationStatus, String(decoding: await out, as: UTF8.self), String(decoding: written, as: UTF8.self))
    }
}

/// Waits for `condition` to hold, polling it, for at most `timeout`.
///
/// - Returns: Whether it held in time.
@discardableResult
func eventually(within timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Runs `body`, failing the test instead of hanging when it takes longer than `timeout`. A body
/// that ignores cancellation (a wait on a fake server, say) is left behind, not awaited.
func withDeadline<Result: Sendable>(_ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let (results, continuation) = AsyncStream<Swift.Result<Result, any Error>?>.makeStream()
    let work = Task {
        do { continuation.yield(.success(try await body())) } catch { continuation.yield(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        continuation.yield(nil)
    }
    defer { timer.cancel() }
    var iterator = results.makeAsyncIterator()
    guard let first = await iterator.next(), let result = first else {
        work.cancel()
        throw DeadlinePassed(what: what, timeout: timeout)
    }
    return try result.get()
}

/// A step of a test that did not happen in time.
struct DeadlinePassed: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "\(what) did not happen within \(timeout)" }
}
