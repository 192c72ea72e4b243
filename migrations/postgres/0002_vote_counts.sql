-- Votes become one statement each, as in migrations/sqlite/0006: a trigger keeps each post's
-- count per choice and the history of changes, and `previous` keeps the choice a change replaced.
ALTER TABLE votes ADD COLUMN previous TEXT;

CREATE TABLE vote_counts (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    choice  TEXT NOT NULL,
    n       BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (post_id, choice)
);

INSERT INTO vote_counts (post_id, choice, n) SELECT post_id, choice, COUNT(*) FROM votes GROUP BY post_id, choice;

CREATE FUNCTION count_vote(post BIGINT, vote_choice TEXT, delta BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO vote_counts (post_id, choice, n) VALUES (post, vote_choice, GREATEST(delta, 0))
        ON CONFLICT (post_id, choice) DO UPDATE SET n = vote_counts.n + delta;
$$;

CREATE FUNCTION count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.choice = NEW.choice THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM count_vote(NEW.post_id, NEW.choice, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM count_vote(OLD.post_id, OLD.choice, -1);
    -- A change touches two count rows: always in the order of their choices, so that two members
    -- changing in opposite directions on one post cannot each hold the row the other waits for.
    ELSIF OLD.choice < NEW.choice THEN
        PERFORM count_vote(OLD.post_id, OLD.choice, -1);
        PERFORM count_vote(NEW.post_id, NEW.choice, 1);
    ELSE
        PERFORM count_vote(NEW.post_id, NEW.choice, 1);
        PERFORM count_vote(OLD.post_id, OLD.choice, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- A withdrawal's history row (choice NULL) is written by the withdrawal, which knows when.
        INSERT INTO vote_history (post_id, user_id, choice, source, at)
            VALUES (NEW.post_id, NEW.user_id, NEW.choice, NEW.source, NEW.updated_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER votes_counted AFTER INSERT OR DELETE OR UPDATE OF choice ON votes
    FOR EACH ROW EXECUTE FUNCTION count_votes();
