-- As migrations/sqlite/0021: items' vectors for semantic matching, one row per item and model
-- (the model, and the document prefix when one is set), deleted by retention once the item is
-- older than the news window. vector is the numbers as little-endian 32-bit floats.
CREATE TABLE item_vectors (
    item_id BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    model   TEXT NOT NULL CHECK (model <> ''),
    vector  BYTEA NOT NULL CHECK (octet_length(vector) > 0 AND octet_length(vector) % 4 = 0),
    PRIMARY KEY (item_id, model)
);

-- As migrations/sqlite/0021: what each stored name's model answered for one fixed text.
CREATE TABLE embedding_models (
    name  TEXT PRIMARY KEY CHECK (name <> ''),
    probe BYTEA NOT NULL CHECK (octet_length(probe) > 0 AND octet_length(probe) % 4 = 0)
);
