use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::feeds::record_fetch_in;
use super::{parse_ts, ts, with_db, with_tx, Backend, FetchRecord, Store, WriteTx};
use claim_digest_domain::ids::{FeedId, PostId};
use claim_digest_domain::news::NewsItem;

/// An item as the window query returns it: one element of a JSON array, in the order of the
/// columns in `WINDOW_*`, led by the row's id (which orders items stored at the same moment)
/// and its feed's.
#[derive(serde::Deserialize)]
struct StoredItem(
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

impl StoredItem {
    fn into_item(self) -> anyhow::Result<(i64, FeedId, NewsItem)> {
        let StoredItem(id, feed_id, identity, story_key, source, title, url, summary, published_at, seen_at) = self;
        let item = item_from_row((identity, story_key, source, title, url, summary, published_at, seen_at))?;
        Ok((id, FeedId(feed_id), item))
    }
}

/// An item's columns as queries select them: identity, story_key, source, title, url, summary,
/// published_at, seen_at.
pub(crate) type ItemRow = (
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

pub(crate) fn item_from_row(row: ItemRow) -> anyhow::Result<NewsItem> {
    let (identity, story_key, source, title, url, summary, published_at, seen_at) = row;
    Ok(NewsItem {
        identity,
        story_key,
        source,
        title,
        url,
        summary,
        published: published_at.as_deref().map(parse_ts).transpose()?,
        seen_at: parse_ts(&seen_at)?,
    })
}

/// The window comes back as JSON arrays built by the database: row by row, the driver's per-row
/// hand-over cost more than the query itself. It is read in parts (rows by id modulo `$4`, part
/// `$5`), each on its own connection and decoded on its own thread: 100,000 items are 25 MB of
/// JSON, which one thread decodes in about 0.2 s.
///
/// Two arrays: the items stored under the feeds asked for, and the stories stored under another
/// feed that these feeds carry too (`item_feeds`), each once, under the lowest of them that
/// carries it and by that feed's name. A story stored under one of the feeds asked for comes only
/// in the first.
const WINDOW_SQLITE: &str = "SELECT \
     (SELECT json_group_array(json_array(id, feed_id, identity, story_key, source, title, url, summary, published_at, seen_at)) \
      FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id IN (SELECT value FROM json_each($3)) AND id % $4 = $5), \
     (SELECT json_group_array(json_array(id, feed_id, identity, story_key, source, title, url, summary, published_at, seen_at)) \
      FROM (SELECT i.id, MIN(l.feed_id) AS feed_id, i.identity, i.story_key, l.source, i.title, i.url, i.summary, i.published_at, i.seen_at \
            FROM item_feeds l JOIN items i ON i.id = l.item_id \
            WHERE l.happened_at >= $1 AND l.happened_at < $2 AND l.feed_id IN (SELECT value FROM json_each($3)) AND l.item_id % $4 = $5 \
              AND i.feed_id NOT IN (SELECT value FROM json_each($3)) \
            GROUP BY i.id))";

const WINDOW_POSTGRES: &str = "SELECT \
     (SELECT COALESCE(json_agg(json_build_array(id, feed_id, identity, story_key, source, title, url, summary, published_at, seen_at)), '[]')::text \
      FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id = ANY(SELECT value::bigint FROM json_array_elements_text($3::json)) AND id % $4 = $5), \
     (SELECT COALESCE(json_agg(json_build_array(id, feed_id, identity, story_key, source, title, url, summary, published_at, seen_at)), '[]')::text \
      FROM (SELECT DISTINCT ON (i.id) i.id, l.feed_id, i.identity, i.story_key, l.source, i.title, i.url, i.summary, i.published_at, i.seen_at \
            FROM item_feeds l JOIN items i ON i.id = l.item_id \
            WHERE l.happened_at >= $1 AND l.happened_at < $2 AND l.feed_id = ANY(SELECT value::bigint FROM json_array_elements_text($3::json)) \
              AND l.item_id % $4 = $5 AND i.feed_id <> ALL(SELECT value::bigint FROM json_array_elements_text($3::json)) \
            ORDER BY i.id, l.feed_id) linked)";

/// How many parts a window is read in: one per core, up to four.
fn window_parts() -> i64 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as i64
}

impl Store {
    /// Stores new items of a feed; an item already known (same identity) is skipped, and a story
    /// already stored from another feed (same link) is not stored again but recorded as carried
    /// by this feed too. Returns how many were new.
    pub async fn insert_items(&self, feed: FeedId, items: &[NewsItem]) -> anyhow::Result<usize> {
        let mut tx = self.write_tx().await?;
        let inserted = insert_items_in(&mut tx, feed, items).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// A successful fetch: its new items and the fetch's record, in one transaction. Returns how
    /// many items were new.
    pub async fn store_fetched_items(
        &self,
        feed: FeedId,
        items: &[NewsItem],
        at: DateTime<Utc>,
        record: &FetchRecord,
    ) -> anyhow::Result<usize> {
        let mut tx = self.write_tx().await?;
        let inserted = insert_items_in(&mut tx, feed, items).await?;
        record_fetch_in(&mut tx, feed, at, record).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// Items of the given feeds that happened in `[from, to)`, newest first.
    pub async fn items_between(
        &self,
        feeds: &[FeedId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> anyhow::Result<Vec<NewsItem>> {
        let items = self.feed_items_between(feeds, from, to).await?;
        Ok(items.into_iter().map(|(_, item)| item).collect())
    }

    /// As [`Store::items_between`], each item with one of `feeds` that carries it: the feed it is
    /// stored under when that is one of them (a story that several feeds carry is stored once,
    /// under the first feed that brought it), else the lowest of them that brought it too. Each
    /// story comes once, however many of `feeds` carry it.
    pub async fn feed_items_between(
        &self,
        feeds: &[FeedId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(FeedId, NewsItem)>> {
        if feeds.is_empty() {
            return Ok(Vec::new());
        }
        let feeds = serde_json::to_string(&feeds.iter().map(|f| f.0).collect::<Vec<_>>())?;
        let parts = window_parts();
        let mut reads = tokio::task::JoinSet::new();
        for part in 0..parts {
            let (store, feeds) = (self.clone(), feeds.clone());
            reads.spawn(async move { store.window_part(from, to, &feeds, parts, part).await });
        }
        let mut items = Vec::new();
        while let Some(part) = reads.join_next().await {
            items.extend(part.context("reading the news window")??);
        }
        // Newest first; the id orders items of the same moment, whatever the number of parts.
        items.sort_unstable_by(|(a_id, _, a), (b_id, _, b)| b.when().cmp(&a.when()).then(a_id.cmp(b_id)));
        Ok(items.into_iter().map(|(_, feed, item)| (feed, item)).collect())
    }

    /// One part of [`Store::items_between`], decoded on the blocking pool.
    async fn window_part(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        feeds: &str,
        parts: i64,
        part: i64,
    ) -> anyhow::Result<Vec<(i64, FeedId, NewsItem)>> {
        let sql = match self.backend {
            Backend::Sqlite(_) => WINDOW_SQLITE,
            Backend::Postgres(_) => WINDOW_POSTGRES,
        };
        let (stored, linked): (String, String) = with_db!(self, db => sqlx::query_as(sql)
            .bind(ts(from))
            .bind(ts(to))
            .bind(feeds)
            .bind(parts)
            .bind(part)
            .fetch_one(db)
            .await)?;
        tokio::task::spawn_blocking(move || {
            let mut rows: Vec<StoredItem> = serde_json::from_str(&stored).context("reading the news window")?;
            if linked != "[]" {
                let linked: Vec<StoredItem> = serde_json::from_str(&linked).context("reading the news window")?;
                rows.extend(linked);
            }
            rows.into_iter().map(StoredItem::into_item).collect()
        })
        .await?
    }

    /// Items a feed carries that happened since `since`: those stored under it and the stories
    /// it brought after another feed (never both for one story).
    pub async fn count_items_since(&self, feed: FeedId, since: DateTime<Utc>) -> anyhow::Result<u64> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM items WHERE feed_id = $1 AND happened_at >= $2) \
                  + (SELECT COUNT(*) FROM item_feeds WHERE feed_id = $1 AND happened_at >= $2)"
        )
        .bind(feed.0)
        .bind(ts(since))
        .fetch_one(db)
        .await)?;
        Ok(n as u64)
    }

    /// Items a feed carries, as [`Store::count_items_since`].
    pub async fn count_items(&self, feed: FeedId) -> anyhow::Result<u64> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM items WHERE feed_id = $1) + (SELECT COUNT(*) FROM item_feeds WHERE feed_id = $1)"
        )
            .bind(feed.0)
            .fetch_one(db)
            .await)?;
        Ok(n as u64)
    }
}

