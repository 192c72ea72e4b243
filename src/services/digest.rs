//! Composing a digest from stored news.

use chrono::{DateTime, NaiveDate, Utc};

use super::App;
use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
use crate::domain::filter::FeedSelection;
use crate::domain::ids::FeedId;
use crate::domain::ranking::{DenseQuery, NewsIndex, RankOptions, RankedNews};

impl App {
    /// Stores `items` as the news of the feed at `url` (`preview --sample`'s shipped headlines)
    /// and returns the feed.
    pub async fn store_items_of(&self, url: &str, items: &[crate::domain::news::NewsItem]) -> anyhow::Result<FeedId> {
        let feed = self.store.upsert_feed(url).await?;
        self.store.insert_items(feed.id, items).await?;
        Ok(feed.id)
    }

    /// The news of `feeds` in the window ending at `until` that bear on `claim`, best first.
    /// Each feed's word filter applies before ranking, so a filtered item never competes, and a
    /// story the server withheld from the claim never shows.
    pub async fn related_news(
        &self,
        claim: &Claim,
        feeds: &FeedSelection,
        until: DateTime<Utc>,
        limit: usize,
    ) -> anyhow::Result<Vec<RankedNews>> {
        let from = until - chrono::Duration::days(i64::from(self.config.news_window_days));
        let items: Vec<_> = self
            .store
            .feed_items_between(&feeds.feeds, from, until)
            .await?
            .into_iter()
            .filter(|(feed, item)| feeds.admits(*feed, item))
            .map(|(_, item)| item)
            .collect();
        let stats = self.term_stats();
        let dense = match &self.embeddings {
            Some(embeddings) => embeddings.inputs(claim, &items).await,
            None => None,
        };
        // Indexing a large window is CPU work: it runs on the blocking pool, not the async workers.
        let claim = claim.clone();
        let withheld = feeds.withheld.clone();
        let (ranked, took) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let options = RankOptions {
                limit,
                leave_out: Some(&withheld),
                stats: stats.as_deref(),
                dense: dense.as_ref().map(|d| DenseQuery {
                    claim_zh: &d.claim_zh,
                    claim_en: &d.claim_en,
                    items: &d.items,
                }),
                ..Default::default()
            };
            let ranked = NewsIndex::new(items).rank(&claim, &options);
            (ranked, started.elapsed())
        })
        .await?;
        self.metrics.observe_ranking(took);
        Ok(ranked)
    }

    pub async fn compose_digest(
        &self,
        claim: &Claim,
        round: u32,
        date: NaiveDate,
        feeds: &FeedSelection,
        until: DateTime<Utc>,
        news: usize,
    ) -> anyhow::Result<Digest> {
        let news = self.related_news(claim, feeds, until, news).await?;
        Ok(Digest {
            date,
            essay: self.claims.essay.clone(),
            claim: claim.clone(),
            round,
            news,
        })
    }
}
