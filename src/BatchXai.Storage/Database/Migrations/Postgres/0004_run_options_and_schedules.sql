-- Distributed mode: what a run was asked for (batch size, method options, incremental), the
-- schedule that started it, recurring schedules, and the lookup of images already explained
-- with a model and method by content hash (incremental runs skip those). Runs stored before
-- this version get options_json '' (no braces: migrations run through EF's raw SQL, which formats them).
ALTER TABLE runs ADD COLUMN options_json text NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN schedule_id uuid NULL;

CREATE TABLE schedules (
    id uuid NOT NULL PRIMARY KEY,
    name text NOT NULL,
    cron text NOT NULL,
    request_json text NOT NULL,
    enabled boolean NOT NULL,
    last_fired_at timestamptz NULL,
    last_run_id uuid NULL,
    last_outcome text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_schedules_name ON schedules (name);

CREATE INDEX ix_image_results_content_method ON image_results (content_sha256, method);
