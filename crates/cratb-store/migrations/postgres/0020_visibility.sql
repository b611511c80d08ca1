-- The reporting threshold of a region's resistance results: the least number of isolates a
-- share is published on, set by the region's coordinator. Without a row: 30.
CREATE TABLE region_settings (
    region_code TEXT PRIMARY KEY REFERENCES regions(code),
    reporting_floor INTEGER NOT NULL CHECK (reporting_floor >= 1 AND reporting_floor <= 1000),
    set_by TEXT NOT NULL,
    set_at TIMESTAMPTZ NOT NULL
);
