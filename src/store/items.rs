use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::{parse_ts, ts, with_db, with_tx, Store};
use crate::domain::ids::FeedId;
use crate::domain::news::NewsItem;

/// An `items` row as the window query reads it.
#[derive(sqlx::FromRow)]
struct ItemRow {
    identity: String,
    story_key: Option<String>,
    source: String,
    title: String,
    url: Option<String>,
    summary: String,
    published_at: Option<String>,
    seen_at: String,
}

impl TryFrom<ItemRow> for NewsItem {
    type Error = anyhow::Error;
    fn try_from(row: ItemRow) -> anyhow::Result<NewsItem> {
        Ok(NewsItem {
            identity: row.identity,
            story_key: row.story_key,
            source: row.source,
            title: row.title,
            url: row.url,
            summary: row.summary,
            published: row.published_at.as_deref().map(parse_ts).transpose()?,
            seen_at: parse_ts(&row.seen_at)?,
        })
    }
}

impl Store {
    /// Stores new items of a feed; an item already known (same identity) or a story already
    /// stored from another feed (same link) is skipped. Returns how many were new.
    pub async fn insert_items(&self, feed: FeedId, items: &[NewsItem]) -> anyhow::Result<usize> {
        // Many rows per statement: one statement per item made storing, not parsing, the cost of
        // ingestion. 50 rows of 10 values stay well under SQLite's limit on bound values.
        const ROWS_PER_STATEMENT: usize = 50;
        // Repeats within the fetch go first (the first occurrence wins, as the feed lists them),
        // then the rest in story order: two feeds carrying the same stories, stored at once on
        // PostgreSQL, then wait for each other's stories in the same order and cannot deadlock.
        let (mut identities, mut stories) = (HashSet::new(), HashSet::new());
        let mut items: Vec<&NewsItem> = items
            .iter()
            .filter(|item| {
                identities.insert(item.identity.as_str())
                    && item.story_key.as_deref().is_none_or(|key| stories.insert(key))
            })
            .collect();
        items.sort_by(|a, b| a.story_key.cmp(&b.story_key));
        let mut tx = self.write_tx().await?;
        let mut inserted = 0;
        for chunk in items.chunks(ROWS_PER_STATEMENT) {
            inserted += with_tx!(tx, conn => {
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
        let rows: Vec<ItemRow> = with_db!(self, db => {
            let mut query = QueryBuilder::new(
                "SELECT identity, story_key, source, title, url, summary, published_at, seen_at FROM items WHERE happened_at >= ",
            );
            query
                .push_bind(ts(from))
                .push(" AND happened_at < ")
                .push_bind(ts(to))
                .push(" AND feed_id IN (");
            let mut ids = query.separated(", ");
            for feed in feeds {
                ids.push_bind(feed.0);
            }
            query.push(") ORDER BY happened_at DESC");
            query.build_query_as().fetch_all(db).await?
        });
        rows.into_iter().map(NewsItem::try_from).collect()
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
            // 120 items: ids 0..109, then ids 0..9 again (repeats in later statements), one story twice.
            let mut items: Vec<NewsItem> = (0..110)
                .map(|i| item(&format!("guid:{i}"), Some(&format!("x.com/{i}")), 20))
                .collect();
            items.extend((0..10).map(|i| item(&format!("guid:{i}"), None, 20)));
            items[105].story_key = Some("x.com/3".into());
            assert_eq!(store.insert_items(feed.id, &items).await.unwrap(), 109);
            assert_eq!(store.count_items(feed.id).await.unwrap(), 109);
            assert_eq!(store.insert_items(feed.id, &items).await.unwrap(), 0);
        }
    }
}
