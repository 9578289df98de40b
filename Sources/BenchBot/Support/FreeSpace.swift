import Foundation

/// The bytes free to this user on the file system holding a path, when it can be asked: what
/// tells a full disk from other write errors.
enum FreeSpace {
    static func bytes(at path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }
}
