-- The public tally page of a server that opted in (/digest web enable). The slug is the page's
-- only key: at least 128 random bits, base64url (22 characters or more). Rotating it replaces
-- the row's slug; disabling deletes the row, so an old slug finds nothing.
CREATE TABLE web_sites (
    guild_id   BIGINT PRIMARY KEY REFERENCES guilds (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 22 AND 64),
    indexable  BOOLEAN NOT NULL DEFAULT FALSE,
    enabled_at TEXT NOT NULL
);

-- Members who chose to appear on the site's leaderboard (/me web:show), under the display name
-- they had when they chose it (refreshed when they next use the bot). /me web:hide deletes the row.
CREATE TABLE web_members (
    guild_id     BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL,
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    shown_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
