import Foundation
import Testing

/// relay-bench's own sample home, shipped beside the repository in `shared/fixtures`.
///
/// A user's plain clone has no `shared/`, so its tests skip, saying why; CI clones with `shared/`
/// beside it, so there (`CI=true`) a missing fixture runs the tests and fails them.
enum RelayFixture {
    static let path: String = {
        // <parent>/<clone>/Tests/BenchBotTests/Support/this file.
        var folder = #filePath
        for _ in 0..<5 { folder = (folder as NSString).deletingLastPathComponent }
        return (folder as NSString).appendingPathComponent("shared/fixtures/relay-sample-dashboard-home")
    }()

    static var isPresent: Bool { FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json")) }

    /// The trait of every test that reads the fixture.
    static var required: ConditionTrait {
        .enabled(if: isPresent || ProcessInfo.processInfo.environment["CI"] == "true",
                 "\(path) is missing (a plain clone); put shared/ beside the repository to run it")
    }

    /// The fixture's path, or a failure naming what is missing.
    static func require() throws -> String {
        try #require(isPresent, "\(path) is missing; CI must run with shared/ beside the repository")
        return path
    }
}
