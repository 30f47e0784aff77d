-- Multi-label (sigmoid) heads with --metrics: a multi-label run has one map per (image, method, finding), so its
-- faithfulness metrics are one per (image, method, finding, metric) — target_class is the finding whose sigmoid
-- probability the curves follow — and its randomisation checks one per (image, method, finding, cascade step).
DROP INDEX ux_image_metrics_run_key_method_metric;
CREATE UNIQUE INDEX ux_image_metrics_run_key_method_target_metric ON image_metrics (run_id, image_key, method, target_class, metric);
ALTER TABLE image_sanity ADD COLUMN target_class INTEGER NOT NULL DEFAULT -1;
DROP INDEX ux_image_sanity_run_key_method_layers;
CREATE UNIQUE INDEX ux_image_sanity_run_key_method_target_layers ON image_sanity (run_id, image_key, method, target_class, layers_randomized);