/// Tables whose `item_id` column names news items that retention must keep, whatever their age.
/// Each is one `NOT EXISTS` in the prune query. The evidence ledger needs no line here: its entries
/// keep their own title and link, and the items posts showed are kept through `post_items`. Nor
/// does `item_feeds`: a story's other feeds do not keep it, and their links go with it; nor
/// `item_vectors`, which goes with its item too.
pub const KEPT_ITEM_TABLES: &[&str] = &["post_items"];

/// Where a prune pass has got to: the last item deleted, in the order items are walked (oldest
/// first, then by id). Items before it are gone or kept, so the next batch starts after it
/// instead of walking the kept ones again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneCursor {
    happened_at: String,
    id: i64,
}

/// One prune batch: how many items it deleted, how long its statement held the write lock, and
/// where the next batch starts (`None`: nothing older is left to delete).
#[derive(Debug, Clone)]
pub struct PruneBatch {
    pub deleted: usize,
    pub held: Duration,
    pub next: Option<PruneCursor>,
}

/// A whole prune pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneOutcome {
    pub deleted: usize,
    /// Statements run; each is its own short transaction.
    pub batches: usize,
    pub largest_batch: usize,
    /// The longest time one batch held the write lock.
    pub longest_hold: Duration,
    /// How long each batch held it, in order: the distribution behind `longest_hold`.
    pub holds: Vec<Duration>,
    /// Vectors deleted from items that stay (see [`Store::prune_item_vectors`]).
    pub vectors_deleted: u64,
}

impl PruneOutcome {
    /// Adds one batch to the pass's totals.
    fn count(&mut self, batch: &PruneBatch) {
        self.batches += 1;
        self.deleted += batch.deleted;
        self.largest_batch = self.largest_batch.max(batch.deleted);
        self.longest_hold = self.longest_hold.max(batch.held);
        self.holds.push(batch.held);
    }
}

fn prune_sql() -> String {
    let kept: String = KEPT_ITEM_TABLES
        .iter()
        .map(|table| format!(" AND NOT EXISTS (SELECT 1 FROM {table} kept WHERE kept.item_id = items.id)"))
        .collect();
    // The row-value comparison resumes exactly after the cursor; the plain bound on happened_at
    // lets both planners start the index range there.
    format!(
        "DELETE FROM items WHERE id IN (\
           SELECT id FROM items \
           WHERE happened_at < $1 AND happened_at >= $2 AND (happened_at, id) > ($2, $3){kept} \
           ORDER BY happened_at, id LIMIT $4) \
         RETURNING happened_at, id"
    )
}

/// SQLite's own default: a commit that finds the write-ahead log over this many pages copies it
/// back into the database.
const AUTOCHECKPOINT_PAGES: u32 = 1000;

/// A pooled SQLite connection whose automatic checkpoints are off. Dropped before they are on
/// again (its batch failed, or was cancelled mid-way), it is closed instead of going back to
/// the pool, so that no later query runs on it with them off.
struct CheckpointsOff(Option<sqlx::pool::PoolConnection<sqlx::Sqlite>>);

