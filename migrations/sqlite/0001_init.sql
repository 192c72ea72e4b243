-- claim-digest schema. Invariants live here: one post per server per local date, one current
-- vote per member per post, one row per feed URL, one row per story.

CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    title           TEXT,
    etag            TEXT,
    last_modified   TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at TEXT,
    disabled_reason TEXT
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    -- guid (scoped to its feed), else canonical link, else hash of title and date
    identity     TEXT NOT NULL UNIQUE,
    -- the same story reached through several feeds is stored once
    story_key    TEXT UNIQUE,
    feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    title        TEXT NOT NULL,
    url          TEXT,
    summary      TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    seen_at      TEXT NOT NULL,
    -- publication date, else first seen: what windows and recency use
    happened_at  TEXT NOT NULL
);
CREATE INDEX items_by_feed_and_time ON items (feed_id, happened_at);

CREATE TABLE guilds (
    id                INTEGER PRIMARY KEY,  -- Discord snowflake
    channel_id        INTEGER,
    post_time         TEXT NOT NULL DEFAULT '09:00',
    timezone          TEXT NOT NULL DEFAULT 'UTC',
    language          TEXT NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
    news_count        INTEGER NOT NULL DEFAULT 3 CHECK (news_count BETWEEN 1 AND 5),
    thread            INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),
    moderator_role_id INTEGER,
    paused            INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    broken_reason     TEXT,
    created_at        TEXT NOT NULL
);

CREATE TABLE guild_feeds (
    guild_id INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    feed_id  INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    PRIMARY KEY (guild_id, feed_id)
);

CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL,
    claim_id    TEXT NOT NULL,
    round       INTEGER NOT NULL CHECK (round >= 1),
    question    TEXT NOT NULL CHECK (question IN ('stance', 'verdict')),
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    nonce       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('reserved', 'sent', 'failed')),
    error       TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    UNIQUE (guild_id, local_date),
    UNIQUE (guild_id, claim_id, round)
);
CREATE INDEX posts_by_message ON posts (message_id);

CREATE TABLE votes (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    choice     TEXT NOT NULL CHECK (choice IN ('agree', 'disagree', 'unsure', 'yes', 'no', 'early')),
    source     TEXT NOT NULL CHECK (source IN ('button', 'reaction')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

-- Every change of a vote, kept: choice NULL means withdrawn (a reaction removed).
CREATE TABLE vote_history (
    id      INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    choice  TEXT CHECK (choice IN ('agree', 'disagree', 'unsure', 'yes', 'no', 'early')),
    source  TEXT NOT NULL CHECK (source IN ('button', 'reaction')),
    at      TEXT NOT NULL
);
CREATE INDEX vote_history_by_post ON vote_history (post_id, user_id);
