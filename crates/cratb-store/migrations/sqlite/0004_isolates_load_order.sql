-- A region's isolates are loaded in import order: serve that from an index.
CREATE INDEX isolates_region_id ON isolates(region_code, id);
