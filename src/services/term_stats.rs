//! Term statistics over the stored news, for the ranking: how many items hold each word.
//!
//! A server's window (14 days of its feeds) is too small to say which words are rare: in a week
//! of one feed about robots, "robot" is everywhere. The statistics are counted over the newest
//! [`MAX_ITEMS`] stored items of every feed instead, on the blocking pool, and kept in memory;
//! they are counted again once they are [`REFRESH`] old. Until the first count is ready (a few
//! seconds after start) the window's own counts are used. Word shares move slowly, so counts a few
//! hours old rank as well as fresh ones, and a sample of this size estimates a share to a small
//! fraction of a percent while bounding the memory and time of a count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::App;
use crate::domain::ranking::TermStats;
use crate::domain::tokenize::{ChineseTerms, Tokenizer};

/// At most this many stored items are counted, the newest first.
pub const MAX_ITEMS: usize = 200_000;
/// Statistics older than this are counted again.
pub const REFRESH: Duration = Duration::from_secs(6 * 3600);
/// Items read from the store at a time.
const PAGE: u32 = 5_000;

/// A count and when it was made.
type Counted = Option<(Instant, Arc<TermStats>)>;

/// The latest count, shared by every clone of the app.
#[derive(Default, Clone)]
pub struct TermStatsCache {
    latest: Arc<RwLock<Counted>>,
    counting: Arc<AtomicBool>,
}

impl App {
    /// The latest statistics, if any; starts a count in the background when there are none yet
    /// or they are old. Never waits for the count.
    pub fn term_stats(&self) -> Option<Arc<TermStats>> {
        let latest = self.term_stats.latest.read().ok()?.clone();
        let stale = latest.as_ref().is_none_or(|(at, _)| at.elapsed() >= REFRESH);
        if stale && !self.term_stats.counting.swap(true, Ordering::AcqRel) {
            let app = self.clone();
            tokio::spawn(async move {
                if let Err(e) = app.count_term_stats().await {
                    tracing::warn!(error = %e, "could not count term statistics; ranking uses the window's");
                }
                app.term_stats.counting.store(false, Ordering::Release);
            });
        }
        latest.map(|(_, stats)| stats)
    }

    /// Counts the statistics now and keeps them (the background count, and tests).
    pub async fn count_term_stats(&self) -> anyhow::Result<Arc<TermStats>> {
        let mut stats = TermStats::default();
        let mut before = None;
        let mut counted = 0usize;
        while counted < MAX_ITEMS {
            let page = self.store.item_texts(before, PAGE).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.0);
            counted += page.len();
            stats = tokio::task::spawn_blocking(move || {
                let mut tokenizer = Tokenizer::new(ChineseTerms::default());
                for (_, title, summary) in &page {
                    stats.add_with(&mut tokenizer, title, summary);
                }
                stats
            })
            .await?;
        }
        let stats = Arc::new(stats);
        if let Ok(mut latest) = self.term_stats.latest.write() {
            *latest = Some((Instant::now(), stats.clone()));
        }
        Ok(stats)
    }
}
