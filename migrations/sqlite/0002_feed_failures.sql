-- When the current run of failures began: a feed failing for longer than FEED_DISABLE_AFTER_HOURS
-- is disabled with a stored reason.
ALTER TABLE feeds ADD COLUMN failing_since TEXT;
