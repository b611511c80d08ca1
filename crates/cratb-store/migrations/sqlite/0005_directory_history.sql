-- Every version of a directory entry: who changed what, when; any version can be restored.
CREATE TABLE professional_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    UNIQUE (professional_id, version)
);
