-- BatchXai results schema, version 1 (SQLite dialect).
CREATE TABLE runs (
    id TEXT NOT NULL PRIMARY KEY,
    status TEXT NOT NULL,
    dataset_uri TEXT NOT NULL,
    model_manifest_uri TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    results_uri TEXT NOT NULL,
    methods TEXT NOT NULL,
    target TEXT NOT NULL,
    class_names_json TEXT NOT NULL,
    expected INTEGER NOT NULL,
    explained INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    error TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT NULL
);

CREATE TABLE image_results (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    image_key TEXT NOT NULL,
    method TEXT NOT NULL,
    label INTEGER NULL,
    predicted INTEGER NOT NULL,
    target_class INTEGER NOT NULL,
    probabilities_json TEXT NOT NULL,
    map_height INTEGER NOT NULL,
    map_width INTEGER NOT NULL,
    map_low_res BLOB NOT NULL,
    map_max REAL NOT NULL,
    map_mean REAL NOT NULL,
    roi_pixels INTEGER NOT NULL,
    roi_ratio REAL NOT NULL,
    roi_x0 INTEGER NOT NULL,
    roi_y0 INTEGER NOT NULL,
    roi_x1 INTEGER NOT NULL,
    roi_y1 INTEGER NOT NULL,
    completeness_delta REAL NULL,
    npy_uri TEXT NOT NULL,
    png_uri TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_image_results_run_key_method ON image_results (run_id, image_key, method);

CREATE TABLE image_failures (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    image_key TEXT NOT NULL,
    stage TEXT NOT NULL,
    error TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_image_failures_run_key ON image_failures (run_id, image_key);

CREATE TABLE class_aggregates (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    method TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    class_name TEXT NOT NULL,
    selection TEXT NOT NULL,
    image_count INTEGER NOT NULL,
    roi_threshold REAL NOT NULL,
    roi_pixels INTEGER NOT NULL,
    roi_ratio REAL NOT NULL,
    roi_x0 INTEGER NOT NULL,
    roi_y0 INTEGER NOT NULL,
    roi_x1 INTEGER NOT NULL,
    roi_y1 INTEGER NOT NULL,
    score_mean REAL NOT NULL,
    score_std REAL NOT NULL,
    score_histogram_json TEXT NOT NULL,
    image_roi_ratio_mean REAL NOT NULL,
    image_roi_ratio_std REAL NOT NULL,
    image_roi_ratio_histogram_json TEXT NOT NULL,
    npy_uri TEXT NOT NULL,
    png_uri TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_class_aggregates_run_method_class ON class_aggregates (run_id, method, class_index);
