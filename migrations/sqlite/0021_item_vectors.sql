-- Items' vectors for semantic matching (EMBEDDINGS_URL), each embedded once after ingest and
-- kept with its item, so that a restart or a second process does not ask the endpoint again.
-- model names what made the vector (the model, and the document prefix when one is set): a vector
-- of another model counts as missing to this one. One row per item and model, so that two
-- processes configured differently (a rolling deploy, a staging bot) each keep their own instead
-- of replacing each other's. vector is the numbers as little-endian 32-bit floats. Retention
-- deletes an item's rows, of every model, once the item is older than the news window (and with
-- the item, should that come first).
CREATE TABLE item_vectors (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    model   TEXT NOT NULL CHECK (model <> ''),
    vector  BLOB NOT NULL CHECK (length(vector) > 0 AND length(vector) % 4 = 0),
    PRIMARY KEY (item_id, model)
);

-- What each stored name's model answered for one fixed text, when its first vectors were kept: the
-- name is all the bot is told of the model, and a server that starts answering differently under
-- it (a model pulled again under the same tag) makes the stored vectors another model's. The
-- embedder compares, and on a change deletes that name's vectors so the window is embedded again.
CREATE TABLE embedding_models (
    name  TEXT PRIMARY KEY CHECK (name <> ''),
    probe BLOB NOT NULL CHECK (length(probe) > 0 AND length(probe) % 4 = 0)
);
