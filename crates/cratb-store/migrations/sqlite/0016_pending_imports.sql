-- An import written in several short transactions (SQLite) is `pending` until complete:
-- every reader leaves its rows out, and a pending import left by a crash is removed at start.
ALTER TABLE isolate_imports ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE consumption_imports ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
