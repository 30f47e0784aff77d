-- The batches of each run as published (recorded with the run in one transaction): the
-- coordinator's sweep republishes the images of a stalled run that no row accounts for yet.
CREATE TABLE run_batches (
    run_id uuid NOT NULL REFERENCES runs(id),
    batch_index integer NOT NULL,
    images_json text NOT NULL,
    PRIMARY KEY (run_id, batch_index)
);
-- The sweep looks for runs left running or aggregating without progress.
CREATE INDEX ix_runs_status_updated_at ON runs (status, updated_at);
