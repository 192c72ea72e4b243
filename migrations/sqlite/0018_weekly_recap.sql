-- The weekly recap (/digest setup recap:): its weekday (0 Monday ... 6 Sunday), NULL when the
-- server has not opted in; and one row per server and ISO week, reserved before sending as the
-- daily post is, so that a recap goes out once through restarts and retries.
ALTER TABLE guilds ADD COLUMN recap_day INTEGER CHECK (recap_day BETWEEN 0 AND 6);

CREATE TABLE recaps (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    week        TEXT NOT NULL,  -- ISO week of the recap's local date, e.g. 2026-W49
    local_date  TEXT NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    nonce       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('reserved', 'sent', 'failed')),
    error       TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (guild_id, week)
);
