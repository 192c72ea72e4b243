-- An item's identity is unique within its feed (guid and hash identities already include the
-- feed; a link seen through two feeds is caught by the UNIQUE story_key). Keyed by feed first,
-- a fetch's new items land in one region of the index instead of at random places all over it,
-- which made storing, not parsing, the cost of ingestion. SQLite cannot drop a column's UNIQUE,
-- so the table is rebuilt.
CREATE TABLE items_by_feed (
    id           INTEGER PRIMARY KEY,
    identity     TEXT NOT NULL,
    story_key    TEXT UNIQUE,
    feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    title        TEXT NOT NULL,
    url          TEXT,
    summary      TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    seen_at      TEXT NOT NULL,
    happened_at  TEXT NOT NULL,
    UNIQUE (feed_id, identity)
);
INSERT INTO items_by_feed (id, identity, story_key, feed_id, source, title, url, summary, published_at, seen_at, happened_at)
    SELECT id, identity, story_key, feed_id, source, title, url, summary, published_at, seen_at, happened_at FROM items;
DROP TABLE items;
ALTER TABLE items_by_feed RENAME TO items;
CREATE INDEX items_by_feed_and_time ON items (feed_id, happened_at);
