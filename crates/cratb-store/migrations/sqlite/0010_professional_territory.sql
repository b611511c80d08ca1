-- The territory (GHT or CPTS) a professional works in.
ALTER TABLE professionals ADD COLUMN territory_id INTEGER REFERENCES territories(id);
