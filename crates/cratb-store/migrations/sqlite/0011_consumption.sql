-- Antibiotic consumption: imported files, hospital consumption per establishment, period,
-- ward type, ATC code and route (grams, and DDD under the edition named by the import), and the
-- denominators (patient-days, admissions).
CREATE TABLE consumption_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    kind TEXT NOT NULL CHECK (kind IN ('hospital')),
    filename TEXT NOT NULL,
    ddd_edition TEXT NOT NULL,
    consumption_rows INTEGER NOT NULL,
    denominator_rows INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Fact tables: millions of rows, written only by the importer, which resolves every
-- establishment within the region first; no per-row foreign-key checks (an import's rows are
-- removed by its id).
CREATE TABLE hospital_consumption (
    import_id INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    establishment_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    -- Empty for a yearly figure.
    month INTEGER,
    ward_type TEXT NOT NULL,
    atc TEXT NOT NULL,
    route TEXT NOT NULL,
    grams REAL NOT NULL,
    -- Empty where the ATC code and route have no DDD in grams.
    ddd REAL
);
CREATE INDEX hospital_consumption_establishment ON hospital_consumption(region_code, establishment_id, year);
CREATE INDEX hospital_consumption_import ON hospital_consumption(import_id);

CREATE TABLE hospital_denominators (
    import_id INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    establishment_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER,
    ward_type TEXT NOT NULL,
    patient_days REAL NOT NULL,
    admissions REAL NOT NULL
);
CREATE INDEX hospital_denominators_establishment ON hospital_denominators(region_code, establishment_id, year);
CREATE INDEX hospital_denominators_import ON hospital_denominators(import_id);
