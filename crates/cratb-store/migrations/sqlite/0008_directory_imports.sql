-- A spreadsheet being imported into the directory, kept between the upload, the column
-- mapping and the commit (removed once committed or abandoned for a day).
CREATE TABLE directory_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    -- The sheet as read: {"header": [...], "rows": [[...], ...]}.
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
