-- The yearly confirmation campaign: one signed link per professional, usable once, and the
-- corrections sent through it, which wait for the secretary's approval.
CREATE TABLE confirmation_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    recipients INTEGER NOT NULL
);

CREATE TABLE confirmation_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    -- Set when a later campaign replaces the link.
    revoked_at TEXT
);
CREATE INDEX confirmation_links_region ON confirmation_links(region_code, used_at);

CREATE TABLE pending_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    professional_id INTEGER NOT NULL REFERENCES professionals(id),
    region_code TEXT NOT NULL REFERENCES regions(code),
    -- The entry as the professional wants it (a version snapshot, JSON).
    data TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX pending_changes_region ON pending_changes(region_code, status);
