import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An append-only file of webhook deliveries: a header that names the file, then one record per
/// delivery, each written by one `pwrite(2)`, then zeros.
///
/// The file is allocated ahead of its records, 32 MB at a time, so that appending a delivery
/// never grows it: on ext4 a write that grows a file changes its size through the journal, and
/// waits whenever the journal is committing someone's `fsync`, for milliseconds on a cloud disk.
///
/// One process appends at a time: it holds the file's `flock` for as long as it lives, so a crashed
/// server's lock goes with it. Any process reads. A reader takes only whole records whose checksum
/// holds, up to the zeros after the last, so a record being written, or one a crash cut short, is
/// not there yet; the next writer cuts such a tail off before it appends.
///
/// A record's place in arrival order is the offset where it ends: it only grows, and a new file
/// (with a new ``identity``) starts again, which is how the store tells how far it admitted.
final class DeliveryLog: Sendable {
    /// A delivery in the log, with the offset where its record ends; `delivery.body` is empty.
    typealias Received = (sequence: Int64, delivery: WebhookDelivery)

    let path: String
    /// Chosen when the file is made; the store records how far it admitted each log by it.
    let identity: String
    private let reader: Int32
    /// The descriptors that sync, one per kind of caller, open as long as the log (``sync(_:)``).
    private let syncers: [Syncer: Int32]
    private let state: Mutex<State>

    private struct State {
        /// The appending descriptor, holding the file's lock; `nil` until this process appends.
        var writer: Int32?
        /// Each delivery's record start, by id; a redelivery is never appended, so ids are unique.
        var starts: [String: Int64] = [:]
        /// Where each record ends, in order.
        var ends: [Int64] = []
        /// The end of the last whole record read or written: where the next is written.
        var scanned = Int64(LogRecord.headerSize)
        /// The file's size, as the writer allocated it.
        var allocated: Int64 = 0

