use std::collections::HashSet;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::feeds::record_fetch_in;
use super::{parse_ts, ts, with_db, with_tx, Backend, FetchRecord, Store, WriteTx};
use claim_digest_domain::ids::FeedId;
use claim_digest_domain::news::NewsItem;

/// An item as the window query returns it: one element of a JSON array, in the order of the
/// columns in `WINDOW_*`, led by the row's id (which orders items stored at the same moment).
#[derive(serde::Deserialize)]
struct StoredItem(
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
    fn into_item(self) -> anyhow::Result<(i64, NewsItem)> {
        let StoredItem(id, identity, story_key, source, title, url, summary, published_at, seen_at) = self;
        let item = NewsItem {
            identity,
            story_key,
            source,
            title,
            url,
            summary,
            published: published_at.as_deref().map(parse_ts).transpose()?,
            seen_at: parse_ts(&seen_at)?,
        };
        Ok((id, item))
    }
}

/// The window comes back as JSON arrays built by the database: row by row, the driver's per-row
/// hand-over cost more than the query itself. It is read in parts (rows by id modulo `$4`, part
/// `$5`), each on its own connection and decoded on its own thread: 100,000 items are 25 MB of
/// JSON, which one thread decodes in about 0.2 s.
const WINDOW_SQLITE: &str =
    "SELECT json_group_array(json_array(id, identity, story_key, source, title, url, summary, published_at, seen_at)) \
     FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id IN (SELECT value FROM json_each($3)) AND id % $4 = $5";

const WINDOW_POSTGRES: &str = "SELECT COALESCE(json_agg(json_build_array(id, identity, story_key, source, title, url, summary, published_at, seen_at)), '[]')::text \
     FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id = ANY(SELECT value::bigint FROM json_array_elements_text($3::json)) AND id % $4 = $5";

/// How many parts a window is read in: one per core, up to four.
fn window_parts() -> i64 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as i64
}

impl Store {
    /// Stores new items of a feed; an item already known (same identity) or a story already
    /// stored from another feed (same link) is skipped. Returns how many were new.
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
        items.sort_unstable_by(|(a_id, a), (b_id, b)| b.when().cmp(&a.when()).then(a_id.cmp(b_id)));
        Ok(items.into_iter().map(|(_, item)| item).collect())
    }

    /// One part of [`Store::items_between`], decoded on the blocking pool.
    async fn window_part(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        feeds: &str,
        parts: i64,
        part: i64,
    ) -> anyhow::Result<Vec<(i64, NewsItem)>> {
        let sql = match self.backend {
            Backend::Sqlite(_) => WINDOW_SQLITE,
            Backend::Postgres(_) => WINDOW_POSTGRES,
        };
        let window: String = with_db!(self, db => sqlx::query_scalar(sql)
            .bind(ts(from))
            .bind(ts(to))
            .bind(feeds)
            .bind(parts)
            .bind(part)
            .fetch_one(db)
            .await)?;
        tokio::task::spawn_blocking(move || {
            let rows: Vec<StoredItem> = serde_json::from_str(&window).context("reading the news window")?;
            rows.into_iter().map(StoredItem::into_item).collect()
        })
        .await?
    }

    /// Items of a feed that happened since `since`.
    pub async fn count_items_since(&self, feed: FeedId, since: DateTime<Utc>) -> anyhow::Result<u64> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM items WHERE feed_id = $1 AND happened_at >= $2"
        )
        .bind(feed.0)
        .bind(ts(since))
        .fetch_one(db)
        .await)?;
        Ok(n as u64)
    }

    pub async fn count_items(&self, feed: FeedId) -> anyhow::Result<u64> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE feed_id = $1")
            .bind(feed.0)
            .fetch_one(db)
            .await)?;
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
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        inserted += with_tx!(*tx, conn => {
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
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
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
            assert!(store.items_between(&[b.id], from, to).await.unwrap().is_empty());
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
}
