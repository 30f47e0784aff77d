-- CLEAR's class view: per run, method, class of images and dominant class, how much that class dominates.
CREATE TABLE class_dominance (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    method TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    class_name TEXT NOT NULL,
    selection TEXT NOT NULL,
    dominant_class INTEGER NOT NULL,
    dominant_class_name TEXT NOT NULL,
    image_count INTEGER NOT NULL,
    fov_pixel_share REAL NOT NULL,
    attentive_pixel_share REAL NOT NULL,
    images_dominated INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_class_dominance_run_method_class_dominant ON class_dominance (run_id, method, class_index, dominant_class);
