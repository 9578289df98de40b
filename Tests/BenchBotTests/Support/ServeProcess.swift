import Foundation
import Testing

/// `benchbot serve` as a process of its own, on a free port, that a test can kill with SIGKILL.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let errors = Pipe()

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
        return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
