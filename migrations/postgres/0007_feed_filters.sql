-- A server's word filter on one of its feeds (/feeds filter), as JSON:
-- {"include": [...], "exclude": [...]}. NULL when the server set none. Kept as text, as SQLite
-- keeps it, so that one query reads both; the check refuses anything but a JSON object.
ALTER TABLE guild_feeds ADD COLUMN filter TEXT CHECK (filter IS NULL OR jsonb_typeof(filter::jsonb) = 'object');
