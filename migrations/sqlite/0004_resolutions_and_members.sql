-- A moderator's resolution of a prediction in one server.
CREATE TABLE resolutions (
    guild_id    INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    claim_id    TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('yes', 'no', 'unclear')),
    note        TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER NOT NULL,
    resolved_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, claim_id)
);

-- Members who asked not to appear on the leaderboard.
CREATE TABLE hidden_members (
    guild_id INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
