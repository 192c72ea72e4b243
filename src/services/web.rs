//! The public tally page: turning a server's site on and off (`/digest web`), the links Discord
//! shows, and the views the pages are drawn from. A page is found by its slug alone; a server
//! without a site, or an old slug, finds nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::App;
use crate::domain::claims::ClaimKind;
use crate::domain::ids::{GuildId, UserId};
use crate::domain::lang::Lang;
use crate::domain::site::{
    self, ClaimLine, ClaimPage, DueLine, LeaderLine, LeaderboardPage, RoundLine, ServerPage, Site,
};
use crate::domain::stats::{self, ClaimTotal, RoundTally, Standing};
use crate::domain::text::{plain_text, truncate_chars};
use crate::domain::votes::{Question, Tally};
use crate::error::Error;
use crate::message::msg;

/// A server's site and the address people open it at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    pub site: Site,
    pub url: String,
}

/// 16 bytes from the operating system's CSPRNG: 128 bits, 22 base64url characters.
pub fn new_slug() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes for a site's slug: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The path of a server's page, under the site's base.
pub fn server_path(slug: &str) -> String {
    format!("s/{slug}")
}

/// The path of a claim's page, under the site's base.
pub fn claim_path(slug: &str, claim: &str) -> String {
    format!("s/{slug}/claims/{claim}")
}

impl App {
    fn site_url(&self, path: &str) -> Result<String, Error> {
        let base = self
            .config
            .site_base()
            .ok_or_else(|| Error::from(msg!("web-not-served")))?;
        Ok(base.join(path).map_err(anyhow::Error::from)?.to_string())
    }

    /// `/digest web enable`: the server's site on (a new slug the first time; enabling again
    /// keeps the slug and takes the indexing choice).
    pub async fn enable_site(&self, guild: GuildId, indexable: bool, now: DateTime<Utc>) -> Result<SiteLink, Error> {
        // Refused before anything is stored: a link to a site nobody serves helps no one.
        self.site_url("")?;
        let site = self.store.enable_site(guild, &new_slug()?, indexable, now).await?;
        let url = self.site_url(&server_path(&site.slug))?;
        Ok(SiteLink { site, url })
    }

    /// `/digest web rotate`: a new slug; the old one stops working at once.
    pub async fn rotate_site(&self, guild: GuildId) -> Result<SiteLink, Error> {
        self.site_url("")?;
        let site = self
            .store
            .rotate_site(guild, &new_slug()?)
            .await?
            .ok_or_else(|| Error::from(msg!("web-not-enabled")))?;
        let url = self.site_url(&server_path(&site.slug))?;
        Ok(SiteLink { site, url })
    }

    /// `/digest web disable`: the site off at once; false when it was not on.
    pub async fn disable_site(&self, guild: GuildId) -> anyhow::Result<bool> {
        self.store.disable_site(guild).await
    }

    /// The claim's page, when the server's site is on and this process knows its address.
    pub async fn claim_page_url(&self, guild: GuildId, claim: &str) -> anyhow::Result<Option<String>> {
        if self.config.site_base().is_none() {
            return Ok(None);
        }
        Ok(match self.store.site(guild).await? {
            Some(site) => self.site_url(&claim_path(&site.slug, claim)).ok(),
            None => None,
        })
    }

    /// `/me web:show`: the member on the site's leaderboard under `name`.
    pub async fn show_on_site(
        &self,
        guild: GuildId,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let name = site_name(name);
        self.store.show_on_site(guild, user, &name, now).await
    }

    /// `/me web:hide`: off the site's leaderboard at once.
    pub async fn hide_from_site(&self, guild: GuildId, user: UserId) -> anyhow::Result<()> {
        self.store.hide_from_site(guild, user).await
    }

    /// A member used the bot: the name the site shows for them (if they chose to appear) follows
    /// their current one.
    pub async fn refresh_site_name(&self, guild: GuildId, user: UserId, name: &str) -> anyhow::Result<()> {
        self.store.refresh_site_name(guild, user, &site_name(name)).await
    }

    async fn site_of(&self, slug: &str) -> anyhow::Result<Option<(GuildId, Site, Lang, chrono::NaiveDate)>> {
        if !site::is_slug(slug) {
            return Ok(None);
        }
        let Some((guild, site)) = self.store.site_by_slug(slug).await? else {
            return Ok(None);
        };
        let Some(settings) = self.store.guild(guild).await? else {
            return Ok(None);
        };
        let today = self.local_today(&settings, self.clock.now());
        Ok(Some((guild, site, settings.language, today)))
    }

