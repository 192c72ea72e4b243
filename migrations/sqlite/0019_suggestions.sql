-- Members' suggestions (/claim suggest): a claim filed for one server's moderators, in one
-- language or both. Approved ones join that server's rotation as claim `s-<id>`, after the
-- essay's claims, in approval order (approved_seq, unique within the server). A rejection
-- always carries its reason; only a pending suggestion has no decision.
CREATE TABLE suggestions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    user_name    TEXT NOT NULL,   -- the member's display name when they filed it: the credit
    text_zh      TEXT,
    text_en      TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('prediction', 'opinion')),
    deadline     TEXT,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason       TEXT,
    approved_seq INTEGER,
    decided_by   INTEGER,
    created_at   TEXT NOT NULL,
    decided_at   TEXT,
    CHECK (text_zh IS NOT NULL OR text_en IS NOT NULL),
    CHECK (kind = 'prediction' OR deadline IS NULL),
    CHECK ((status = 'rejected') = (reason IS NOT NULL AND reason <> '')),
    CHECK ((status = 'approved') = (approved_seq IS NOT NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    UNIQUE (guild_id, approved_seq)
);
CREATE INDEX suggestions_by_member ON suggestions (guild_id, user_id, status);
