//! The stored news as term statistics read it: the text of items, newest first, in pages.

use super::{with_db, Store};

impl Store {
    /// The title and summary of at most `limit` stored items with ids below `before` (all when
    /// `None`), newest (highest id) first, each with its id for the next page.
    pub async fn item_texts(&self, before: Option<i64>, limit: u32) -> anyhow::Result<Vec<(i64, String, String)>> {
        let rows: Vec<(i64, String, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT id, title, summary FROM items WHERE id < $1 ORDER BY id DESC LIMIT $2"
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use claim_digest_domain::news::NewsItem;

    #[tokio::test]
    async fn item_texts_come_newest_first_in_pages() {
        for store in crate::testing::stores().await {
            pages(store).await;
        }
    }

    async fn pages(store: crate::Store) {
        let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let items: Vec<NewsItem> = (0..5)
            .map(|n| NewsItem {
                identity: format!("id-{n}"),
                story_key: Some(format!("example.com/{n}")),
                title: format!("Title {n}"),
                url: Some(format!("https://example.com/{n}")),
                summary: format!("Summary {n}"),
                source: "Test".into(),
                published: Some(at),
                seen_at: at,
            })
            .collect();
        store.insert_items(feed, &items).await.unwrap();
        let first = store.item_texts(None, 3).await.unwrap();
        assert_eq!(first.len(), 3);
        assert!(first.windows(2).all(|w| w[0].0 > w[1].0));
        let rest = store.item_texts(Some(first[2].0), 3).await.unwrap();
        assert_eq!(rest.len(), 2);
        let mut titles: Vec<String> = first.iter().chain(&rest).map(|r| r.1.clone()).collect();
        titles.sort();
        assert_eq!(titles, ["Title 0", "Title 1", "Title 2", "Title 3", "Title 4"]);
        assert!(first.iter().chain(&rest).all(|r| r.2.starts_with("Summary ")));
    }
}
