-- The weekdays a server's daily post goes out on (/digest setup days:), in its time zone: bit 0
-- Monday ... bit 6 Sunday. Never empty; every day (127) unless moderators chose fewer. Days off
-- are neither posted nor recorded as skipped.
ALTER TABLE guilds ADD COLUMN post_days INTEGER NOT NULL DEFAULT 127 CHECK (post_days BETWEEN 1 AND 127);
