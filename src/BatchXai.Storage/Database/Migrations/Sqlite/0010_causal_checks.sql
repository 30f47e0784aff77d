-- Issue 13: the audit's causal check: each suspect region of a class masked on its images, and what that did.
CREATE TABLE causal_checks (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    class_index INTEGER NOT NULL,
    class_name TEXT NOT NULL,
    region TEXT NOT NULL,
    region_kind TEXT NOT NULL,
    method TEXT NOT NULL,
    cluster_index INTEGER NULL,
    box_x0 REAL NULL,
    box_y0 REAL NULL,
    box_x1 REAL NULL,
    box_y1 REAL NULL,
    images_masked INTEGER NOT NULL,
    mean_score REAL NOT NULL,
    mean_score_drop REAL NOT NULL,
    flip_rate REAL NOT NULL,
    inside_fov_share REAL NOT NULL,
    outside_anatomy INTEGER NOT NULL,
    severity TEXT NOT NULL,
    images_json TEXT NOT NULL,
    flipped_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_causal_checks_run_class_region ON causal_checks (run_id, class_index, region);
