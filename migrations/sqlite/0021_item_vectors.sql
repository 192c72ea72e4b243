-- Each item's vector for semantic matching (EMBEDDINGS_URL), embedded once after ingest and
-- kept with the item, so that a restart or a second process does not ask the endpoint again.
-- One vector per item: model names the model that made it, and a vector of another model counts
-- as missing, so a change of model embeds the window again and each new vector replaces the old.
-- vector is the numbers as little-endian 32-bit floats. The row goes with its item when retention
-- deletes the item.
CREATE TABLE item_vectors (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    model   TEXT NOT NULL CHECK (model <> ''),
    vector  BLOB NOT NULL CHECK (length(vector) > 0 AND length(vector) % 4 = 0)
);
