-- A process fetching a feed holds it until this time, so that processes sharing the database
-- never fetch one URL at once; a crashed holder's lease simply runs out.
ALTER TABLE feeds ADD COLUMN leased_until TEXT;
