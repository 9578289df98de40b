import Foundation
import Synchronization
import Testing

/// `benchbot serve` as a process of its own, on a free port, that a test can kill with SIGKILL.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let errors = Pipe()
    /// What it writes to standard error, read as it writes: a pipe nobody reads fills at 64 KB,
    /// and then every log line it writes, and the work that logs it, waits.
    private let written = Written()

    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts it and waits (at most 60 s) for the line that names its port.
    init(home: String, environment: [String: String], extraArguments: [String] = []) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: BenchBotProcess.executable), "build the executable first (`swift build`)")
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in GitFixture.environment { merged[name] = value }
        merged.merge(environment) { $1 }
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: BenchBotProcess.executable)
        process.arguments = ["serve", "--home", home, "--listen", "127.0.0.1:0"] + extraArguments
        process.environment = merged.compactMapValues { $0 }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errorReader = errors.fileHandleForReading
        Thread.detachNewThread { [written] in written.finish(errorReader.readDataToEndOfFile()) }
        let reader = output.fileHandleForReading
        // Read on a thread of its own: a blocking read must not hold one of the test pool's few threads.
        let line: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                while !text.contains("\n") {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text.split(separator: "\n").first.map(String.init))
                // Its standard output is read to its end too, for the same reason.
                while !reader.availableData.isEmpty {}
            }
        }
        guard let line, let portText = line.split(separator: ":").last, let port = Int(portText) else {
            process.terminate()
            throw FixtureError(message: "benchbot serve did not say where it listens: \(line ?? "(nothing)")")
        }
        self.port = port
    }

    func kill() {
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops it as systemd does, and returns its exit status and what it wrote to standard error.
    func terminate() -> (status: Int32, errors: String) {
        process.terminate()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: written.wait(), as: UTF8.self))
    }

    /// Standard error's bytes, once its reader met the end.
    final class Written: Sendable {
        private let data = Mutex<Data?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func finish(_ bytes: Data) {
            data.withLock { $0 = bytes }
            done.signal()
        }

        /// Waits for the end: the process has exited, so only a descendant holding the pipe delays it.
        func wait() -> Data {
            done.wait()
            done.signal()
            return data.withLock { $0 ?? Data() }
        }
    }
}
