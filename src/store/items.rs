use std::collections::HashSet;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::feeds::record_fetch_in;
use super::{parse_ts, ts, with_db, with_tx, Backend, FetchRecord, Store, WriteTx};
use crate::domain::ids::FeedId;
use crate::domain::news::NewsItem;

/// An item as the window query returns it: one element of a JSON array, in the order of the
/// columns in `WINDOW_*`.
#[derive(serde::Deserialize)]
struct StoredItem(
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

impl TryFrom<StoredItem> for NewsItem {
    type Error = anyhow::Error;
    fn try_from(row: StoredItem) -> anyhow::Result<NewsItem> {
        let StoredItem(identity, story_key, source, title, url, summary, published_at, seen_at) = row;
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
}

/// The window comes back as one JSON array built by the database (and is sorted here): row by
/// row, the driver's per-row hand-over cost more than the query itself.
const WINDOW_SQLITE: &str =
    "SELECT json_group_array(json_array(identity, story_key, source, title, url, summary, published_at, seen_at)) \
     FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id IN (SELECT value FROM json_each($3))";

const WINDOW_POSTGRES: &str = "SELECT COALESCE(json_agg(json_build_array(identity, story_key, source, title, url, summary, published_at, seen_at)), '[]')::text \
     FROM items WHERE happened_at >= $1 AND happened_at < $2 AND feed_id = ANY(SELECT value::bigint FROM json_array_elements_text($3::json))";

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
        let sql = match self.backend {
            Backend::Sqlite(_) => WINDOW_SQLITE,
            Backend::Postgres(_) => WINDOW_POSTGRES,
        };
        let feeds = serde_json::to_string(&feeds.iter().map(|f| f.0).collect::<Vec<_>>())?;
        let window: String = with_db!(self, db => sqlx::query_scalar(sql)
            .bind(ts(from))
            .bind(ts(to))
            .bind(&feeds)
            .fetch_one(db)
            .await)?;
        let rows: Vec<StoredItem> = serde_json::from_str(&window).context("reading the news window")?;
        let mut items = rows
            .into_iter()
            .map(NewsItem::try_from)
            .collect::<anyhow::Result<Vec<_>>>()?;
        items.sort_by_key(|item| std::cmp::Reverse(item.when()));
        Ok(items)
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
        for store in crate::store::testing::stores().await {
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
        for store in crate::store::testing::stores().await {
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
        }
    }
}
