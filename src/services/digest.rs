//! Composing a digest from stored news.

use chrono::{DateTime, NaiveDate, Utc};

use super::App;
use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
use crate::domain::filter::FeedSelection;
use crate::domain::ranking::{NewsIndex, RankedNews};

impl App {
    /// The news of `feeds` in the window ending at `until` that bear on `claim`, best first.
    /// Each feed's word filter applies before ranking, so a filtered item never competes.
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
        // Indexing a large window is CPU work: it runs on the blocking pool, not the async workers.
        let claim = claim.clone();
        let (ranked, took) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let ranked = NewsIndex::new(items).related(&claim, limit);
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
