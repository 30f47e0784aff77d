-- Findings of the artefact (Clever Hans) audit: one row per run, method, class and kind of check.
CREATE TABLE audit_findings (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    method TEXT NOT NULL,
    class_index INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_audit_findings_run_method_class_kind ON audit_findings (run_id, method, class_index, kind);
