-- A server's word filter on one of its feeds (/feeds filter), as JSON:
-- {"include": [...], "exclude": [...]}. NULL when the server set none.
ALTER TABLE guild_feeds ADD COLUMN filter TEXT CHECK (filter IS NULL OR (json_valid(filter) AND json_type(filter) = 'object'));
