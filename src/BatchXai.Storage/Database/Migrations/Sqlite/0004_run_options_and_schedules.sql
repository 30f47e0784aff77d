-- Distributed mode: what a run was asked for (batch size, method options, incremental), the
-- schedule that started it, recurring schedules, and the lookup of images already explained
-- with a model and method by content hash (incremental runs skip those). Runs stored before
-- this version get options_json '' (no braces: migrations run through EF's raw SQL, which formats them).
ALTER TABLE runs ADD COLUMN options_json TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN schedule_id TEXT NULL;

CREATE TABLE schedules (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    cron TEXT NOT NULL,
    request_json TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    last_fired_at TEXT NULL,
    last_run_id TEXT NULL,
    last_outcome TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_schedules_name ON schedules (name);

CREATE INDEX ix_image_results_content_method ON image_results (content_sha256, method);
