import Crypto
import Dispatch
import Foundation

/// Writes a site's files beside `folder` and swaps the new build in. A page whose inputs are
/// those of the last build is linked from it, not made again; a page made again whose content
/// came out the same is linked too, so only changed files are written. Pages are made on every
/// processor at once.
///
/// Either way the new build is swapped in whole, so that a reader, or a build killed at any moment,
/// leaves the old site or the new one. A build that changes few files brings the spare copy kept
/// beside the folder up to date instead (``updateSpare(_:inputs:spare:current:after:)``): linking
/// every unchanged file of a large site into a new build cost more than the rest of a build after
/// one new commit.
struct SiteWriter {
    let folder: String

    /// - Parameter folder: The site's folder; a trailing `/` is dropped, or its siblings (the
    ///   spare, the build under way) would be made inside it.
    init(folder: String) {
        var folder = folder
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        self.folder = folder
    }
    static let manifestName = ".benchbot-site"
    /// Where builds before the manifest became lines kept it: still the mark of a site.
    static let earlierManifestName = ".benchbot-site.json"

    /// What the last build made a file from, and its content: both as digests.
    struct Record: Hashable {
        var inputs: String?
        var digest: String
    }

    /// The folder is replaced whole: never one that holds anything but an earlier site.
    ///
    /// - Throws: ``SiteError`` when it holds other files.
    func checkFolder() throws {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if !existing.isEmpty, !existing.contains(Self.manifestName), !existing.contains(Self.earlierManifestName) {
            throw SiteError(message: "\(folder) holds files that are not a BenchBot site, and generating would replace them; "
                            + "choose a new or empty folder with --out")
        }
    }

