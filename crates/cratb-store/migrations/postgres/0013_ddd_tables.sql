-- WHO ATC/DDD tables loaded by a data manager (editions newer than those shipped), in the
-- reference layout (atc, name, ddd, unit, route); shared by every region.
CREATE TABLE ddd_tables (
    edition TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    codes BIGINT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
