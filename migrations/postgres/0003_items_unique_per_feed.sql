-- An item's identity is unique within its feed, as in migrations/sqlite/0007: keyed by feed
-- first, a fetch's new items land in one region of the index.
ALTER TABLE items DROP CONSTRAINT items_identity_key;
ALTER TABLE items ADD CONSTRAINT items_feed_identity_key UNIQUE (feed_id, identity);