    /// The server page of the site with this slug. Its numbers are worked out at most once per
    /// [`PAGE_FRESH_FOR`]; the site itself and whether anyone is on its leaderboard are read
    /// fresh.
    pub async fn server_page(&self, slug: &str) -> anyhow::Result<Option<ServerPage>> {
        let Some((guild, site, lang, today)) = self.site_of(slug).await? else {
            return Ok(None);
        };
        let numbers = memoized(&self.pages.server, guild, PAGE_FRESH_FOR, || {
            self.server_numbers(guild, lang, today)
        })
        .await?;
        Ok(Some(ServerPage {
            lang,
            indexable: site.indexable,
            has_leaderboard: !self.store.site_members(guild).await?.is_empty(),
            ..(*numbers).clone()
        }))
    }

    async fn server_numbers(&self, guild: GuildId, lang: Lang, today: chrono::NaiveDate) -> anyhow::Result<ServerPage> {
        let mut by_claim: Vec<(String, Vec<RoundTally>)> = Vec::new();
        for (claim, round) in self.store.round_tallies(guild).await? {
            match by_claim.iter_mut().find(|(c, _)| *c == claim.as_str()) {
                Some((_, rounds)) => rounds.push(round),
                None => by_claim.push((claim.to_string(), vec![round])),
            }
        }
        let server_claims = self.claims_for(guild).await?;
        let mut claims = Vec::new();
        for (id, rounds) in by_claim {
            let Some(claim) = server_claims.get(&id) else { continue };
            let total = Tally::from_counts(
                rounds
                    .iter()
                    .flat_map(|r| Question::Stance.choices().into_iter().map(|c| (c, r.tally.count(c)))),
            );
            claims.push(ClaimLine {
                claim: claim.clone(),
                total,
                rounds: rounds.len() as u32,
                first_posted: rounds[0].date,
                shift: stats::agreement_change(&rounds),
            });
        }
        let totals: Vec<ClaimTotal> = claims
            .iter()
            .map(|c| (c.claim.id.clone(), c.total.clone(), c.first_posted))
            .collect();
        let due: Vec<DueLine> = self
            .due_predictions(guild, today)
            .await?
            .into_iter()
            .map(|(claim, verdict, resolution)| DueLine {
                claim,
                verdict,
                resolution,
            })
            .collect();
        let predictions = server_claims
            .claims()
            .iter()
            .filter(|c| c.kind == ClaimKind::Prediction)
            .count() as u32;
        Ok(ServerPage {
            lang,
            indexable: false,
            essay: self.claims.essay.clone(),
            highlights: stats::highlights(&totals),
            biggest_shift: site::biggest_shift(&claims),
            scorecard: site::scorecard(predictions, &due),
            claims,
            due,
            has_leaderboard: false,
        })
    }

    /// The page of one claim the server has posted.
    pub async fn claim_page(&self, slug: &str, claim: &str) -> anyhow::Result<Option<ClaimPage>> {
        let Some((guild, site, lang, _)) = self.site_of(slug).await? else {
            return Ok(None);
        };
        let server_claims = self.claims_for(guild).await?;
        let Some(found) = server_claims.get(claim) else {
            return Ok(None);
        };
        let rounds: Vec<RoundLine> = self
            .store
            .claim_round_tallies(guild, &found.id)
            .await?
            .into_iter()
            .map(|(round, question)| RoundLine { question, round })
            .collect();
        if rounds.is_empty() {
            return Ok(None);
        }
        let verdict = Tally::from_counts(rounds.iter().flat_map(|r| {
            Question::Verdict
                .choices()
                .into_iter()
                .map(|c| (c, r.round.tally.count(c)))
        }));
        let resolution = self
            .store
            .resolutions(guild)
            .await?
            .into_iter()
            .find(|r| r.claim_id == found.id);
        Ok(Some(ClaimPage {
            lang,
            indexable: site.indexable,
            essay: self.claims.essay.clone(),
            claim: found.clone(),
            rounds,
            verdict,
            resolution,
            evidence: {
                let mut entries = self.store.ledger(guild, Some(&found.id)).await?;
                entries.retain(|e| e.withheld.is_none());
                entries
            },
        }))
    }

    /// The leaderboard page: only members who chose to appear, under the names they chose it with.
    pub async fn leaderboard_page(&self, slug: &str) -> anyhow::Result<Option<LeaderboardPage>> {
        let Some((guild, site, lang, today)) = self.site_of(slug).await? else {
            return Ok(None);
        };
        // Who chose to appear is read fresh (leaving takes effect at once); the standings, which
        // read every vote in the server, at most once per PAGE_FRESH_FOR.
        let names: HashMap<UserId, String> = self.store.site_members(guild).await?.into_iter().collect();
        let standings = memoized(&self.pages.standings, guild, PAGE_FRESH_FOR, || {
            self.leaderboard(guild, today)
        })
        .await?;
        let members = standings
            .iter()
            .filter_map(|s| {
                names.get(&s.user).map(|name| LeaderLine {
                    name: name.clone(),
                    votes: s.votes,
                    current_streak: s.current_streak,
                    longest_streak: s.longest_streak,
                })
            })
            .collect();
        Ok(Some(LeaderboardPage {
            lang,
            indexable: site.indexable,
            essay: self.claims.essay.clone(),
            members,
        }))
    }
}

