-- The role a server's daily post mentions (/digest setup ping_role:), until a moderator turns it
-- off (/digest ping off). NULL: the post mentions no one.
ALTER TABLE guilds ADD COLUMN ping_role_id BIGINT;
