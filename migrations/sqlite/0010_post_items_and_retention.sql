-- Which news items each post showed, in the order shown. Retention (ITEM_RETENTION_DAYS) never
-- prunes these: RESTRICT makes the schema itself refuse to delete an item a post showed, so a
-- post's news can always be traced, however old. Deleting a post (a failed reservation released)
-- lets its items go.
CREATE TABLE post_items (
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (post_id, item_id)
);
-- The retention query and the foreign key check on every deleted item look items up here.
CREATE INDEX post_items_by_item ON post_items (item_id);

-- Retention walks items oldest first in small batches, from where the last batch stopped.
CREATE INDEX items_by_time ON items (happened_at, id);
