-- Multi-label (sigmoid) heads: one map per (image, method, finding). A row's target_class is the
-- finding its map explains; the image's labelled and thresholded findings travel with each row
-- (JSON arrays of class indices; null on single-label runs) so the class views can pick each
-- finding's positive images.
ALTER TABLE image_results ADD COLUMN label_findings_json TEXT NULL;
ALTER TABLE image_results ADD COLUMN predicted_findings_json TEXT NULL;
DROP INDEX ux_image_results_run_key_method;
CREATE UNIQUE INDEX ux_image_results_run_key_method_target ON image_results (run_id, image_key, method, target_class);
