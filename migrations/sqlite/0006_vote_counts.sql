-- Votes become one statement each: triggers keep each post's count per choice and the history of
-- changes, and `previous` keeps the choice a change replaced (so the statement can return it).
-- A tally is read from a few count rows instead of counting every vote on every click, and no
-- code path can let the counts or the history drift from the votes.
ALTER TABLE votes ADD COLUMN previous TEXT;

CREATE TABLE vote_counts (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    choice  TEXT NOT NULL,
    n       INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (post_id, choice)
);

INSERT INTO vote_counts (post_id, choice, n) SELECT post_id, choice, COUNT(*) FROM votes GROUP BY post_id, choice;

CREATE TRIGGER votes_counted_on_insert AFTER INSERT ON votes
BEGIN
    INSERT INTO vote_counts (post_id, choice, n) VALUES (NEW.post_id, NEW.choice, 1)
        ON CONFLICT (post_id, choice) DO UPDATE SET n = vote_counts.n + 1;
    INSERT INTO vote_history (post_id, user_id, choice, source, at)
        VALUES (NEW.post_id, NEW.user_id, NEW.choice, NEW.source, NEW.updated_at);
END;

CREATE TRIGGER votes_counted_on_change AFTER UPDATE OF choice ON votes WHEN OLD.choice <> NEW.choice
BEGIN
    UPDATE vote_counts SET n = n - 1 WHERE post_id = OLD.post_id AND choice = OLD.choice;
    INSERT INTO vote_counts (post_id, choice, n) VALUES (NEW.post_id, NEW.choice, 1)
        ON CONFLICT (post_id, choice) DO UPDATE SET n = vote_counts.n + 1;
    INSERT INTO vote_history (post_id, user_id, choice, source, at)
        VALUES (NEW.post_id, NEW.user_id, NEW.choice, NEW.source, NEW.updated_at);
END;

-- A withdrawn vote's history row (choice NULL) is written by the withdrawal, which knows when.
CREATE TRIGGER votes_counted_on_delete AFTER DELETE ON votes
BEGIN
    UPDATE vote_counts SET n = n - 1 WHERE post_id = OLD.post_id AND choice = OLD.choice;
END;