        func start(ofRecord index: Int) -> Int64 { index == 0 ? Int64(LogRecord.headerSize) : ends[index - 1] }
        /// The first record that ends after `sequence`.
        func firstIndex(after sequence: Int64) -> Int {
            var (low, high) = (0, ends.count)
            while low < high {
                let middle = (low + high) / 2
                if ends[middle] <= sequence { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    private init(path: String, identity: String, reader: Int32, syncers: [Syncer: Int32]) {
        self.path = path
        self.identity = identity
        self.reader = reader
        self.syncers = syncers
        state = Mutex(State())
    }

    deinit {
        state.withLock { state in
            if let writer = state.writer { close(writer) }
        }
        close(reader)
        for descriptor in syncers.values { close(descriptor) }
    }

    /// Opens the log at `path`, making it when `create` says so, and reads its records.
    ///
    /// - Returns: `nil` when there is no log and `create` is `false`.
    static func open(path: String, create: Bool) throws(StoreError) -> DeliveryLog? {
        if !FileManager.default.fileExists(atPath: path) {
            guard create else { return nil }
            try make(path)
        }
        var descriptors: [Int32] = []
        for _ in 0...Syncer.allCases.count {
            let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let failed = failure(path, "cannot be opened")
                for opened in descriptors { close(opened) }
                throw failed
            }
            descriptors.append(descriptor)
        }
        let reader = descriptors.removeFirst()
        let syncers = Dictionary(uniqueKeysWithValues: zip(Syncer.allCases, descriptors))
        let identity: String
        do {
            identity = try LogRecord.identity(inHeader: try read(reader, at: 0, count: LogRecord.headerSize, path: path), path: path)
        } catch {
            close(reader)
            for descriptor in syncers.values { close(descriptor) }
            throw error
        }
        // From here the log owns the descriptors, and closes them when it goes, a failed read too.
        let log = DeliveryLog(path: path, identity: identity, reader: reader, syncers: syncers)
        try log.refresh()
        return log
    }

    /// Writes a new log's header beside it, synced, and links it into place, so no reader ever
    /// sees a log without one, and two processes making it at once end up with the same file.
    private static func make(_ path: String) throws(StoreError) {
        // Named for this call alone: two stores of one process may make the same log at once.
        let pending = (path as NSString).deletingLastPathComponent + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString).new"
        let descriptor = Glibc.open(pending, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(path, "cannot be made") }
        defer { unlink(pending) }
        let header = LogRecord.header(identity: UUID().uuidString)
        let written = header.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == header.count, synced else { throw failure(path, "cannot be made") }
        if link(pending, path) != 0, errno != EEXIST { throw failure(path, "cannot be made") }
        let folder = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Takes the right to append: the file's lock, and the end of its last whole record.
    ///
    /// - Returns: Whether this call took it; `false` when this process held it already.
    /// - Throws: ``StoreError`` when another process appends to this log.
    @discardableResult
    func acquireWriter() throws(StoreError) -> Bool {
        try state.withLock { (state: inout State) throws(StoreError) -> Bool in
            guard state.writer == nil else { return false }
            let writer = Glibc.open(path, O_RDWR | O_CLOEXEC)
            guard writer >= 0 else { throw Self.failure(path, "cannot be opened for writing") }
            guard flock(writer, LOCK_EX | LOCK_NB) == 0 else {
                let busy = errno == EWOULDBLOCK
                close(writer)
                throw busy ? StoreError.unavailable(path, detail: "another process (a second `benchbot serve` on this home?) is receiving "
                                                        + "its webhooks; stop it, or give this server a home of its own")
                    : Self.failure(path, "cannot be locked")
            }
            do throws(StoreError) {
                try scan(&state)
                // Past the last whole record there may be one a crash cut short, never answered,
                // and the zeros allocated ahead: both go, so that new records end where zeros start.
                if try size() > state.scanned, ftruncate(writer, off_t(state.scanned)) != 0 || fsync(writer) != 0 {
                    throw Self.failure(path, "cannot be repaired")
                }
                state.allocated = state.scanned
            } catch {
                close(writer)
                throw error
            }
            state.writer = writer
            return true
        }
    }

    /// Appends the deliveries not in the log yet, in one write (after ``acquireWriter()``): whether each was new, in order. A
    /// delivery id twice in one batch (a redelivery racing its first) is new only the first time.
    ///
    /// The records are in the operating system's hands when this returns; ``sync()`` puts them on the disk.
    func append(_ batch: [WebhookDelivery]) throws(StoreError) -> [Bool] {
        // Encoded (copied and checksummed) before the lock: every answer waits while it is held,
        // and one preempted inside it holds up all of them.
        let records = batch.map { delivery in
            var record: [UInt8] = []
            LogRecord.encode(delivery, into: &record)
            return record
        }
        return try state.withLock { (state: inout State) throws(StoreError) -> [Bool] in
            // Taken by ``acquireWriter()`` first; let go after a failed write, until taken again.
            guard let writer = state.writer else { throw Self.failure(path, "is not held for writing") }
            var bytes: [UInt8] = []
            var added: [(id: String, end: Int64)] = []
            var outcomes: [Bool] = []
            for (delivery, record) in zip(batch, records) {
                guard state.starts[delivery.id] == nil, !added.contains(where: { $0.id == delivery.id }) else {
                    outcomes.append(false)
                    continue
                }
                // One delivery, the route's case, is written from its own buffer without a copy.
                if batch.count == 1 { bytes = record } else { bytes.append(contentsOf: record) }
                added.append((delivery.id, state.scanned + Int64(bytes.count)))
                outcomes.append(true)
            }
            guard let end = added.last?.end else { return outcomes }
            if end > state.allocated {
                // Where the filesystem cannot allocate ahead, the write grows the file itself.
                let more = max(Self.allocationStep, end - state.allocated)
                if posix_fallocate(writer, off_t(state.allocated), off_t(more)) == 0 { state.allocated += more }
            }
            guard Self.writeAll(writer, bytes, at: state.scanned) else {
                let reason = String(cString: strerror(errno))
                // Part of a record may be on the file: the writer is let go, and the next one cuts it off.
                close(writer)
                state.writer = nil
                throw Self.failure(path, "cannot be written (\(reason))")
            }
            for (id, recordEnd) in added {
                state.starts[id] = state.ends.last ?? Int64(LogRecord.headerSize)
                state.ends.append(recordEnd)
            }
            state.scanned = end
            state.allocated = max(state.allocated, end)
            return outcomes
        }
    }

    /// How much the file is allocated ahead at a time: about 3,000 of GitHub's deliveries.
    static let allocationStep: Int64 = 32 << 20

    /// Who syncs the log.
    enum Syncer: CaseIterable {
        /// The route's appends, before their answers.
        case appender
        /// The processor, before it admits deliveries kept for the process only.
        case admission
    }

    /// Waits until everything appended so far is on the disk.
    ///
    /// Each kind of caller syncs through a descriptor of its own that lives as long as the log.
    /// Linux reports a failed write-back once to each open file, to whichever sync meets it first:
    /// through one shared descriptor, the processor's sync could take the error and the route's
    /// next one report success for records that never reached the disk. Not through the writer
    /// either: it is closed after a failed write, and its number may by then be another file's.
    func sync(_ syncer: Syncer) throws(StoreError) {
        guard fdatasync(syncers[syncer]!) == 0 else { throw Self.failure(path, "cannot be synced to the disk") }
    }

    /// Reads the records another process appended since the last look.
    func refresh() throws(StoreError) {
        // The process that appends knows every record: it holds the lock no longer than a glance,
        // since the route's appends wait for it, and the processor that reads runs at idle priority.
        try state.withLock { (state: inout State) throws(StoreError) in if state.writer == nil { try scan(&state) } }
    }

    /// The deliveries whose records end after `sequence`, in arrival order, at most `limit`.
    func received(after sequence: Int64, limit: Int) throws(StoreError) -> [Received] {
        try refresh()
        let spans = state.withLock { state in
            let first = state.firstIndex(after: sequence)
            return (first..<(first + min(limit, state.ends.count - first))).map { (state.start(ofRecord: $0), state.ends[$0]) }
        }
        var received: [Received] = []
        for (start, end) in spans {
            let head = try Self.read(reader, at: start, count: Int(min(end - start, Int64(LogRecord.longestHead))), path: path)
            // An id, event or action longer than GitHub's needs the whole record.
            var delivery = LogRecord.decode(head, withBody: false)
            if delivery == nil, head.count < end - start {
                delivery = LogRecord.decode(try Self.read(reader, at: start, count: Int(end - start), path: path), withBody: false)
            }
            guard let delivery else { throw Self.damaged(path, at: start) }
            received.append((end, delivery))
        }
        return received
    }

    /// How many records end after `sequence`.
    func count(after sequence: Int64) throws(StoreError) -> Int {
        try refresh()
        return state.withLock { $0.ends.count - $0.firstIndex(after: sequence) }
    }

    /// The payloads of some deliveries, by id; an id the log does not hold is left out.
    func bodies(of ids: [String]) throws(StoreError) -> [String: Data] {
        try refresh()
        let spans = state.withLock { state in
            ids.compactMap { id -> (String, Int64, Int64)? in
                guard let start = state.starts[id] else { return nil }
                let index = state.firstIndex(after: start)
                return (id, start, state.ends[index])
            }
        }
        var bodies: [String: Data] = [:]
        for (id, start, end) in spans {
            let bytes = try Self.read(reader, at: start, count: Int(end - start), path: path)
            guard let delivery = LogRecord.decode(bytes, withBody: true, verified: true) else { throw Self.damaged(path, at: start) }
            bodies[id] = delivery.body
        }
        return bodies
    }

    /// Indexes the whole records after `state.scanned`, up to the zeros after the last, or a record
    /// being written or cut short by a crash: one with only zeros or the file's end after it.
    ///
    /// - Throws: ``StoreError`` for a damaged record with more after it: no crash makes that, and
    ///   zeroing it would lose what follows, so the log is left as it is.
    private func scan(_ state: inout State) throws(StoreError) {
        let size = try size()
        while state.scanned + Int64(LogRecord.prefixSize) <= size {
            let prefix = try Self.read(reader, at: state.scanned, count: LogRecord.prefixSize, path: path)
            if prefix[0..<4].allSatisfy({ $0 == 0 }) { return }
            let length = LogRecord.length(ofPrefix: prefix)
            var delivery: WebhookDelivery?
            if let length, state.scanned + Int64(length) <= size {
                delivery = LogRecord.decode(try Self.read(reader, at: state.scanned, count: length, path: path), withBody: false, verified: true)
            }
            guard let delivery, let length else {
                let next = state.scanned + Int64(length ?? LogRecord.prefixSize)
                if next + 4 > size { return }
                if try Self.read(reader, at: next, count: 4, path: path).allSatisfy({ $0 == 0 }) { return }
                throw Self.damaged(path, at: state.scanned, following: size - next)
            }
            if state.starts[delivery.id] == nil { state.starts[delivery.id] = state.scanned }
            state.scanned += Int64(length)
            state.ends.append(state.scanned)
        }
    }

    private func size() throws(StoreError) -> Int64 {
        var status = stat()
        guard fstat(reader, &status) == 0 else { throw Self.failure(path, "cannot be read") }
        return Int64(status.st_size)
    }

    private static func read(_ descriptor: Int32, at offset: Int64, count: Int, path: String) throws(StoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw failure(path, "cannot be read") }
            done += got
        }
        return bytes
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int64) -> Bool {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { return false }
            done += wrote
        }
        return true
    }

    static func failure(_ path: String, _ what: String) -> StoreError {
        let reason = errno == 0 ? "" : ": " + String(cString: strerror(errno))
        if errno == ENOSPC { return .unavailable(path, detail: "the disk is full; free some space, then run the command again") }
        return .unavailable(path, detail: "the delivery intake log \(what)\(reason)")
    }

    private static func damaged(_ path: String, at offset: Int64, following: Int64? = nil) -> StoreError {
        let after = following.map { " with \($0) bytes of the file after it" } ?? ""
        return .corrupt(path, detail: "the delivery intake log's record at byte \(offset) is damaged\(after); the deliveries from there on "
                            + "that the store has not admitted are GitHub's to redeliver")
    }
}
