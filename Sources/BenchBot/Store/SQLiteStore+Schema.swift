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
        return migrator
    }
}