impl CheckpointsOff {
    async fn turn_off(mut conn: sqlx::pool::PoolConnection<sqlx::Sqlite>) -> anyhow::Result<Self> {
        sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut *conn).await?;
        Ok(CheckpointsOff(Some(conn)))
    }

    fn as_mut(&mut self) -> &mut sqlx::SqliteConnection {
        self.0.as_mut().expect("held until back on")
    }

    /// Turns checkpoints on again; then the connection may go back to the pool. When that fails,
    /// it is closed (the cause is logged).
    async fn turn_on(mut self) {
        let on = format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}");
        match sqlx::query(&on).execute(self.as_mut()).await {
            Ok(_) => {
                self.0.take();
            }
            Err(e) => {
                tracing::warn!(error = %e, "a connection's automatic checkpoints could not be turned back on; it is closed")
            }
        }
    }
}

impl Drop for CheckpointsOff {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_mut() {
            conn.close_on_drop();
        }
    }
}

impl Store {
    /// Deletes up to `limit` news items that happened before `before`, oldest first, starting
    /// after `after`, except items a post showed (and any other table in `KEPT_ITEM_TABLES`).
    /// One statement, so the write lock is held only while it runs; votes, posts and their
    /// history are never touched.
    pub async fn prune_items_batch(
        &self,
        before: DateTime<Utc>,
        after: Option<&PruneCursor>,
        limit: usize,
    ) -> anyhow::Result<PruneBatch> {
        let start = after.cloned().unwrap_or_default();
        let sql = prune_sql();
        macro_rules! delete_on {
            ($conn:expr) => {
                sqlx::query_as(&sql)
                    .bind(ts(before))
                    .bind(&start.happened_at)
                    .bind(start.id)
                    .bind(limit as i64)
                    .fetch_all($conn)
            };
        }
        let _writer = self.write_slot().await;
        let (deleted, held): (Vec<(String, i64)>, Duration) = match &self.backend {
            Backend::Sqlite(pool) => {
                // A commit that finds the write-ahead log over AUTOCHECKPOINT_PAGES copies it
                // back into the database before it returns, and this process's writer slot
                // (which votes wait on) is held until then. A deleting batch writes many pages,
                // so its commit would often be the one to pay; the pass checkpoints between
                // batches instead, with the slot free.
                let mut conn = CheckpointsOff::turn_off(pool.acquire().await?).await?;
                let began = Instant::now();
                let deleted = delete_on!(conn.as_mut()).await;
                let held = began.elapsed();
                conn.turn_on().await;
                (deleted?, held)
            }
            Backend::Postgres(pool) => {
                let began = Instant::now();
                let deleted = delete_on!(pool).await?;
                (deleted, began.elapsed())
            }
        };
        let next = if deleted.len() < limit {
            None
        } else {
            deleted.iter().max().map(|(happened_at, id)| PruneCursor {
                happened_at: happened_at.clone(),
                id: *id,
            })
        };
        Ok(PruneBatch {
            deleted: deleted.len(),
            held,
            next,
        })
    }

    /// Prunes every item that happened before `before` and is not kept, in batches of `batch`
    /// items, each its own short transaction: other writers (votes) get the lock between them.
    pub async fn prune_items(&self, before: DateTime<Utc>, batch: usize) -> anyhow::Result<PruneOutcome> {
        anyhow::ensure!(batch > 0, "a prune batch must delete at least one item");
        let mut outcome = PruneOutcome::default();
        let mut cursor = None;
        loop {
            let done = self.prune_items_batch(before, cursor.as_ref(), batch).await?;
            outcome.count(&done);
            match done.next {
                Some(next) => cursor = Some(next),
                None => return Ok(outcome),
            }
            // Let queued writers in before the next batch.
            tokio::task::yield_now().await;
        }
    }

    /// Prunes as [`Store::prune_items`] does, but sizes each batch by time instead of rows: each
    /// next batch is as many items as the last one deleted per `target_hold`, at most twice the
    /// last and at most `max_batch`, so that on a slow or busy machine a batch still holds the
    /// write lock for about `target_hold`. Between batches, with the lock released, SQLite's
    /// write-ahead log is checkpointed, so the log's copy-back is not paid inside the next batch.
    pub async fn prune_items_paced(
        &self,
        before: DateTime<Utc>,
        target_hold: Duration,
        max_batch: usize,
    ) -> anyhow::Result<PruneOutcome> {
        const FIRST_BATCH: usize = 100;
        const MIN_BATCH: usize = 10;
        anyhow::ensure!(
            max_batch >= MIN_BATCH,
            "a paced prune batch may delete at least {MIN_BATCH} items"
        );
        let mut outcome = PruneOutcome::default();
        let mut cursor = None;
        let mut limit = FIRST_BATCH.min(max_batch);
        // The log holds whatever was written since the last pass (a day of news); copied back
        // now, SQLite's own checkpoint does not fall due inside the first batch's commit.
        self.checkpoint().await;
        loop {
            let done = self.prune_items_batch(before, cursor.as_ref(), limit).await?;
            outcome.count(&done);
            match done.next {
                Some(next) => cursor = Some(next),
                None => return Ok(outcome),
            }
            let per_item = done.held.as_nanos() / done.deleted.max(1) as u128;
            let fits = (target_hold.as_nanos() / per_item.max(1)) as usize;
            limit = fits.min(limit * 2).clamp(MIN_BATCH, max_batch);
            self.checkpoint().await;
        }
    }

    /// Copies SQLite's write-ahead log back into the database without waiting for readers or
    /// writers (PASSIVE), outside the process's writer slot. Best effort: a busy log is simply
    /// checkpointed later, by SQLite itself.
    async fn checkpoint(&self) {
        if let Backend::Sqlite(pool) = &self.backend {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await {
                tracing::debug!(error = %e, "write-ahead log not checkpointed between prune batches; SQLite will do it later");
            }
        }
    }

