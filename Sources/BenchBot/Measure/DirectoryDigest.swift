import Crypto
import Foundation

/// A content hash of a folder's files, for deciding whether an experiment's `setup.sh` must run
/// again: a changed byte or a renamed file changes it; a touched date does not.
enum DirectoryDigest {
    /// - Parameters:
    ///   - folder: The folder to hash.
    ///   - excluding: Top-level entries to leave out, such as the `setup` folder setup fills.
    /// - Returns: A hex SHA-256 over each file's relative path, mode and content, in path order.
    static func of(_ folder: String, excluding: Set<String> = []) -> String {
        var hash = SHA256()
        let manager = FileManager.default
        let paths = (manager.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
        for relative in paths {
            if let top = relative.split(separator: "/").first, excluding.contains(String(top)) { continue }
            let full = (folder as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            hash.update(data: Data(relative.utf8))
            let executable = manager.isExecutableFile(atPath: full)
            hash.update(data: Data([0, executable ? 1 : 0]))
            hash.update(data: manager.contents(atPath: full) ?? Data())
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
