//! Claim charts drawn once and served again while what they show is unchanged. Drawing takes
//! milliseconds of CPU and a chart is asked for by every link preview and every visitor: without
//! this, each request drew it anew (a 304 too, since the ETag is taken from the picture).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::domain::lang::Lang;
use crate::render::web::{self as pages, ChartOf};

/// Charts kept at most: every server's claims in both languages would be too many to keep, and
/// the ones in demand stay (the one used longest ago goes first).
const KEPT: usize = 256;

/// Which chart: the server's slug, the claim and the language.
type ChartKey = (String, String, Lang);

pub struct Charts {
    drawn: Mutex<HashMap<ChartKey, Drawn>>,
    kept: usize,
}

impl Default for Charts {
    fn default() -> Charts {
        Charts::keeping(KEPT)
    }
}

struct Drawn {
    of: ChartOf,
    png: Arc<[u8]>,
    used: Instant,
}

impl Charts {
    fn keeping(kept: usize) -> Charts {
        Charts {
            drawn: Mutex::default(),
            kept,
        }
    }

    /// The chart of `of` as a PNG: the one drawn before when it shows the same, else drawn now
    /// (off the async workers) and kept.
    pub async fn png(&self, slug: &str, claim: &str, of: ChartOf) -> anyhow::Result<Arc<[u8]>> {
        let key: ChartKey = (slug.to_string(), claim.to_string(), of.lang());
        if let Some(png) = self.kept(&key, &of) {
            return Ok(png);
        }
        let drawing = of.clone();
        let png: Arc<[u8]> = tokio::task::spawn_blocking(move || pages::claim_chart_png(&drawing))
            .await??
            .into();
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if drawn.len() >= self.kept && !drawn.contains_key(&key) {
            let oldest = drawn.iter().min_by_key(|(_, d)| d.used).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                drawn.remove(&oldest);
            }
        }
        drawn.insert(
            key,
            Drawn {
                of,
                png: png.clone(),
                used: Instant::now(),
            },
        );
        Ok(png)
    }

    fn kept(&self, key: &ChartKey, of: &ChartOf) -> Option<Arc<[u8]>> {
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        let kept = drawn.get_mut(key).filter(|d| d.of == *of)?;
        kept.used = Instant::now();
        Some(kept.png.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Localized;
    use crate::domain::stats::RoundTally;
    use crate::domain::votes::{Choice, Tally};

    fn chart(agree: u32) -> ChartOf {
        let round = RoundTally {
            round: 1,
            post: crate::domain::ids::PostId(1),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            tally: Tally::from_counts([(Choice::Agree, agree), (Choice::Disagree, 1)]),
        };
        let claim = Localized {
            en: "Mathematicians have 700 days".into(),
            zh: "给数学家 700 天".into(),
        };
        ChartOf::for_test(claim, vec![round], Lang::En)
    }

    #[tokio::test]
    async fn a_chart_is_drawn_again_only_when_what_it_shows_changed() {
        let charts = Charts::keeping(2);
        let first = charts.png("s", "c", chart(1)).await.unwrap();
        assert_eq!(&first[..8], b"\x89PNG\r\n\x1a\n");
        let again = charts.png("s", "c", chart(1)).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again), "served from memory");
        let voted = charts.png("s", "c", chart(2)).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &voted) && first != voted, "a new vote draws anew");
        // Full: the chart used longest ago goes.
        charts.png("s", "d", chart(1)).await.unwrap();
        charts.png("s", "c", chart(2)).await.unwrap();
        charts.png("s", "e", chart(1)).await.unwrap();
        let drawn = charts.drawn.lock().unwrap();
        let mut kept: Vec<&str> = drawn.keys().map(|(_, claim, _)| claim.as_str()).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["c", "e"]);
    }
}