/// How long the server page's numbers and the leaderboard's standings are reused. Both read
/// every round, or every vote, of the server: a page asked 200 times a second is then worked out
/// a few times a minute, and votes never queue behind it. A vote shows on the page within this.
pub const PAGE_FRESH_FOR: Duration = Duration::from_secs(5);

/// Per server, what the heavy pages were last worked out as, and when.
#[derive(Default)]
pub struct PageMemo {
    server: Memo<ServerPage>,
    standings: Memo<Vec<Standing>>,
}

type Memo<T> = std::sync::Mutex<HashMap<GuildId, Kept<T>>>;

struct Kept<T> {
    at: Instant,
    value: Arc<T>,
    /// A request is working out a newer value; the others take this one meanwhile.
    refreshing: bool,
}

/// The value kept for `guild` when it is younger than `fresh_for`; else `work`'s, kept. While one
/// request works out a newer value the others get the one kept, so that only the first request
/// for a server ever waits for the work.
async fn memoized<T, F, Fut>(memo: &Memo<T>, guild: GuildId, fresh_for: Duration, work: F) -> anyhow::Result<Arc<T>>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    {
        let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(&guild) {
            if k.at.elapsed() < fresh_for || k.refreshing {
                return Ok(k.value.clone());
            }
            k.refreshing = true;
        }
    }
    // A request dropped while working (its client went away) must not leave the value marked
    // as being refreshed for ever.
    let mut unmark = Unmark {
        memo,
        guild,
        finished: false,
    };
    let value = Arc::new(work().await?);
    let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
    kept.insert(
        guild,
        Kept {
            at: Instant::now(),
            value: value.clone(),
            refreshing: false,
        },
    );
    unmark.finished = true;
    Ok(value)
}

/// Clears the refreshing mark of `guild` when the work did not finish (it failed, or its
/// request was dropped).
struct Unmark<'a, T> {
    memo: &'a Memo<T>,
    guild: GuildId,
    finished: bool,
}

impl<T> Drop for Unmark<'_, T> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut kept = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(&self.guild) {
            k.refreshing = false;
        }
    }
}

/// A display name as the site keeps it: plain text, at most 100 characters, never empty.
fn site_name(name: &str) -> String {
    let name = truncate_chars(plain_text(name).trim(), 100);
    if name.is_empty() {
        "?".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_page_is_worked_out_once_while_fresh_and_again_once_stale() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let memo: Memo<u32> = Default::default();
        let works = AtomicU32::new(0);
        let work = || async { Ok(works.fetch_add(1, Ordering::SeqCst) + 1) };
        for _ in 0..3 {
            let kept = memoized(&memo, GuildId(1), Duration::from_secs(60), work)
                .await
                .unwrap();
            assert_eq!(*kept, 1, "worked out once while fresh");
        }
        let other = memoized(&memo, GuildId(2), Duration::from_secs(60), work)
            .await
            .unwrap();
        assert_eq!(*other, 2, "each server its own");
        let stale = memoized(&memo, GuildId(1), Duration::ZERO, work).await.unwrap();
        assert_eq!(*stale, 3, "worked out again once stale");
        let failed = memoized(&memo, GuildId(3), Duration::ZERO, || async {
            anyhow::bail!("database down")
        })
        .await;
        assert!(failed.is_err(), "a failure is not kept");
        assert_eq!(*memoized(&memo, GuildId(3), Duration::ZERO, work).await.unwrap(), 4);

        // While one request works out a newer value, another gets the kept one at once.
        let (done, finish) = tokio::sync::oneshot::channel::<()>();
        let slow = memoized(&memo, GuildId(1), Duration::ZERO, || async {
            finish.await.ok();
            Ok(100)
        });
        let quick = async {
            let kept = memoized(&memo, GuildId(1), Duration::ZERO, work).await.unwrap();
            done.send(()).unwrap();
            kept
        };
        let (slow, quick) = tokio::join!(slow, quick);
        assert_eq!((*slow.unwrap(), *quick), (100, 3));

        // A request dropped while working leaves the next one free to work.
        let dropped = tokio::time::timeout(
            Duration::from_millis(20),
            memoized(
                &memo,
                GuildId(1),
                Duration::ZERO,
                std::future::pending::<anyhow::Result<u32>>,
            ),
        )
        .await;
        assert!(dropped.is_err());
        assert_eq!(*memoized(&memo, GuildId(1), Duration::ZERO, work).await.unwrap(), 5);
    }

    #[test]
    fn slugs_carry_128_random_bits_in_base64url() {
        let a = new_slug().unwrap();
        let b = new_slug().unwrap();
        assert_eq!(a.len(), 22);
        assert!(site::is_slug(&a), "{a}");
        assert_ne!(a, b);
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&a).unwrap();
        assert_eq!(bytes.len(), 16);
    }
}
