-- Resistance surveillance: imported susceptibility files and their isolates.
-- Patients are pseudonymised at import: `patient_key` is a keyed hash (HMAC-SHA-256 with the
-- installation's secret, in `settings`) of the laboratory's identifier, never the identifier.

CREATE TABLE isolate_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    establishment_id INTEGER REFERENCES establishments(id),
    filename TEXT NOT NULL,
    guideline TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL,
    imported_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX isolate_imports_region ON isolate_imports(region_code, created_at);

CREATE TABLE isolates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id INTEGER NOT NULL REFERENCES isolate_imports(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    establishment_id INTEGER REFERENCES establishments(id),
    patient_key TEXT NOT NULL,
    specimen_date TEXT NOT NULL,
    organism TEXT NOT NULL,
    specimen TEXT NOT NULL DEFAULT '',
    ward_type TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL DEFAULT '',
    age INTEGER,
    sex TEXT NOT NULL DEFAULT '',
    -- Interpreted categories, `AMX=R;CTX=S`.
    results TEXT NOT NULL
);
CREATE INDEX isolates_region ON isolates(region_code, specimen_date);
CREATE INDEX isolates_import ON isolates(import_id);
