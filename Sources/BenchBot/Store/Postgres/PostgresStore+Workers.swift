import Foundation
import PostgresNIO

extension PostgresStore {
    public func beat(_ worker: WorkerBeat) async throws(StoreError) {
        let started = worker.startedAt.storeValue, beat = worker.heartbeatAt.storeValue, state = worker.state.rawValue
        let forgotten = beat - WorkerBeat.forgottenAfter
        try await transaction { connection, logger in
            try await connection.query("""
                INSERT INTO worker (identity, name, machine, repository, started_at, heartbeat_at, state)
                VALUES (\(worker.identity), \(worker.name), \(worker.machine), \(worker.repository), \(started), \(beat), \(state))
                ON CONFLICT (identity) DO UPDATE SET name = excluded.name, machine = excluded.machine, repository = excluded.repository,
                    heartbeat_at = excluded.heartbeat_at, state = excluded.state
                """, logger: logger)
            try await connection.query("DELETE FROM worker WHERE heartbeat_at < \(forgotten)", logger: logger)
        }
    }

    public func workers() async throws(StoreError) -> [WorkerBeat] {
        try await transaction { connection, logger in
            var workers: [WorkerBeat] = []
            let rows = try await connection.query("""
                SELECT identity, name, machine, repository, started_at, heartbeat_at, state FROM worker ORDER BY machine, name, identity
                """, logger: logger)
            for try await (identity, name, machine, repository, started, beat, state)
                in rows.decode((String, String, String, String, Double, Double, String).self) {
                workers.append(WorkerBeat(identity: identity, name: name, machine: machine, repository: repository,
                                          startedAt: Date(storeValue: started), heartbeatAt: Date(storeValue: beat),
                                          state: WorkerBeat.State(rawValue: state) ?? .working))
            }
            return workers
        }
    }
}
