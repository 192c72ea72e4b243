-- As migrations/sqlite/0021: each item's vector for semantic matching, kept with the item. A
-- vector of another model than the configured one counts as missing, and its replacement
-- overwrites it. vector is the numbers as little-endian 32-bit floats.
CREATE TABLE item_vectors (
    item_id BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    model   TEXT NOT NULL CHECK (model <> ''),
    vector  BYTEA NOT NULL CHECK (octet_length(vector) > 0 AND octet_length(vector) % 4 = 0)
);
