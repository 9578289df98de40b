@testable import BenchBot
import Foundation
import GRDB
import Testing

/// The intake log keeps every answered delivery whole through crashes: a tail a crash cut short is
/// never read and is cut off before the next append, damage anywhere else is refused, not repaired
/// away, and only one process appends.
@Suite("The delivery intake log")
struct DeliveryLogTests {
    private static func delivery(_ id: String, body: String? = nil) -> WebhookDelivery {
        WebhookDelivery(id: id, event: "push", action: nil, body: Data((body ?? "{\"ref\":\"refs/heads/\(id)\"}").utf8), receivedAt: Date())
    }

    private static func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
    }

    /// A store with `ids` kept, closed again; the log's path.
    private static func logWith(_ ids: [String], in root: String) async throws -> (store: String, log: String) {
        let path = (root as NSString).appendingPathComponent("store.sqlite")
        let store = try SQLiteStore.open(path: path)
        for id in ids { #expect(try await store.recordDelivery(delivery(id), durability: .process)) }
        return (path, DeliveryIntake.path(beside: path))
    }

    @Test("a record a crash cut short (or zeros) after the last is not read, and the next writer writes over it",
          arguments: [false, true])
    func tornTail(zeros: Bool) async throws {
        try await withTemporaryDirectory { root in
            let (path, log) = try await Self.logWith(["d-1", "d-2"], in: root)
            let end = UInt64(LogRecord.headerSize + ["d-1", "d-2"].map { Self.encoded($0).count }.reduce(0, +))
            let torn = Self.encoded("d-3", body: String(repeating: "x", count: 5000)).prefix(4096)
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try file.seek(toOffset: end)
            try file.write(contentsOf: Data(zeros ? [UInt8](repeating: 0, count: 8192) : Array(torn)))
            try file.close()

            let reader = try SQLiteStore.open(path: path)
            #expect(try await reader.countDeliveries() == [.received: 2])
            let writer = try SQLiteStore.open(path: path)
            #expect(try await writer.recordDelivery(Self.delivery("d-4"), durability: .process))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: log))
            let d4 = Self.encoded("d-4")
            #expect(bytes.count >= Int(end) + d4.count)
            #expect(LogRecord.decode(Array(bytes[Int(end)..<(Int(end) + d4.count)]), withBody: true, verified: true)?.id == "d-4")
            #expect(bytes[(Int(end) + d4.count)...].allSatisfy { $0 == 0 }, "nothing of the torn record is left after d-4")
            let due = try await reader.dueDeliveries(now: Date(), limit: 10)
            #expect(due.map(\.id) == ["d-1", "d-2", "d-4"])
            #expect(due.map(\.body) == ["d-1", "d-2", "d-4"].map { Self.delivery($0).body })
        }
    }

    private static func encoded(_ id: String, body: String? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        LogRecord.encode(delivery(id, body: body), into: &bytes)
        return bytes
    }

    @Test("the file is allocated ahead of its records, so an append does not grow it")
    func allocatedAhead() async throws {
        try await withTemporaryDirectory { root in
            let (_, log) = try await Self.logWith(["d-1"], in: root)
            #expect(try Self.size(log) == LogRecord.headerSize + Int(DeliveryLog.allocationStep))
        }
    }

    @Test("a damaged record with others after it is refused, naming the file and the byte, and the log is left as it was")
    func damageRefused() async throws {
        try await withTemporaryDirectory { root in
            let (path, log) = try await Self.logWith(["d-1", "d-2"], in: root)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: log))
            bytes[LogRecord.headerSize + LogRecord.prefixSize + 4] ^= 0x20
            try bytes.write(to: URL(fileURLWithPath: log))
            let later = try SQLiteStore.open(path: path)
            do {
                _ = try await later.recordDelivery(Self.delivery("d-3"), durability: .process)
                Issue.record("a damaged log was appended to")
            } catch {
                #expect("\(error)".contains("store-intake.log") && "\(error)".contains("record at byte 64 is damaged"), "\(error)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == bytes)
        }
    }

    @Test("a second server on the home is refused at its start, saying why; the first keeps receiving")
    func oneWriter() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let first = try SQLiteStore.open(path: path), second = try SQLiteStore.open(path: path)
            let served = try await first.withBackgroundCheckpoints {
                do {
                    try await second.withBackgroundCheckpoints {}
                    Issue.record("two servers append to one intake")
                } catch {
                    #expect("\(error)".contains("another process") && "\(error)".contains("store-intake.log"), "\(error)")
                }
                return try await first.recordDelivery(Self.delivery("d-1"), durability: .disk)
            }
            #expect(served)
            #expect(try await second.dueDeliveries(now: Date(), limit: 10).map(\.id) == ["d-1"], "any process reads")
        }
    }

    @Test("what an older BenchBot's SQLite intake received is read into the log once, admitted deliveries skipped by id")
    func legacyIntakeImported() async throws {
        try await withTemporaryDirectory { root in
            let path = (root as NSString).appendingPathComponent("store.sqlite")
            let store = try SQLiteStore.open(path: path)
            // d-1 was admitted and applied from the old intake; d-2 was received there only.
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO webhook_delivery (id, event, received_at, state, next_attempt_at, outcome)
                    VALUES ('d-1', 'push', 0, 'processed', 0, 'pushed')
                    """)
            }
            let legacy = DeliveryIntake.legacyPath(beside: path)
            try await DatabaseQueue(path: legacy).write { db in
                try db.execute(sql: """
                    CREATE TABLE received (sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, event TEXT NOT NULL,
                                           action TEXT, received_at REAL NOT NULL, body BLOB NOT NULL);
                    PRAGMA user_version = 1;
                    """)
                for id in ["d-1", "d-2"] {
                    try db.execute(sql: "INSERT INTO received (id, event, action, received_at, body) VALUES (?, 'push', NULL, 0, ?)",
                                   arguments: [id, Self.delivery(id).body])
                }
            }
            #expect(try await store.recordDelivery(Self.delivery("d-2"), durability: .process) == false, "received by the old intake")
            #expect(try await store.recordDelivery(Self.delivery("d-3"), durability: .process))
            #expect(!FileManager.default.fileExists(atPath: legacy))
            #expect(try await store.dueDeliveries(now: Date(), limit: 10).map(\.id) == ["d-2", "d-3"])
            let all = try await store.deliveries(limit: 10)
            #expect(all.first { $0.id == "d-1" }?.body == Self.delivery("d-1").body, "its payload moved with it")
            #expect(try await store.countDeliveries() == [.processed: 1, .received: 2])
        }
    }
}
