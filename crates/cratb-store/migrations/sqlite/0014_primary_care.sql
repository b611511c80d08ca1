-- Primary care (ville): dispensations per territory of a region (the region itself, one of its
-- departments, or one of its CPTS: `region`, `dep:38`, `cpts:<territory id>`) and the
-- populations that are their denominators.
CREATE TABLE primary_care_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    kind TEXT NOT NULL CHECK (kind IN ('dispensations', 'populations')),
    filename TEXT NOT NULL,
    rows_imported INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE primary_care_dispensations (
    import_id INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    territory TEXT NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER,
    atc TEXT NOT NULL,
    ddd REAL NOT NULL,
    prescriptions REAL,
    age_group TEXT,
    sex TEXT,
    prescriber TEXT
);
CREATE INDEX primary_care_dispensations_territory ON primary_care_dispensations(region_code, territory, year);

CREATE TABLE populations (
    region_code TEXT NOT NULL REFERENCES regions(code),
    territory TEXT NOT NULL,
    year INTEGER NOT NULL,
    population REAL NOT NULL CHECK (population >= 1),
    PRIMARY KEY (region_code, territory, year)
);
