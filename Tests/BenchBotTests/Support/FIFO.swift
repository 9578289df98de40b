import Foundation

/// Named pipes for synchronising with scripts without sleeping.
///
/// Readers open non-blocking before the script starts, so a script's open for writing never
/// waits; every wait is a `poll` with a deadline, so a broken scenario fails instead of hanging.
struct FIFO: @unchecked Sendable {
    let path: String
    let descriptor: Int32

    /// Creates the pipe and opens its read end.
    init(_ path: String) throws {
        guard mkfifo(path, 0o600) == 0 else { throw FixtureError(message: "mkfifo \(path) failed") }
        self.path = path
        self.descriptor = open(path, O_RDONLY | O_NONBLOCK)
    }

    func close() { _ = Glibc.close(descriptor) }

    /// The first line a writer sends, or `nil` after `timeout` milliseconds.
    func readLine(timeout: Int32 = 120_000) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var text = Data()
                var buffer = [UInt8](repeating: 0, count: 256)
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                while !text.contains(UInt8(ascii: "\n")), poll(&entry, 1, timeout) == 1 {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count <= 0 { break }
                    text.append(contentsOf: buffer[0..<count])
                }
                let line = String(decoding: text, as: UTF8.self).split(separator: "\n").first.map(String.init)
                continuation.resume(returning: line)
            }
        }
    }

    /// Whether every writer that connected has gone, which for a script holding the pipe open
    /// until it exits means that it is dead.
    func waitForHangUp(timeout: Int32 = 10_000) -> Bool {
        var entry = pollfd(fd: descriptor, events: 0, revents: 0)
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(timeout)))
        while ContinuousClock.now < deadline {
            guard poll(&entry, 1, timeout) == 1 else { return false }
            if entry.revents & Int16(POLLHUP) != 0 { return true }
            _ = read(descriptor, &buffer, buffer.count)
        }
        return false
    }
}
