-- The evidence ledger. Per server and claim, one row per story (its canonical link, else the
-- item's identity), however many feeds or posts carried it; a story a member brings with
-- `/evidence add` merges with the same story shown by the bot. Entries keep their own title and
-- link, so retention pruning news items never empties the ledger.
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    claim_id     TEXT NOT NULL,
    story        TEXT NOT NULL CHECK (story <> ''),
    title        TEXT NOT NULL,
    url          TEXT,
    source       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    -- the member who brought it; NULL for news a post showed
    submitted_by INTEGER,
    -- why it no longer shows beside its claim: enough members, or a moderator, marked it off-topic
    withheld     TEXT CHECK (withheld IN ('members', 'moderator')),
    -- a moderator put it back: member marks no longer withhold it
    kept         INTEGER NOT NULL DEFAULT 0 CHECK (kept IN (0, 1)),
    UNIQUE (guild_id, claim_id, story)
);
-- EVIDENCE_ADD_PER_DAY counts a member's entries of the day.
CREATE INDEX evidence_by_submitter ON evidence (guild_id, submitted_by, added_at);

-- Each member's current mark on an entry: one per member and entry, changeable.
CREATE TABLE evidence_marks (
    evidence_id INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    -- the post whose panel it was marked on; NULL for the stance of a member's own entry
    post_id     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    stance      TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts', 'offtopic')),
    moderator   INTEGER NOT NULL DEFAULT 0 CHECK (moderator IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (evidence_id, user_id)
);

-- Every change of a mark, kept, as votes are.
CREATE TABLE evidence_mark_history (
    id          INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    post_id     INTEGER,
    stance      TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts', 'offtopic')),
    at          TEXT NOT NULL
);
CREATE INDEX evidence_mark_history_by_entry ON evidence_mark_history (evidence_id, user_id);

-- The ledger's entries for the stories already shown in posts.
INSERT INTO evidence (guild_id, claim_id, story, title, url, source, added_at)
    SELECT posts.guild_id, posts.claim_id, COALESCE(items.story_key, items.identity), items.title, items.url, items.source, MIN(posts.created_at)
    FROM post_items JOIN posts ON posts.id = post_items.post_id JOIN items ON items.id = post_items.item_id
    GROUP BY posts.guild_id, posts.claim_id, COALESCE(items.story_key, items.identity);
