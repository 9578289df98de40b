import Foundation

/// A file of spare bytes beside the store, given up when the disk is full so that the last few
/// writes that keep the store truthful (a job given back, a notification settled) still go
/// through, and made again once there is room.
///
/// SQLite needs pages for its write-ahead log even to change one row; on a full disk without this
/// reserve a worker could not even say that it stopped.
struct StoreReserve: Sendable {
    let path: String

    init(storePath: String) {
        path = storePath + ".reserve"
    }

    static let size = 1 << 20

    /// Makes the reserve when it is missing and there is room; never fails.
    func ensure() {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let partial = path + ".partial"
        if FileManager.default.createFile(atPath: partial, contents: Data(count: Self.size)), rename(partial, path) == 0 { return }
        try? FileManager.default.removeItem(atPath: partial)
    }

    /// Gives the reserve's bytes back to the disk.
    ///
    /// - Returns: Whether there was a reserve to give.
    @discardableResult
    func release() -> Bool {
        (try? FileManager.default.removeItem(atPath: path)) != nil
    }

    /// Runs a store write; when it fails, gives up the reserve and tries once more.
    func withRoom<Result>(_ write: () async throws(StoreError) -> Result) async throws(StoreError) -> Result {
        do {
            return try await write()
        } catch where !error.isLeaseLost && release() {
            return try await write()
        }
    }
}
