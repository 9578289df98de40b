import Compare
import Foundation
import GRDB

extension SQLiteStore {
    /// The schema, one migration per released change; never edit a migration once shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: repositories, commits, jobs, runs, results") { db in
            try db.execute(sql: """
                CREATE TABLE repository (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    url TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE commit_info (
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    sha TEXT NOT NULL,
                    parents TEXT NOT NULL,
                    author_name TEXT NOT NULL,
                    author_email TEXT NOT NULL,
                    author_time REAL NOT NULL,
                    subject TEXT NOT NULL,
                    PRIMARY KEY (repository_id, sha)
                ) WITHOUT ROWID;
                CREATE TABLE job (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    sha TEXT NOT NULL,
                    suite TEXT NOT NULL,
                    machine TEXT NOT NULL,
                    branch TEXT,
                    remote_url TEXT,
                    source TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
                    priority INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    enqueued_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    message TEXT,
                    UNIQUE (repository_id, sha, suite, machine)
                );
                CREATE INDEX job_by_queue ON job (machine, state, priority DESC, id);
                CREATE TABLE branch_tip (
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    branch TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (repository_id, branch)
                ) WITHOUT ROWID;
                CREATE TABLE run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id INTEGER NOT NULL REFERENCES job(id),
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    sha TEXT NOT NULL,
                    suite TEXT NOT NULL,
                    machine TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL NOT NULL,
                    environment TEXT NOT NULL
                );
                CREATE INDEX run_by_commit ON run (repository_id, sha);
                CREATE TABLE result (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    benchmark TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    samples TEXT NOT NULL
                );
                CREATE INDEX result_by_run ON result (run_id);
                """)
        }
        migrator.registerMigration("v2: experiment outcomes per run") { db in
            try db.execute(sql: "ALTER TABLE run ADD COLUMN experiments TEXT NOT NULL DEFAULT '[]'")
        }
        migrator.registerMigration("v3: a noise summary per result") { db in
            try db.execute(sql: """
                ALTER TABLE result ADD COLUMN sample_count INTEGER;
                ALTER TABLE result ADD COLUMN median REAL;
                ALTER TABLE result ADD COLUMN mean REAL;
                ALTER TABLE result ADD COLUMN standard_deviation REAL;
                ALTER TABLE result ADD COLUMN minimum REAL;
                ALTER TABLE result ADD COLUMN maximum REAL;
                ALTER TABLE result ADD COLUMN coefficient_of_variation REAL;
                ALTER TABLE result ADD COLUMN minimum_detectable_change REAL;
                ALTER TABLE result ADD COLUMN too_noisy INTEGER;
                """)
            // Results stored before v3 get their summaries now, from their own samples.
            let rows = try Row.fetchAll(db, sql: "SELECT id, samples FROM result")
            for row in rows {
                let text: String = row["samples"]
                guard case .array(let items)? = try? JSONValue.parse(Data(text.utf8)) else { continue }
                let samples = items.compactMap { item -> Double? in if case .number(let number) = item { number } else { nil } }
                try db.execute(sql: "UPDATE result SET \(NoiseColumns.assignments) WHERE id = ?",
                               arguments: NoiseColumns(samples).arguments + [row["id"]])
            }
        }
        migrator.registerMigration("v4: telemetry per run and experiment") { db in
            try db.execute(sql: """
                CREATE TABLE telemetry (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    experiment TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('cpu', 'gpu')),
                    document TEXT NOT NULL
                );
                CREATE INDEX telemetry_by_run ON telemetry (run_id);
                """)
        }
        migrator.registerMigration("v5: change points, each reported once") { db in
            try db.execute(sql: """
                CREATE TABLE change_point (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    machine TEXT NOT NULL,
                    benchmark TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('regression', 'improvement')),
                    unit TEXT NOT NULL,
                    before REAL NOT NULL,
                    after REAL NOT NULL,
                    p_value REAL NOT NULL,
                    detected_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    UNIQUE (repository_id, machine, benchmark, sha)
                );
                CREATE INDEX change_point_by_benchmark ON change_point (repository_id, machine, benchmark);
                """)
        }
        migrator.registerMigration("v6: paired A/B jobs") { db in
            try db.execute(sql: """
                ALTER TABLE job ADD COLUMN baseline_sha TEXT;
                ALTER TABLE run ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('candidate', 'baseline'));
                CREATE INDEX run_by_job ON run (job_id);
                """)
        }
        migrator.registerMigration("v7: the rounds of paired results") { db in
            // A JSON array of how many samples each round gave; NULL for results of ordinary runs.
            try db.execute(sql: "ALTER TABLE result ADD COLUMN rounds TEXT")
        }
        migrator.registerMigration("v8: the outbox of notifications") { db in
            try db.execute(sql: """
                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE,
                    destination TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    body BLOB NOT NULL,
                    run_id INTEGER REFERENCES run(id),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'written', 'failed', 'uncertain')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    queued_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    last_error TEXT,
                    interrupted INTEGER NOT NULL DEFAULT 0,
                    finished_at REAL
                );
                CREATE INDEX notification_due ON notification (state, next_attempt_at);
                """)
        }
        migrator.registerMigration("v9: notification topics, threads and receipts; pull requests") { db in
            // SQLite cannot change a CHECK constraint in place: the table is built anew.
            try db.execute(sql: """
                CREATE TABLE notification_v9 (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE,
                    destination TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    body BLOB NOT NULL,
                    run_id INTEGER REFERENCES run(id),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'written', 'failed', 'uncertain', 'superseded')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    queued_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    last_error TEXT,
                    interrupted INTEGER NOT NULL DEFAULT 0,
                    finished_at REAL,
                    topic TEXT,
                    thread_parent TEXT,
                    receipt TEXT
                );
                INSERT INTO notification_v9 (id, key, destination, kind, body, run_id, state, attempts, queued_at, next_attempt_at,
                                             lease_owner, lease_expires_at, last_error, interrupted, finished_at)
                    SELECT id, key, destination, kind, body, run_id, state, attempts, queued_at, next_attempt_at,
                           lease_owner, lease_expires_at, last_error, interrupted, finished_at FROM notification;
                DROP TABLE notification;
                ALTER TABLE notification_v9 RENAME TO notification;
                CREATE INDEX notification_due ON notification (state, next_attempt_at);
                CREATE INDEX notification_by_topic ON notification (topic, state);
                ALTER TABLE job ADD COLUMN pull_request INTEGER;
                """)
        }
        migrator.registerMigration("v10: imports are idempotent per commit and file content") { db in
            // Rerunning an interrupted import of many files must not store the done ones twice.
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN import_digest TEXT;
                CREATE UNIQUE INDEX run_by_import ON run (job_id, import_digest) WHERE import_digest IS NOT NULL;
                """)
        }
        migrator.registerMigration("v11: GitHub webhook deliveries, untrusted jobs, bisections asked for in pull requests, HTTP caches") { db in
            // A delivery is kept with its body before GitHub is answered, so one accepted while the
            // server dies is applied after the restart; its id makes a redelivery a no-op.
            try db.execute(sql: """
                CREATE TABLE webhook_delivery (
                    id TEXT PRIMARY KEY,
                    event TEXT NOT NULL,
                    action TEXT,
                    body BLOB NOT NULL,
                    received_at REAL NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('received', 'processed', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    processed_at REAL,
                    outcome TEXT
                );
                CREATE INDEX webhook_delivery_due ON webhook_delivery (state, next_attempt_at);
                ALTER TABLE job ADD COLUMN untrusted INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE job ADD COLUMN experiments TEXT;
                CREATE INDEX job_by_pull_request ON job (pull_request, state) WHERE pull_request IS NOT NULL;
                CREATE TABLE bisection (
                    id INTEGER PRIMARY KEY,
                    pull_request INTEGER NOT NULL,
                    comment_id INTEGER NOT NULL UNIQUE,
                    benchmark TEXT NOT NULL,
                    good_sha TEXT NOT NULL,
                    bad_sha TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'done')),
                    result TEXT,
                    created_at REAL NOT NULL,
                    finished_at REAL
                );
                CREATE TABLE github_command (
                    key TEXT PRIMARY KEY,
                    obeyed_at REAL NOT NULL
                );
                CREATE TABLE http_cache (
                    key TEXT PRIMARY KEY,
                    etag TEXT NOT NULL,
                    body BLOB NOT NULL,
                    updated_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v12: suspected changes held until a paired A/B job confirms them") { db in
            // One suspect per commit, benchmark and kind: a run-to-run alert and a change point that
            // agree are decided, and announced, once.
            try db.execute(sql: """
                CREATE TABLE suspect (
                    id INTEGER PRIMARY KEY,
                    repository_id INTEGER NOT NULL REFERENCES repository (id),
                    machine TEXT NOT NULL,
                    sha TEXT NOT NULL,
                    benchmark TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    origin TEXT NOT NULL CHECK (origin IN ('run', 'change')),
                    baseline_sha TEXT,
                    run_job_id INTEGER,
                    state TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'refuted')),
                    confirmation_job_id INTEGER REFERENCES job (id),
                    ratio REAL,
                    confirmed_ratio REAL,
                    created_at REAL NOT NULL,
                    resolved_at REAL,
                    UNIQUE (repository_id, machine, sha, benchmark, kind)
                );
                CREATE INDEX suspect_by_confirmation ON suspect (confirmation_job_id, state);
                """)
            // Change points found before confirmation existed were announced already.
            try db.execute(sql: """
                INSERT OR IGNORE INTO suspect (repository_id, machine, sha, benchmark, kind, origin, state, ratio, created_at, resolved_at)
                SELECT repository_id, machine, sha, benchmark, kind, 'change', 'confirmed', after / before, detected_at, detected_at
                FROM change_point WHERE before != 0
                """)
        }
        migrator.registerMigration("v13: a delivery's body kept apart from its state") { db in
            // Applying a delivery changes its state, and SQLite rewrites a whole row on any change:
            // with the body (10 KB and more) beside the state, each update copied it again into the
            // log, and the writer those copies kept busy is the one GitHub's next delivery waits for.
            try db.execute(sql: """
                CREATE TABLE webhook_body (
                    id TEXT PRIMARY KEY REFERENCES webhook_delivery (id),
                    body BLOB NOT NULL
                );
                INSERT INTO webhook_body (id, body) SELECT id, body FROM webhook_delivery;
                ALTER TABLE webhook_delivery DROP COLUMN body;
                """)
        }
        migrator.registerMigration("v14: deliveries admitted from the intake") { db in
            // New deliveries are kept in the intake file beside the store, their payloads with them
            // (`DeliveryIntake`); the store records how far it admitted each intake, in the same
            // transaction as the admitted rows, so none is admitted twice or skipped.
            try db.execute(sql: """
                CREATE TABLE intake_admission (
                    intake TEXT PRIMARY KEY,
                    admitted_through INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v15: every worker's last beat") { db in
            // Which job a worker holds stays in the job's lease: the beat is written apart from
            // it, so that beating never lengthens a lease's transaction.
            try db.execute(sql: """
                CREATE TABLE worker (
                    identity TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    machine TEXT NOT NULL,
                    repository TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    heartbeat_at REAL NOT NULL,
                    state TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v16: the queue's partial indexes") { db in
            // A lease's two looks (the next queued job, leases that ran out) read only the rows
            // they are about, not every job ever run.
            for index in StoreSchema.indexes where index.since == 3 {
                try db.execute(sql: index.definition)
            }
        }
        return migrator
    }
}

