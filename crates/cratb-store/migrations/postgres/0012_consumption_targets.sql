-- The coordinator's consumption targets per sector and indicator (annual programme): a
-- baseline year and a reduction, or a value to reach, by a year; and the national figure the
-- region compares itself with. Without a row: the national target, −25 % against 2019.
CREATE TABLE consumption_targets (
    region_code TEXT NOT NULL REFERENCES regions(code),
    sector TEXT NOT NULL CHECK (sector IN ('ES', 'EMS', 'VILLE')),
    indicator TEXT NOT NULL,
    baseline_year INTEGER NOT NULL,
    reduction_pct DOUBLE PRECISION CHECK (reduction_pct IS NULL OR (reduction_pct >= 0 AND reduction_pct <= 100)),
    target_value DOUBLE PRECISION CHECK (target_value IS NULL OR target_value >= 0),
    target_year INTEGER,
    national_value DOUBLE PRECISION CHECK (national_value IS NULL OR national_value >= 0),
    national_year INTEGER,
    set_by TEXT NOT NULL,
    set_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region_code, sector, indicator)
);
