import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a file, held until the value is released.
///
/// `flock(2)` locks belong to the open file description, so a process that dies releases its
/// locks with it: a crashed poll never leaves the next cron run locked out.
public final class FileLock {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock if nobody holds it.
    ///
    /// - Parameter path: The lock file; it and its folder are created when missing.
    /// - Returns: The held lock, or `nil` when another holder has it.
    /// - Throws: ``FileLockError`` when the file cannot be opened.
    public static func acquireIfFree(at path: String) throws(FileLockError) -> FileLock? {
        let descriptor = try open(path)
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            return FileLock(descriptor: descriptor, path: path)
        }
        let error = errno
        close(descriptor)
        if error == EWOULDBLOCK { return nil }
        throw FileLockError(path: path, reason: String(cString: strerror(error)))
    }

    /// Waits for the lock, up to a deadline.
    ///
    /// - Parameters:
    ///   - path: The lock file; it and its folder are created when missing.
    ///   - timeout: How long to wait for the current holder.
    /// - Returns: The held lock.
    /// - Throws: ``FileLockError`` when the file cannot be opened or the wait times out.
    public static func acquire(at path: String, timeout: Duration) throws(FileLockError) -> FileLock {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var pause = Duration.milliseconds(1)
        while true {
            if let lock = try acquireIfFree(at: path) { return lock }
            guard clock.now < deadline else {
                throw FileLockError(path: path, reason: "still held by another BenchBot process after \(timeout)")
            }
            // flock has no timed wait; back off briefly instead of spinning.
            Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    private static func open(_ path: String) throws(FileLockError) -> Int32 {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileLockError(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileLockError(path: path, reason: String(cString: strerror(errno)))
        }
        return descriptor
    }
}

/// A lock file that cannot be opened or taken.
public struct FileLockError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "lock \(path): \(reason)" }
}