/// The noise summary of one result as the store keeps it, so that queries need not decode samples.
struct NoiseColumns: Sendable {
    static let names = ["sample_count", "median", "mean", "standard_deviation", "minimum", "maximum",
                        "coefficient_of_variation", "minimum_detectable_change", "too_noisy"]
    static let assignments = names.map { "\($0) = ?" }.joined(separator: ", ")

    let assessment: NoiseAssessment?

    init(_ samples: [Double]) {
        assessment = SampleSummary(samples).map(NoiseAssessment.init)
    }

    var arguments: StatementArguments {
        guard let assessment else { return StatementArguments(Array(repeating: DatabaseValue.null, count: Self.names.count)) }
        let summary = assessment.summary
        return [summary.count, summary.median, summary.mean, summary.standardDeviation, summary.minimum, summary.maximum,
                summary.coefficientOfVariation, assessment.minimumDetectableChange, !assessment.canResolve()]
    }

    /// Reads the columns back; `nil` for a result stored without samples.
    /// A statistic an older version computed as NaN (samples near ±1.8e308) was stored as NULL:
    /// that summary is unknown, and reading it must not trap.
    static func assessment(from row: Row) -> NoiseAssessment? {
        guard let count: Int = row["sample_count"] else { return nil }
        guard let minimum: Double = row["minimum"], let maximum: Double = row["maximum"], let mean: Double = row["mean"],
              let median: Double = row["median"], let deviation: Double = row["standard_deviation"] else { return nil }
        return NoiseAssessment(SampleSummary(count: count, minimum: minimum, maximum: maximum, mean: mean,
                                             median: median, standardDeviation: deviation))
    }
}
