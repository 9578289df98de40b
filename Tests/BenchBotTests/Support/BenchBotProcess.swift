import BenchBot
import Foundation
import Testing

/// Runs the built `benchbot` executable, as cron, a hook or a user would.
enum BenchBotProcess {
    /// `swift build` puts the executable next to the test bundle.
    static let executable: String = {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = (testBinary as NSString).deletingLastPathComponent
        // The bundle is a folder (`BenchBotPackageTests.xctest`) on some toolchains.
        while !folder.isEmpty, folder != "/", !FileManager.default.fileExists(atPath: folder.appending(path: "benchbot")) {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder.appending(path: "benchbot")
    }()

    static func run(_ arguments: [String], input: String? = nil, environment: [String: String?] = [:]) async throws -> CommandResult {
        try #require(FileManager.default.isExecutableFile(atPath: executable),
                     "build the executable first (`swift build`): \(executable) is missing")
        return try await CommandRunner.run(executable, arguments: arguments,
                                           environment: GitFixture.environment.merging(environment) { $1 },
                                           input: input, timeout: .seconds(120))
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    static func succeed(_ arguments: [String], input: String? = nil) async throws -> String {
        let result = try await run(arguments, input: input)
        #expect(result.succeeded, "benchbot \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
        return result.standardOutput
    }

    /// The queue as `benchbot status --format json` prints it.
    static func jobs(home: String) async throws -> [QueuedJob] {
        let output = try await succeed(["status", "--home", home, "--format", "json", "--limit", "0"])
        return try JSONDecoder().decode(StatusDocument.self, from: Data(output.utf8)).jobs
    }

    struct StatusDocument: Decodable {
        let jobs: [QueuedJob]
    }

    struct QueuedJob: Decodable, Hashable {
        let id: Int
        let commit: String
        let branch: String?
        let state: String
        let source: String
        let subject: String?
    }
}