    /// Records the news items a post showed, in order, so that retention keeps them. An item is
    /// found by its story (stored once across feeds) or else by its identity among the post's
    /// server's feeds. Recording again (a resumed send) adds only what is new.
    pub async fn record_post_items(&self, post: PostId, items: &[NewsItem]) -> anyhow::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (position, item) in items.iter().enumerate() {
            let _ = with_tx!(tx, conn => match &item.story_key {
                Some(story) => sqlx::query(
                    "INSERT INTO post_items (post_id, item_id, position) \
                     SELECT $1, id, $2 FROM items WHERE story_key = $3 ON CONFLICT DO NOTHING",
                )
                .bind(post.0)
                .bind(position as i64)
                .bind(story)
                .execute(&mut *conn)
                .await?,
                None => sqlx::query(
                    "INSERT INTO post_items (post_id, item_id, position) \
                     SELECT posts.id, items.id, $2 FROM posts \
                     JOIN guild_feeds ON guild_feeds.guild_id = posts.guild_id \
                     JOIN items ON items.feed_id = guild_feeds.feed_id AND items.identity = $3 \
                     WHERE posts.id = $1 ON CONFLICT DO NOTHING",
                )
                .bind(post.0)
                .bind(position as i64)
                .bind(&item.identity)
                .execute(&mut *conn)
                .await?,
            }
            .rows_affected());
        }
        // Each story shown becomes an entry of the claim's ledger in the post's server (once, however
        // many rounds show it), dated by the first post that showed it.
        with_tx!(tx, conn => sqlx::query(
            "INSERT INTO evidence (guild_id, claim_id, story, title, url, source, added_at) \
             SELECT p.guild_id, p.claim_id, COALESCE(i.story_key, i.identity), i.title, i.url, i.source, p.created_at \
             FROM post_items pi JOIN posts p ON p.id = pi.post_id JOIN items i ON i.id = pi.item_id \
             WHERE pi.post_id = $1 ON CONFLICT (guild_id, claim_id, story) DO NOTHING",
        )
        .bind(post.0)
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected()))?;
        tx.commit().await
    }

    /// The news items a post showed, in the order shown.
    pub async fn post_items(&self, post: PostId) -> anyhow::Result<Vec<NewsItem>> {
        let rows: Vec<ItemRow> = with_db!(self, db => sqlx::query_as(
            "SELECT identity, story_key, source, title, url, summary, published_at, seen_at \
             FROM post_items JOIN items ON items.id = post_items.item_id WHERE post_id = $1 ORDER BY position"
        )
        .bind(post.0)
        .fetch_all(db)
        .await)?;
        rows.into_iter().map(item_from_row).collect()
    }

    /// Every news item stored, kept or not (for retention tests and the benchmark).
    pub async fn count_all_items(&self) -> anyhow::Result<u64> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM items").fetch_one(db).await)?;
        Ok(n as u64)
    }
}

/// Stores new items of a feed inside `tx`; see [`Store::insert_items`].
async fn insert_items_in(tx: &mut WriteTx, feed: FeedId, items: &[NewsItem]) -> anyhow::Result<usize> {
    // Many rows per statement: one statement per item made storing, not parsing, the cost of
    // ingestion, and fewer, larger statements cost the writer fewer hand-overs. 200 rows of 10
    // values stay well under the limits on bound values (32,766 on SQLite, 65,535 on PostgreSQL).
    const ROWS_PER_STATEMENT: usize = 200;
    // Repeats within the fetch go first (the first occurrence wins, as the feed lists them),
    // then the rest in story order: two feeds carrying the same stories, stored at once on
    // PostgreSQL, then wait for each other's stories in the same order and cannot deadlock.
    let (mut identities, mut stories) = (HashSet::new(), HashSet::new());
    let mut items: Vec<&NewsItem> = items
        .iter()
        .filter(|item| {
            identities.insert(item.identity.as_str()) && item.story_key.as_deref().is_none_or(|key| stories.insert(key))
        })
        .collect();
    items.sort_by(|a, b| a.story_key.cmp(&b.story_key));
    let mut inserted = 0;
    // The stories of statements that skipped some item: some may be stored under another feed.
    let mut carried: Vec<(&str, &str)> = Vec::new();
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        let stored = with_tx!(*tx, conn => {
            let mut query = QueryBuilder::new(
                "INSERT INTO items (identity, story_key, feed_id, source, title, url, summary, published_at, seen_at, happened_at) ",
            );
            query.push_values(chunk, |mut row, item| {
                row.push_bind(&item.identity)
                    .push_bind(&item.story_key)
                    .push_bind(feed.0)
                    .push_bind(&item.source)
                    .push_bind(&item.title)
                    .push_bind(&item.url)
                    .push_bind(&item.summary)
                    .push_bind(item.published.map(ts))
                    .push_bind(ts(item.seen_at))
                    .push_bind(ts(item.when()));
            });
            query.push(" ON CONFLICT DO NOTHING");
            query.build().execute(&mut *conn).await?.rows_affected() as usize
        });
        inserted += stored;
        if stored < chunk.len() {
            carried.extend(
                chunk
                    .iter()
                    .filter_map(|item| Some((item.story_key.as_deref()?, item.source.as_str()))),
            );
        }
    }
    if !carried.is_empty() {
        link_carried_in(tx, feed, &carried).await?;
    }
    Ok(inserted)
}