    /// Moves aside what earlier builds left (a build cut short, the build before the last) and
    /// deletes it in the background, so that the deleting overlaps reading the store.
    ///
    /// - Returns: The deletion, to wait for before the build ends.
    func clearLeftovers() -> Task<Void, Never> {
        let manager = FileManager.default
        for leftover in [folder + ".building", folder + ".previous"] where manager.fileExists(atPath: leftover) {
            try? manager.moveItem(atPath: leftover, toPath: trashPath())
        }
        let parent = (folder as NSString).deletingLastPathComponent, prefix = (hiddenSibling(".trash-") as NSString).lastPathComponent
        let trash = ((try? manager.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent)) ?? [])
            .filter { $0.hasPrefix(prefix) }.map { (parent as NSString).appendingPathComponent($0) }
        return Task.detached { for path in trash { try? FileManager.default.removeItem(atPath: path) } }
    }

    /// Held while a build of the folder runs.
    var lockPath: String { hiddenSibling(".lock") }

    /// On the same file system as the folder, so moving there is a rename.
    func trashPath() -> String { hiddenSibling(".trash-" + UUID().uuidString) }

    /// `.<folder's name><suffix>`, beside the folder.
    func hiddenSibling(_ suffix: String) -> String {
        ((folder as NSString).deletingLastPathComponent as NSString).appendingPathComponent("." + (folder as NSString).lastPathComponent + suffix)
    }

    /// Builds the site beside the folder and swaps it in; ``checkFolder()`` has said it may.
    ///
    /// - Parameter clearing: What ``clearLeftovers()`` returned.
    /// - Throws: ``SiteError`` when a file cannot be written; the folder is left as it was then.
    func write(_ entries: [SitePages.Entry], after clearing: Task<Void, Never>) async throws -> SiteGenerator.Summary {
        // An older BenchBot's update in place cut short: neither the folder's manifest nor a spare beside it is trusted.
        let interrupted = wasInterrupted
        let old = interrupted ? [:] : Self.readManifest(folder + "/" + Self.manifestName)
        let inputs = entries.map { $0.inputs.map(SitePages.digest) }
        let spare = interrupted ? [:] : spareRecords()
        if canUpdateSpare(entries, inputs: inputs, spare: spare) {
            return try await updateSpare(entries, inputs: inputs, spare: spare, current: old, after: clearing)
        }
        let manager = FileManager.default
        let staging = folder + ".building"
        var summary = SiteGenerator.Summary()
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try Self.makeFolders(for: entries, in: staging)
            let outcomes = try build(entries, inputs: inputs, old: old, into: .staging(staging))
            summary.written = Self.writtenPages(entries, outcomes)
            try Self.writeFile(Self.manifest(entries, outcomes), to: staging + "/" + Self.manifestName)
            await clearing.value
            try swapIn(staging)
        } catch {
            try? manager.moveItem(atPath: staging, toPath: trashPath())
            let reason = (error as? SiteError)?.message ?? error.localizedDescription
            throw SiteError(message: "cannot write the site to \(folder): \(reason); check that its parent folder exists and is writable")
        }
        summary.pages = entries.count { $0.isPage }
        return summary
    }

    /// Where ``build(_:inputs:old:into:)`` puts the files it writes.
    enum Destination {
        /// A new build's folder: an unchanged file is linked there from the last build.
        case staging(String)
        /// The spare at this path: an unchanged file stays, a changed one is written beside itself
        /// (``pendingPath(_:in:)``) for ``updateSpare(_:inputs:spare:current:after:)`` to move over
        /// it, by a link from the folder when the folder's (`current`) is the one wanted.
        case spare(String, current: [String: Record])
    }

    /// One file of a build: what it was made from, and whether it was written rather than kept.
    typealias Outcome = (record: Record, written: Bool)

    /// Puts each file at its destination, on all processors: kept from the last build when its
    /// inputs are the same, or when it is made again and comes out the same; written otherwise.
    ///
    /// - Parameter inputs: Each entry's digest of its inputs.
    func build(_ entries: [SitePages.Entry], inputs: [String?], old: [String: Record], into destination: Destination) throws -> [Outcome] {
        let outcomes = Slots<Result<Outcome, any Error>>(count: entries.count)
        defer { outcomes.deallocate() }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, entries.count))
        // Each worker takes every `workers`-th entry, so each slot of `outcomes` has one writer.
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: entries.count, by: workers) {
                let entry = entries[index]
                outcomes.buffer[index] = Result {
                    let inFolder = folder + "/" + entry.path
                    func keep() -> Bool {
                        switch destination {
                        case .staging(let staging): link(inFolder, staging + "/" + entry.path) == 0
                        case .spare(let spare, _): access(spare + "/" + entry.path, F_OK) == 0
                        }
                    }
                    // The spare's file is the one of the build before the last; the folder's may be the one wanted.
                    func linkFromFolder(_ wanted: (Record) -> Bool) -> Record? {
                        guard case .spare(let spare, let current) = destination, let record = current[entry.path], wanted(record) else { return nil }
                        let pending = pendingPath(entry.path, in: spare)
                        unlink(pending)
                        return link(inFolder, pending) == 0 ? record : nil
                    }
                    let inputs = inputs[index]
                    if let record = old[entry.path], inputs != nil, record.inputs == inputs, keep() { return (record, false) }
                    if inputs != nil, let record = linkFromFolder({ $0.inputs == inputs }) { return (record, true) }
                    let content = entry.render()
                    let record = Record(inputs: inputs, digest: entry.comparesContent ? SitePages.hex(SHA256.hash(data: content)) : "-")
                    if entry.comparesContent, old[entry.path]?.digest == record.digest, keep() { return (record, false) }
                    if entry.comparesContent, linkFromFolder({ $0.digest == record.digest }) != nil { return (record, true) }
                    switch destination {
                    case .staging(let staging): try Self.writeFile(content, to: staging + "/" + entry.path)
                    case .spare(let spare, _):
                        // A pending file left by a build cut short may be a link to the folder's: never written through.
                        let pending = pendingPath(entry.path, in: spare)
                        unlink(pending)
                        try Self.writeFile(content, to: pending)
                    }
                    return (record, true)
                }
            }
        }
        return try outcomes.buffer.map { try $0!.get() }
    }

    /// The manifest of a build: each file's path, the digest of its inputs and of its content.
    static func manifest(_ entries: [SitePages.Entry], _ outcomes: [Outcome]) -> Data {
        var manifest = ""
        manifest.reserveCapacity(entries.count * 120)
        for (entry, outcome) in zip(entries, outcomes).sorted(by: { $0.0.path < $1.0.path }) {
            manifest += "\(entry.path)\t\(outcome.record.inputs ?? "-")\t\(outcome.record.digest)\n"
        }
        return Data(manifest.utf8)
    }

    static func writtenPages(_ entries: [SitePages.Entry], _ outcomes: [Outcome]) -> Int {
        zip(entries, outcomes).count { $0.isPage && $1.written }
    }

    /// One slot per item, each written by one worker only and read after all have finished:
    /// that discipline, not a lock, is what makes sharing them safe.
    private struct Slots<Value>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Value?>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }

        func deallocate() {
            buffer.deinitialize()
            buffer.deallocate()
        }
    }

    /// Creates the folders that `entries` go in, under `root`.
    static func makeFolders(for entries: some Sequence<SitePages.Entry>, in root: String) throws {
        // Paths are joined by hand: NSString's path methods cost more than the links themselves.
        var folders = Set<Substring>()
        for entry in entries {
            if let slash = entry.path.lastIndex(of: "/"), folders.insert(entry.path[..<slash]).inserted {
                try FileManager.default.createDirectory(atPath: root + "/" + entry.path[..<slash], withIntermediateDirectories: true)
            }
        }
    }

    /// A new file, written whole; `Data.write` costs more than the write itself, per file.
    static func writeFile(_ content: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SiteError(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try content.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw SiteError(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += count
            }
        }
    }

    /// The last build's records; none when there is no manifest or it does not read.
    static func readManifest(_ path: String) -> [String: Record] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var records: [String: Record] = [:]
        // By hand over the bytes: `split` on a manifest of tens of thousands of lines costs a tenth of a second.
        let complete = data.withUnsafeBytes { bytes -> Bool in
            var fields: [String] = [], start = 0
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\t") || bytes[index] == UInt8(ascii: "\n") {
                fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                start = index + 1
                guard bytes[index] == UInt8(ascii: "\n") else { continue }
                guard fields.count == 3 else { return false }
                records[fields[0]] = Record(inputs: fields[1] == "-" ? nil : fields[1], digest: fields[2])
                fields.removeAll(keepingCapacity: true)
            }
            return start == bytes.count
        }
        return complete ? records : [:]
    }
}
