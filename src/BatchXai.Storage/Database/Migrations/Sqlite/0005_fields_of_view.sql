-- Per-image field of view in model-input pixels, detected by the worker from the prepared image
-- (manifest input.fieldOfView); the artefact audit measures attribution outside it.
-- kind: detected_disc (center_x, center_y, radius), detected_foreground (mask: bit-packed, row-major,
-- pixel i in bit i % 8 of byte i / 8), frame. Images without a row fall back to the inscribed disc.
CREATE TABLE image_fields_of_view (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    image_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    height INTEGER NOT NULL,
    width INTEGER NOT NULL,
    center_x REAL NOT NULL,
    center_y REAL NOT NULL,
    radius REAL NOT NULL,
    inside_fraction REAL NOT NULL,
    mask BLOB NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_image_fields_of_view_run_key ON image_fields_of_view (run_id, image_key);
