-- As migrations/sqlite/0020: the feeds that carry a story besides the one it is stored under.
-- There is nothing to backfill: until now the second sighting was skipped without a trace; a
-- story stored before this migration reaches its other feeds once they bring it again.
-- happened_at is the item's own, copied so that the news window reads a feed's links by time; the
-- foreign key on (happened_at, item_id) keeps the copy true and takes the links with their item.
DROP INDEX items_by_time;
CREATE UNIQUE INDEX items_by_time ON items (happened_at, id);

CREATE TABLE item_feeds (
    feed_id     BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    happened_at TEXT NOT NULL,
    item_id     BIGINT NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (feed_id, happened_at, item_id),
    UNIQUE (item_id, feed_id),
    FOREIGN KEY (happened_at, item_id) REFERENCES items (happened_at, id) ON DELETE CASCADE ON UPDATE CASCADE
);

-- A story is never linked to the feed it is stored under: that feed reaches it already, and a
-- window over both would show it twice.
CREATE FUNCTION item_feeds_not_home() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.feed_id = (SELECT feed_id FROM items WHERE id = NEW.item_id) THEN
        RAISE EXCEPTION 'a story is not linked to the feed it is stored under';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER item_feeds_not_home BEFORE INSERT ON item_feeds
    FOR EACH ROW EXECUTE FUNCTION item_feeds_not_home();

-- An item moved to another feed (below) is stored under it now: its link to that feed goes.
CREATE FUNCTION items_rehomed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_feeds WHERE item_id = NEW.id AND feed_id = NEW.feed_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER items_rehomed AFTER UPDATE OF feed_id ON items
    FOR EACH ROW EXECUTE FUNCTION items_rehomed();

-- A deleted feed takes its items with it (ON DELETE CASCADE), but not the stories another feed
-- carries: each first moves to the lowest such feed, under that feed's name.
CREATE FUNCTION feeds_deleted_rehome_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE items SET (feed_id, source) = (
        SELECT l.feed_id, l.source FROM item_feeds l
        WHERE l.item_id = items.id AND l.feed_id <> OLD.id ORDER BY l.feed_id LIMIT 1)
    WHERE feed_id = OLD.id
      AND EXISTS (SELECT 1 FROM item_feeds l WHERE l.item_id = items.id AND l.feed_id <> OLD.id);
    RETURN OLD;
END
$$;
CREATE TRIGGER feeds_deleted_rehome_items BEFORE DELETE ON feeds
    FOR EACH ROW EXECUTE FUNCTION feeds_deleted_rehome_items();
