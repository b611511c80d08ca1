-- The territory (GHT or CPTS) a professional works in.
ALTER TABLE professionals ADD COLUMN territory_id BIGINT REFERENCES territories(id);
