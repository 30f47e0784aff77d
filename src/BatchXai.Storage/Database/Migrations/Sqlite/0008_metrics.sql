-- Issue 12: model metrics of a run, per-image faithfulness metrics, their class summaries, and the
-- trapezoid steps an IG path refined to a completeness target took.
-- model_metrics: metric = accuracy | qwk | macro_f1 | macro_auc (class_index -1), precision | recall | f1 | auc | support
-- (class_index = the class), confusion (class_index = true class, predicted_index = predicted class); value NULL where undefined.
CREATE TABLE model_metrics (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    metric TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    predicted_index INTEGER NOT NULL,
    value REAL NULL,
    images INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_model_metrics_run_metric_class ON model_metrics (run_id, metric, class_index, predicted_index);
-- One metric of one image's map for one method: deletion_auc, insertion_auc, road_morf, road_lerf (p_c curves in curve_json),
-- pointing_hit, mask_energy, roi_iou. target_class is the class the map explains.
CREATE TABLE image_metrics (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    image_key TEXT NOT NULL,
    method TEXT NOT NULL,
    metric TEXT NOT NULL,
    target_class INTEGER NOT NULL,
    value REAL NULL,
    curve_json TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_image_metrics_run_key_method_metric ON image_metrics (run_id, image_key, method, metric);
-- Per method, explained class (-1: all images) and metric: mean and standard deviation over the images.
CREATE TABLE class_metrics (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    method TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    metric TEXT NOT NULL,
    image_count INTEGER NOT NULL,
    mean REAL NULL,
    std REAL NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_class_metrics_run_method_class_metric ON class_metrics (run_id, method, class_index, metric);
-- Model-parameter randomisation (Adebayo et al. 2018): per sampled image, method and cascade step (top layers_randomized
-- weight layers re-drawn, down to top_layer), Spearman of |map| and SSIM against the original map.
CREATE TABLE image_sanity (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    image_key TEXT NOT NULL,
    method TEXT NOT NULL,
    layers_randomized INTEGER NOT NULL,
    top_layer TEXT NOT NULL,
    total_layers INTEGER NOT NULL,
    spearman REAL NULL,
    ssim REAL NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_image_sanity_run_key_method_layers ON image_sanity (run_id, image_key, method, layers_randomized);
ALTER TABLE image_results ADD COLUMN path_steps INTEGER NULL;
