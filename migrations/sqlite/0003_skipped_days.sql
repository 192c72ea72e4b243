-- Days whose post was missed by more than the grace window (the bot was down): recorded, not
-- posted late. One row per server and local date.
CREATE TABLE skipped_days (
    guild_id   INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, local_date)
);
