-- Issue 13: SpRAy's spectral clusters of each class's maps, per run, method and class (cluster 0 the main one).
CREATE TABLE spray_clusters (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    method TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    class_name TEXT NOT NULL,
    cluster_index INTEGER NOT NULL,
    cluster_count INTEGER NOT NULL,
    class_image_count INTEGER NOT NULL,
    size INTEGER NOT NULL,
    eigengap REAL NOT NULL,
    spread REAL NOT NULL,
    distance_to_main REAL NOT NULL,
    candidate INTEGER NOT NULL,
    members_json TEXT NOT NULL,
    grid_side INTEGER NOT NULL,
    mean_map BLOB NOT NULL,
    npy_uri TEXT NOT NULL,
    png_uri TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_spray_clusters_run_method_class_cluster ON spray_clusters (run_id, method, class_index, cluster_index);
