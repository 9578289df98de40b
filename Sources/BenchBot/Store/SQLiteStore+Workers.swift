import Foundation
import GRDB

extension SQLiteStore {
    public func beat(_ worker: WorkerBeat) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO worker (identity, name, machine, repository, started_at, heartbeat_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (identity) DO UPDATE SET name = excluded.name, machine = excluded.machine, repository = excluded.repository,
                    heartbeat_at = excluded.heartbeat_at, state = excluded.state
                """, arguments: [worker.identity, worker.name, worker.machine, worker.repository, worker.startedAt.storeValue,
                                 worker.heartbeatAt.storeValue, worker.state.rawValue])
            try db.execute(sql: "DELETE FROM worker WHERE heartbeat_at < ?",
                           arguments: [worker.heartbeatAt.storeValue - WorkerBeat.forgottenAfter])
        }
    }

    public func workers() async throws(StoreError) -> [WorkerBeat] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT identity, name, machine, repository, started_at, heartbeat_at, state FROM worker ORDER BY machine, name, identity
                """).map { row in
                WorkerBeat(identity: row["identity"], name: row["name"], machine: row["machine"], repository: row["repository"],
                           startedAt: Date(storeValue: row["started_at"]), heartbeatAt: Date(storeValue: row["heartbeat_at"]),
                           state: WorkerBeat.State(rawValue: row["state"]) ?? .working)
            }
        }
    }
}
