-- The feeds that carry a story besides the one it is stored under. A story (one story_key) is
-- stored once, under the first feed that brought it; each further feed that brings it gets a
-- row here, so that a server following only that feed still sees the story, and the feed's counts
-- include it. There is nothing to backfill: until now the second sighting was skipped without a
-- trace. A story stored before this migration reaches its other feeds once they bring it again
-- (each fetch records what it carries).
--
-- happened_at is the item's own, copied so that the news window reads a feed's links by time, in
-- key order, as it reads the feed's items; the foreign key on (happened_at, item_id) keeps the
-- copy true and takes the links with their item when retention deletes it. source is the name
-- the linking feed goes by, which servers reading the story through it are shown.
DROP INDEX items_by_time;
CREATE UNIQUE INDEX items_by_time ON items (happened_at, id);

CREATE TABLE item_feeds (
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    happened_at TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (feed_id, happened_at, item_id),
    UNIQUE (item_id, feed_id),
    FOREIGN KEY (happened_at, item_id) REFERENCES items (happened_at, id) ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- A story is never linked to the feed it is stored under: that feed reaches it already, and a
-- window over both would show it twice.
CREATE TRIGGER item_feeds_not_home BEFORE INSERT ON item_feeds
WHEN NEW.feed_id = (SELECT feed_id FROM items WHERE id = NEW.item_id)
BEGIN
    SELECT RAISE(ABORT, 'a story is not linked to the feed it is stored under');
END;

-- An item moved to another feed (below) is stored under it now: its link to that feed goes.
CREATE TRIGGER items_rehomed AFTER UPDATE OF feed_id ON items
BEGIN
    DELETE FROM item_feeds WHERE item_id = NEW.id AND feed_id = NEW.feed_id;
END;

-- A deleted feed takes its items with it (ON DELETE CASCADE), but not the stories another feed
-- carries: each first moves to the lowest such feed, under that feed's name.
CREATE TRIGGER feeds_deleted_rehome_items BEFORE DELETE ON feeds
BEGIN
    UPDATE items SET (feed_id, source) = (
        SELECT l.feed_id, l.source FROM item_feeds l
        WHERE l.item_id = items.id AND l.feed_id <> OLD.id ORDER BY l.feed_id LIMIT 1)
    WHERE feed_id = OLD.id
      AND EXISTS (SELECT 1 FROM item_feeds l WHERE l.item_id = items.id AND l.feed_id <> OLD.id);
END;
