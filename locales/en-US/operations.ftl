# What the operator's commands print: `check`, `backup` and `feed check`.

check-ok = ok
check-fail = FAIL
check-warn = warn
check-configuration = configuration
check-config-invalid = cannot be read: { $error } (see .env.example for every key)
check-token-missing = not set: the bot needs it to run
check-token-malformed = is not shaped like a Discord bot token (three base64url parts joined by dots); copy it again from the developer portal
check-token-shaped = set and shaped like a bot token (only Discord can say it is valid)
check-database-unreachable = unreachable: { $error }
check-claims-valid = { $path }: valid, { $count } claims
check-claims-invalid = { $path }: { $count } problem(s): { $problems }
check-feeds-valid = { $path }: valid, { $count } feeds
check-feeds-invalid = { $path }: invalid: { $error }
check-address-unset = not set: not served
check-address-bindable = { $addr } can be bound
check-address-unbindable = cannot bind { $addr }: { $error } (is the bot already running?)
check-backups-off = not set: no automatic backups
check-backups-writable = { $dir }: writable, one backup a day
check-backups-unwritable = { $dir }: not writable: { $error }
check-backups-need-pg-dump = automatic backups are for SQLite only; back PostgreSQL up with pg_dump (see `claim-digest backup`) and unset BACKUP_DIR
check-embeddings-off = not set: news is ranked by words alone
check-embeddings-answer = answers for { $model }: { $dims } numbers a vector, in { $millis } ms
check-embeddings-failing = does not answer for { $model }: { $error } (the bot would rank by words alone)
check-schema-failed = { $backend }: migration { $versions } failed part-way; it needs a person
check-schema-changed = { $backend }: migration { $versions } was changed after it was applied
check-schema-unknown = { $backend }: the database has migrations this build does not know ({ $versions }): it belongs to a newer build
check-schema-new = { $backend }: does not exist yet; the first start creates it and applies { $count } migrations
check-schema-current = { $backend }: reachable, all { $applied } migrations applied
check-schema-pending = { $backend }: reachable, { $applied } applied, { $count } to apply at the next start ({ $versions })
check-summary = { $failed ->
    [0] The configuration is ready to run.
    [one] 1 check failed.
   *[other] { $failed } checks failed.
}
backup-written = Backed up to { $path } ({ $mib } MiB, integrity check ok). README, "Backups and restoring", says how to restore.
backup-use-pg-dump =
    A PostgreSQL database is backed up with pg_dump (it takes a consistent copy while the bot runs):

      { $command }

    The password is left out of the command: give it through PGPASSWORD or ~/.pgpass. To restore into an empty database:

      { $restore }

## feed check

feed-check-ok = ✓ { $input }: { $title } ({ $count } items)
feed-check-untitled = (untitled)
feed-check-linked = the page names this feed: { $url }
feed-check-usual = the page names no feed; its site serves one at { $url }
feed-check-several = ? { $input } names { $count } feeds; check the one you want:
feed-check-failed = ✗ { $input }: { $error }