/// Links `feed` to those of the `(story, source)` it carries that are stored under another feed;
/// a link already there is kept. One statement per fetch, and only for a fetch that skipped
/// something: a fetch of new stories alone has nothing to link, and the stories of one that only
/// brings its own again are found stored under it and left.
async fn link_carried_in(tx: &mut WriteTx, feed: FeedId, carried: &[(&str, &str)]) -> anyhow::Result<()> {
    // In story order, as the items were stored (see insert_items_in); PostgreSQL links in that
    // order too, so two fetches linking at once take their locks in one order.
    let carried = serde_json::to_string(carried)?;
    match tx {
        WriteTx::Sqlite { tx, .. } => {
            // CROSS JOIN keeps SQLite's join order: the stories first, each looked up by its key.
            sqlx::query(
                "INSERT INTO item_feeds (feed_id, happened_at, item_id, source) \
                 SELECT $1, items.happened_at, items.id, carried.value ->> 1 \
                 FROM json_each($2) carried CROSS JOIN items ON items.story_key = carried.value ->> 0 \
                 WHERE items.feed_id <> $1 ON CONFLICT DO NOTHING",
            )
            .bind(feed.0)
            .bind(carried)
            .execute(&mut **tx)
            .await?;
        }
        WriteTx::Postgres(tx) => {
            sqlx::query(
                "INSERT INTO item_feeds (feed_id, happened_at, item_id, source) \
                 SELECT $1, items.happened_at, items.id, carried ->> 1 \
                 FROM json_array_elements($2::json) WITH ORDINALITY AS c(carried, n) JOIN items ON items.story_key = carried ->> 0 \
                 WHERE items.feed_id <> $1 ORDER BY n ON CONFLICT DO NOTHING",
            )
            .bind(feed.0)
            .bind(carried)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post of claim `c` reserved for `guild` on `date` (a day it has none yet).
    async fn reserved_post(
        store: &Store,
        guild: claim_digest_domain::ids::GuildId,
        date: &str,
        now: DateTime<Utc>,
    ) -> crate::Post {
        let new = crate::NewPost {
            guild,
            local_date: date.parse().unwrap(),
            claim_id: "c".into(),
            round: 1,
            question: claim_digest_domain::votes::Question::Stance,
            channel: claim_digest_domain::ids::ChannelId(8),
            nonce: "n".into(),
        };
        match store.reserve_post(&new, now).await.unwrap() {
            crate::Reservation::Reserved(post) => post,
            other => panic!("{}: {date} had a post already: {other:?}", store.backend_name()),
        }
    }

    /// What a server following `feeds` sees of November 2026: (feed, story, source) by story.
    async fn stories_seen(store: &Store, feeds: &[FeedId]) -> Vec<(FeedId, String, String)> {
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
        let mut got: Vec<(FeedId, String, String)> = store
            .feed_items_between(feeds, from, to)
            .await
            .unwrap()
            .into_iter()
            .map(|(feed, item)| (feed, item.story_key.unwrap(), item.source))
            .collect();
        got.sort_by(|x, y| x.1.cmp(&y.1));
        got
    }
    use chrono::TimeZone;

    fn item(identity: &str, story: Option<&str>, day: u32) -> NewsItem {
        NewsItem {
            identity: identity.into(),
            story_key: story.map(str::to_string),
            title: format!("title {identity}"),
            url: story.map(|s| format!("https://{s}")),
            summary: String::new(),
            source: "S".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap()),
            seen_at: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn same_identity_and_same_story_are_stored_once() {
        for store in crate::testing::stores().await {
            let a = store.upsert_feed("https://a.example/feed").await.unwrap();
            let b = store.upsert_feed("https://b.example/feed").await.unwrap();
            assert_eq!(
                store.upsert_feed("https://a.example/feed").await.unwrap().id,
                a.id,
                "one row per URL"
            );
            let first = [item("guid:1", Some("x.com/story"), 20), item("guid:2", None, 21)];
            assert_eq!(store.insert_items(a.id, &first).await.unwrap(), 2);
            // Re-fetch: same items again.
            assert_eq!(store.insert_items(a.id, &first).await.unwrap(), 0);
            // Another feed carries the same story under its own guid.
            assert_eq!(
                store
                    .insert_items(b.id, &[item("guid:3", Some("x.com/story"), 20)])
                    .await
                    .unwrap(),
                0
            );
            let from = Utc.with_ymd_and_hms(2026, 11, 14, 0, 0, 0).unwrap();
            let to = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
            let all = store.items_between(&[a.id, b.id], from, to).await.unwrap();
            assert_eq!(
                all.iter().map(|i| i.identity.as_str()).collect::<Vec<_>>(),
                ["guid:2", "guid:1"]
            );
            assert_eq!(all[1], first[0], "round-trips unchanged");
            let narrow = store
                .items_between(&[a.id], from, Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap())
                .await
                .unwrap();
            assert_eq!(narrow.len(), 1);
            // B reaches the story it carries, though it is stored under A.
            let through_b = store.items_between(&[b.id], from, to).await.unwrap();
            assert_eq!(
                through_b.iter().map(|i| i.identity.as_str()).collect::<Vec<_>>(),
                ["guid:1"]
            );
        }
    }

    fn named(mut item: NewsItem, source: &str) -> NewsItem {
        item.source = source.into();
        item
    }

    /// How many links the store holds, of any feed.
    async fn links(store: &Store) -> i64 {
        with_db!(store, db => sqlx::query_scalar("SELECT COUNT(*) FROM item_feeds").fetch_one(db).await).unwrap()
    }

    /// A story feed A brought and then feeds B and C: a server following only B sees it, under
    /// B's name; one following several of them sees it once, under the feed it is stored under
    /// when it follows that one, else under the lowest that carries it. Each feed counts it.
    #[tokio::test]
    async fn a_story_several_feeds_carry_reaches_each_of_them_once() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let a = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let b = store.upsert_feed("https://b.example/feed").await.unwrap().id;
            let c = store.upsert_feed("https://c.example/feed").await.unwrap().id;
            let d = store.upsert_feed("https://d.example/feed").await.unwrap().id;
            let shared = item("guid:a1", Some("x.com/shared"), 20);
            let from_a = [
                named(shared.clone(), "A"),
                named(item("guid:a2", Some("x.com/a-only"), 21), "A"),
            ];
            assert_eq!(store.insert_items(a, &from_a).await.unwrap(), 2);
            // B and C carry it under their own guids, beside stories of their own.
            let from_b = [
                named(item("guid:b1", Some("x.com/shared"), 22), "B"),
                named(item("guid:b2", Some("x.com/b-only"), 22), "B"),
            ];
            assert_eq!(store.insert_items(b, &from_b).await.unwrap(), 1, "{backend}");
            let from_c = [named(item("guid:c1", Some("x.com/shared"), 23), "C")];
            assert_eq!(store.insert_items(c, &from_c).await.unwrap(), 0, "{backend}");
            // Fetched again, nothing changes.
            assert_eq!(store.insert_items(b, &from_b).await.unwrap(), 0);
            assert_eq!(store.insert_items(a, &from_a).await.unwrap(), 0);
            assert_eq!(links(&store).await, 2, "{backend}: B and C carry A's story");

            let shared_as = |feed: FeedId, source: &str| (feed, "x.com/shared".to_string(), source.to_string());
            let b_only = (b, "x.com/b-only".to_string(), "B".to_string());
            assert_eq!(
                stories_seen(&store, &[b]).await,
                [b_only.clone(), shared_as(b, "B")],
                "{backend}"
            );
            assert_eq!(stories_seen(&store, &[c]).await, [shared_as(c, "C")], "{backend}");
            assert_eq!(
                stories_seen(&store, &[c, b]).await,
                [b_only.clone(), shared_as(b, "B")],
                "{backend}: once"
            );
            assert_eq!(
                stories_seen(&store, &[a, b, c]).await,
                [
                    (a, "x.com/a-only".to_string(), "A".to_string()),
                    b_only,
                    shared_as(a, "A")
                ],
                "{backend}: once, from the feed it is stored under"
            );
            assert!(stories_seen(&store, &[d]).await.is_empty());
            // Stored as A stored it: A's title and guid, with the reading feed's name.
            let (from, to) = (
                Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap(),
            );
            let through_c = store.items_between(&[c], from, to).await.unwrap();
            assert_eq!(through_c, [named(shared, "C")], "{backend}");

            let mut counts = Vec::new();
            for feed in [a, b, c, d] {
                counts.push(store.count_items(feed).await.unwrap());
            }
            assert_eq!(counts, [2, 2, 1, 0], "{backend}");
            // The shared story happened on the 20th: counted since then, not after.
            let on_20th = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
            assert_eq!(store.count_items_since(c, on_20th).await.unwrap(), 1, "{backend}");
            assert_eq!(store.count_items_since(b, on_20th).await.unwrap(), 2, "{backend}");
            assert_eq!(
                store
                    .count_items_since(b, on_20th + chrono::Duration::days(1))
                    .await
                    .unwrap(),
                1,
                "{backend}: B's own story of the 22nd"
            );
        }
    }

    /// The schema keeps links true: never to the feed the story is stored under, never with
    /// another date than the item's.
    #[tokio::test]
    async fn a_link_to_the_home_feed_or_with_another_date_is_refused() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let a = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let b = store.upsert_feed("https://b.example/feed").await.unwrap().id;
            store
                .insert_items(a, &[item("guid:1", Some("x.com/1"), 20)])
                .await
                .unwrap();
            let link = |feed: FeedId, happened_at: &'static str| {
                let store = store.clone();
                async move {
                    with_db!(store, db => sqlx::query(
                        "INSERT INTO item_feeds (feed_id, happened_at, item_id, source) \
                         SELECT $1, $2, id, 'X' FROM items WHERE story_key = 'x.com/1'"
                    )
                    .bind(feed.0)
                    .bind(happened_at)
                    .execute(db)
                    .await
                    .map(|done| done.rows_affected()))
                }
            };
            assert!(link(a, "2026-11-20T00:00:00Z").await.is_err(), "{backend}: home feed");
            assert!(
                link(b, "2026-11-21T00:00:00Z").await.is_err(),
                "{backend}: another date"
            );
            assert_eq!(link(b, "2026-11-20T00:00:00Z").await.unwrap(), 1, "{backend}");
        }
    }

    /// Retention takes a story's links with it, and keeps a shown story with its links.
    #[tokio::test]
    async fn retention_takes_a_pruned_storys_links_with_it() {
        use claim_digest_domain::ids::GuildId;
        use claim_digest_domain::lang::Lang;

        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
            let spec = |name: &str| claim_digest_feeds::FeedSpec {
                name: name.into(),
                url: format!("https://{name}.example/feed"),
                language: None,
            };
            let guild = GuildId(7);
            store.ensure_guild(guild, Lang::En, &[spec("b")], now).await.unwrap();
            let a = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let b = store.feed_by_url("https://b.example/feed").await.unwrap().unwrap().id;
            let october = |n: u32, day: u32| {
                let mut it = item(&format!("guid:{n}"), Some(&format!("x.com/{n}")), 1);
                it.published = Some(Utc.with_ymd_and_hms(2026, 10, day, 0, 0, 0).unwrap());
                it
            };
            let old = [october(1, 1), october(2, 2), october(3, 3)];
            let recent = item("guid:4", Some("x.com/4"), 20);
            let mut from_a = old.to_vec();
            from_a.push(recent.clone());
            assert_eq!(store.insert_items(a, &from_a).await.unwrap(), 4);
            let from_b: Vec<NewsItem> = from_a
                .iter()
                .map(|it| {
                    named(
                        NewsItem {
                            identity: format!("b:{}", it.identity),
                            ..it.clone()
                        },
                        "B",
                    )
                })
                .collect();
            assert_eq!(store.insert_items(b, &from_b).await.unwrap(), 0);
            assert_eq!(store.count_items(b).await.unwrap(), 4, "{backend}");

            // A post of B's server showed the second old story.
            let post = reserved_post(&store, guild, "2026-10-03", now).await;
            store.record_post_items(post.id, &[from_b[1].clone()]).await.unwrap();
            assert_eq!(store.post_items(post.id).await.unwrap(), [old[1].clone()], "{backend}");

            let outcome = store
                .prune_items(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(), 2)
                .await
                .unwrap();
            assert_eq!(outcome.deleted, 2, "{backend}: {outcome:?}");
            assert_eq!(
                links(&store).await,
                2,
                "{backend}: the shown story's and the recent one's"
            );
            assert_eq!(store.count_items(b).await.unwrap(), 2, "{backend}");
            let left = store
                .items_between(&[b], Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), now)
                .await
                .unwrap();
            let mut stories: Vec<_> = left.iter().map(|i| i.story_key.clone().unwrap()).collect();
            stories.sort();
            assert_eq!(stories, ["x.com/2", "x.com/4"], "{backend}");
        }
    }

    /// A feed deleted takes the stories only it carries, and hands those another feed carries
    /// to that feed (to the lowest, when several do), under its name: a server following it keeps
    /// them, once. A feed that only carried others' stories takes just its links.
    #[tokio::test]
    async fn a_deleted_feed_hands_the_stories_others_carry_to_them() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let a = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let b = store.upsert_feed("https://b.example/feed").await.unwrap().id;
            let c = store.upsert_feed("https://c.example/feed").await.unwrap().id;
            let from_a = [
                named(item("guid:a1", Some("x.com/shared"), 20), "A"),
                named(item("guid:a2", Some("x.com/a-only"), 20), "A"),
                named(item("guid:a3", Some("x.com/c-too"), 20), "A"),
            ];
            store.insert_items(a, &from_a).await.unwrap();
            let from_b = [named(item("guid:b1", Some("x.com/shared"), 21), "B")];
            store.insert_items(b, &from_b).await.unwrap();
            let from_c = [
                named(item("guid:c1", Some("x.com/shared"), 21), "C"),
                named(item("guid:c3", Some("x.com/c-too"), 21), "C"),
            ];
            store.insert_items(c, &from_c).await.unwrap();
            assert_eq!(links(&store).await, 3);

            let delete = |feed: FeedId| {
                let store = store.clone();
                async move {
                    let writer = store.write_slot().await;
                    let done = with_db!(store, db => sqlx::query("DELETE FROM feeds WHERE id = $1")
                        .bind(feed.0)
                        .execute(db)
                        .await
                        .map(drop));
                    drop(writer);
                    done.unwrap()
                }
            };
            delete(a).await;
            assert_eq!(
                store.count_all_items().await.unwrap(),
                2,
                "{backend}: A's own story went"
            );
            let row = |feed: FeedId, story: &str, source: &str| (feed, story.to_string(), source.to_string());
            assert_eq!(
                stories_seen(&store, &[b]).await,
                [row(b, "x.com/shared", "B")],
                "{backend}"
            );
            assert_eq!(
                stories_seen(&store, &[b, c]).await,
                [row(c, "x.com/c-too", "C"), row(b, "x.com/shared", "B")],
                "{backend}: the shared story moved to B, the lower, and C still carries it"
            );
            assert_eq!(
                stories_seen(&store, &[c]).await,
                [row(c, "x.com/c-too", "C"), row(c, "x.com/shared", "C")],
                "{backend}"
            );
            assert_eq!(links(&store).await, 1, "{backend}: C's link to the shared story");
            assert_eq!(
                (store.count_items(b).await.unwrap(), store.count_items(c).await.unwrap()),
                (1, 2),
                "{backend}"
            );
            // C only carries B's story: deleting it takes the link, not the story.
            delete(c).await;
            assert_eq!(links(&store).await, 0, "{backend}");
            assert_eq!(store.count_all_items().await.unwrap(), 1, "{backend}: C's own went");
            assert_eq!(
                stories_seen(&store, &[b]).await,
                [row(b, "x.com/shared", "B")],
                "{backend}"
            );
        }
    }

    #[tokio::test]
    async fn large_batches_skip_repeats_within_and_across_statements() {
        for store in crate::testing::stores().await {
            let feed = store.upsert_feed("https://a.example/feed").await.unwrap();
            // 450 items, more than two statements' worth: ids 0..439, then ids 0..9 again, one
            // story twice.
            let mut items: Vec<NewsItem> = (0..440)
                .map(|i| item(&format!("guid:{i}"), Some(&format!("x.com/{i}")), 20))
                .collect();
            items.extend((0..10).map(|i| item(&format!("guid:{i}"), None, 20)));
            items[405].story_key = Some("x.com/3".into());
            assert_eq!(store.insert_items(feed.id, &items).await.unwrap(), 439);
            assert_eq!(store.count_items(feed.id).await.unwrap(), 439);
            assert_eq!(store.insert_items(feed.id, &items).await.unwrap(), 0);
            // The window is read in parts; it comes back whole, and items of the same moment in
            // the order they were stored (in story order), however many parts there were.
            let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
            let window = store
                .items_between(&[feed.id], from, from + chrono::Duration::days(30))
                .await
                .unwrap();
            assert_eq!(window.len(), 439);
            let stories: Vec<_> = window.iter().map(|i| i.story_key.clone().unwrap()).collect();
            let mut in_story_order = stories.clone();
            in_story_order.sort();
            assert_eq!(stories, in_story_order);
        }
    }

    /// Old items go in batches of the size asked; items a post showed stay however old; recent
    /// items, votes, posts and vote history stay.
    #[tokio::test]
    async fn retention_prunes_old_unshown_items_in_batches_and_keeps_shown_ones() {
        use claim_digest_domain::ids::{GuildId, MessageId, UserId};
        use claim_digest_domain::lang::Lang;
        use claim_digest_domain::votes::Choice;

        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
            let spec = claim_digest_feeds::FeedSpec {
                name: "A".into(),
                url: "https://a.example/feed".into(),
                language: None,
            };
            let guild = GuildId(7);
            store
                .ensure_guild(guild, Lang::En, std::slice::from_ref(&spec), now)
                .await
                .unwrap();
            let feed = store.feed_by_url(&spec.url).await.unwrap().unwrap().id;
            // Eleven old items (days 1-11 of October), two of them shown by a post, one shown
            // without a link (found by identity); three recent ones.
            let mut items: Vec<NewsItem> = (1..=11)
                .map(|day| {
                    let mut it = item(&format!("guid:old{day}"), Some(&format!("x.com/old{day}")), 1);
                    it.published = Some(Utc.with_ymd_and_hms(2026, 10, day, 0, 0, 0).unwrap());
                    it
                })
                .collect();
            items[9].story_key = None;
            items[9].url = None;
            items.extend((20..=22).map(|day| item(&format!("guid:new{day}"), Some(&format!("x.com/new{day}")), day)));
            assert_eq!(store.insert_items(feed, &items).await.unwrap(), 14);

            let post = reserved_post(&store, guild, "2026-10-12", now).await;
            let shown = [items[2].clone(), items[9].clone()];
            store.record_post_items(post.id, &shown).await.unwrap();
            // Recording again (a resumed send) changes nothing.
            store.record_post_items(post.id, &shown).await.unwrap();
            assert_eq!(
                store.post_items(post.id).await.unwrap(),
                shown,
                "{backend}: in the order shown"
            );
            store.mark_post_sent(post.id, MessageId(9), now).await.unwrap();
            store
                .cast_vote(post.id, UserId(10), Choice::Agree, crate::VoteSource::Button, now)
                .await
                .unwrap();
            store
                .cast_vote(post.id, UserId(10), Choice::Disagree, crate::VoteSource::Button, now)
                .await
                .unwrap();

            // The schema itself refuses to delete an item a post showed.
            let refused = with_db!(store, db => sqlx::query("DELETE FROM items WHERE story_key = 'x.com/old3'")
                .execute(db)
                .await
                .map(drop));
            assert!(refused.is_err(), "{backend}: a shown item cannot be deleted");

            let before = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
            let outcome = store.prune_items(before, 3).await.unwrap();
            // Nine prunable items in batches of three: three full batches, then one that finds
            // nothing and ends the pass.
            assert_eq!(
                (outcome.deleted, outcome.batches, outcome.largest_batch),
                (9, 4, 3),
                "{backend}: {outcome:?}"
            );
            assert_eq!(store.count_all_items().await.unwrap(), 5, "{backend}");
            let left = store
                .items_between(&[feed], Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), now)
                .await
                .unwrap();
            let mut identities: Vec<&str> = left.iter().map(|i| i.identity.as_str()).collect();
            identities.sort();
            assert_eq!(
                identities,
                ["guid:new20", "guid:new21", "guid:new22", "guid:old10", "guid:old3"],
                "{backend}"
            );
            // Votes, the post and the history of changes are untouched.
            assert_eq!(store.post_tally(post.id).await.unwrap().voters(), 1, "{backend}");
            assert_eq!(
                store.vote_history_len(post.id, UserId(10)).await.unwrap(),
                2,
                "{backend}"
            );
            assert!(store.post(post.id).await.unwrap().is_some(), "{backend}");

            // A second pass has nothing to do: one empty batch.
            let again = store.prune_items(before, 3).await.unwrap();
            assert_eq!((again.deleted, again.batches), (0, 1), "{backend}");
        }
    }

    /// A paced pass deletes the same items as a fixed one, each batch within its bounds.
    #[tokio::test]
    async fn paced_prune_deletes_everything_old_within_its_bounds() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let items: Vec<NewsItem> = (0..700)
                .map(|i| {
                    let mut it = item(&format!("guid:{i}"), Some(&format!("x.com/{i}")), 1 + (i % 20) as u32);
                    it.summary = "s".repeat(200);
                    it
                })
                .collect();
            store.insert_items(feed, &items).await.unwrap();
            let before = Utc.with_ymd_and_hms(2026, 11, 11, 0, 0, 0).unwrap();
            let outcome = store
                .prune_items_paced(before, Duration::from_millis(20), 150)
                .await
                .unwrap();
            assert_eq!(outcome.deleted, 350, "{backend}: days 1-10, 35 items each");
            assert!(
                outcome.largest_batch <= 150 && outcome.batches >= 3,
                "{backend}: {outcome:?}"
            );
            assert_eq!(store.count_all_items().await.unwrap(), 350, "{backend}");
            if let Backend::Sqlite(pool) = &store.backend {
                // Each batch turns SQLite's automatic checkpoints off while it runs: every
                // connection the pool lends out afterwards has them on again.
                let mut connections = Vec::new();
                for _ in 0..pool.size() {
                    connections.push(pool.acquire().await.unwrap());
                }
                for conn in &mut connections {
                    let (pages,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
                        .fetch_one(&mut **conn)
                        .await
                        .unwrap();
                    assert_eq!(pages, i64::from(AUTOCHECKPOINT_PAGES));
                }
            }
            assert!(store
                .prune_items_paced(before, Duration::from_millis(20), 5)
                .await
                .is_err());
        }
    }

    /// A batch that fails or is cancelled between turning checkpoints off and on again closes
    /// its connection: the pool never lends out one with them off.
    #[tokio::test]
    async fn a_connection_left_with_checkpoints_off_is_closed_not_pooled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("c.db").display()))
            .await
            .unwrap();
        let Backend::Sqlite(pool) = &store.backend else {
            unreachable!("a SQLite URL")
        };
        let kept = pool.acquire().await.unwrap();
        let off = CheckpointsOff::turn_off(pool.acquire().await.unwrap()).await.unwrap();
        // Counted now, not assumed: a connection that opening the store used may still be on its
        // way back to the pool, and the acquires above may have opened another beside it.
        let with_off = pool.size();
        drop(off);
        let deadline = Instant::now() + Duration::from_secs(10);
        while pool.size() >= with_off {
            assert!(Instant::now() < deadline, "the connection was not closed");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(kept);
        // Put back on, a connection goes back to the pool.
        let on = CheckpointsOff::turn_off(pool.acquire().await.unwrap()).await.unwrap();
        let open = pool.size();
        on.turn_on().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while pool.num_idle() < open as usize {
            assert!(Instant::now() < deadline, "the connection did not go back to the pool");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(pool.size(), open, "none was closed");
        store.close().await;
    }

    /// The cursor walks past kept items: a batch resumes after the last item the previous one
    /// deleted, however many kept items lie before it.
    #[tokio::test]
    async fn prune_batches_resume_after_the_cursor() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let items: Vec<NewsItem> = (1..=7)
                .map(|day| item(&format!("guid:{day}"), Some(&format!("x.com/{day}")), day))
                .collect();
            store.insert_items(feed, &items).await.unwrap();
            let before = Utc.with_ymd_and_hms(2026, 11, 5, 0, 0, 0).unwrap();
            let first = store.prune_items_batch(before, None, 2).await.unwrap();
            assert_eq!(first.deleted, 2, "{backend}");
            let cursor = first.next.expect("a full batch has a next");
            let second = store.prune_items_batch(before, Some(&cursor), 2).await.unwrap();
            assert_eq!(second.deleted, 2, "{backend}: days 3 and 4");
            let third = store.prune_items_batch(before, second.next.as_ref(), 2).await.unwrap();
            assert_eq!((third.deleted, third.next), (0, None), "{backend}");
            assert_eq!(store.count_all_items().await.unwrap(), 3, "{backend}: days 5-7 stay");
        }
    }
}
