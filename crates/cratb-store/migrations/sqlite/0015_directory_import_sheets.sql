-- A directory draft keeps the file as uploaded (bounded by the upload's limit) rather than
-- the table read from it, which a small workbook could expand a hundredfold; the file is
-- read again at each step. Drafts in progress are dropped: they are a day's work at most.
DELETE FROM directory_imports;
ALTER TABLE directory_imports DROP COLUMN data;
ALTER TABLE directory_imports ADD COLUMN sheet BLOB NOT NULL DEFAULT x'';
