import Foundation

/// Runs `body` with a fresh folder that is removed afterwards, whatever happens.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("benchbot-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body((path as NSString).resolvingSymlinksInPath)
}

extension String {
    func appending(path component: String) -> String {
        (self as NSString).appendingPathComponent(component)
    }
}
