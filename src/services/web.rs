//! The public tally page: turning a server's site on and off (`/digest web`), the links Discord
//! shows, and the views the pages are drawn from. A page is found by its slug alone; a server
//! without a site, or an old slug, finds nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use chrono::{DateTime, Utc};

use super::App;
use crate::domain::claims::{Claim, ClaimKind, ClaimSet};
use crate::domain::ids::{ClaimId, GuildId, UserId};
use crate::domain::lang::Lang;
use crate::domain::site::{
    self, ClaimLine, ClaimPage, DueLine, LeaderLine, LeaderboardPage, RoundLine, ServerPage, Site,
};
use crate::domain::stats::{self, ClaimTotal, RoundTally, Standing};
use crate::domain::text::{plain_text, truncate_chars};
use crate::domain::votes::{Question, Tally};
use crate::error::Error;
use crate::message::msg;
use crate::store::SiteOwner;

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
        self.pages.reads.changed();
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
        self.pages.reads.changed();
        let url = self.site_url(&server_path(&site.slug))?;
        Ok(SiteLink { site, url })
    }

    /// `/digest web disable`: the site off at once; false when it was not on.
    pub async fn disable_site(&self, guild: GuildId) -> anyhow::Result<bool> {
        let was_on = self.store.disable_site(guild).await?;
        self.pages.reads.changed();
        Ok(was_on)
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
        self.store.show_on_site(guild, user, &name, now).await?;
        self.pages.reads.changed();
        Ok(())
    }

    /// `/me web:hide`: off the site's leaderboard at once.
    pub async fn hide_from_site(&self, guild: GuildId, user: UserId) -> anyhow::Result<()> {
        self.store.hide_from_site(guild, user).await?;
        self.pages.reads.changed();
        Ok(())
    }

    /// A member used the bot: the name the site shows for them (if they chose to appear) follows
    /// their current one.
    pub async fn refresh_site_name(&self, guild: GuildId, user: UserId, name: &str) -> anyhow::Result<()> {
        if self.store.refresh_site_name(guild, user, &site_name(name)).await? {
            self.pages.reads.changed();
        }
        Ok(())
    }

    async fn site_of(&self, slug: &str) -> anyhow::Result<Option<FoundSite>> {
        if !site::is_slug(slug) {
            return Ok(None);
        }
        let store = &self.store;
        let found = self
            .pages
            .reads
            .owners
            .read(&self.pages.reads, slug.to_string(), async {
                Ok(store.site_owner(slug).await?.map(Arc::new))
            });
        let Some(owner) = found.await? else {
            return Ok(None);
        };
        Ok(Some(FoundSite {
            guild: owner.settings.id,
            lang: owner.settings.language,
            today: self.local_today(&owner.settings, self.clock.now()),
            site: owner.site.clone(),
            has_members: owner.has_members,
        }))
    }

    /// The server page of the site with this slug. Its numbers are worked out at most once per
    /// [`PAGE_FRESH_FOR`]; the site itself and whether anyone is on its leaderboard are read
    /// fresh.
    pub async fn server_page(&self, slug: &str) -> anyhow::Result<Option<ServerPage>> {
        let Some(found) = self.site_of(slug).await? else {
            return Ok(None);
        };
        let (app, guild, lang, today) = (self.clone(), found.guild, found.lang, found.today);
        let numbers = memoized(&self.pages.server, guild, PAGE_FRESH_FOR, move || async move {
            app.server_numbers(guild, lang, today).await
        })
        .await?;
        Ok(Some(ServerPage {
            lang,
            indexable: found.site.indexable,
            has_leaderboard: found.has_members,
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
        let Some(FoundSite { guild, site, lang, .. }) = self.site_of(slug).await? else {
            return Ok(None);
        };
        // Only the server's own claims are kept, so that made-up addresses cannot fill memory.
        let server_claims = self.site_claims(guild).await?;
        let Some(found) = server_claims.get(claim).cloned() else {
            return Ok(None);
        };
        let app = self.clone();
        let key = (guild, found.id.clone());
        let page = memoized(&self.pages.claims, key, PAGE_FRESH_FOR, move || async move {
            app.claim_numbers(guild, found).await
        })
        .await?;
        Ok(page.as_ref().clone().map(|page| ClaimPage {
            lang,
            indexable: site.indexable,
            ..page
        }))
    }

    async fn claim_numbers(&self, guild: GuildId, found: Claim) -> anyhow::Result<Option<ClaimPage>> {
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
        let evidence = {
            let mut entries = self.store.ledger(guild, Some(&found.id)).await?;
            entries.retain(|e| e.withheld.is_none());
            entries
        };
        Ok(Some(ClaimPage {
            lang: Lang::default(),
            indexable: false,
            essay: self.claims.essay.clone(),
            claim: found,
            rounds,
            verdict,
            resolution,
            evidence,
        }))
    }

    /// The leaderboard page: only members who chose to appear, under the names they chose it with.
    pub async fn leaderboard_page(&self, slug: &str) -> anyhow::Result<Option<LeaderboardPage>> {
        let Some(found) = self.site_of(slug).await? else {
            return Ok(None);
        };
        let (guild, today) = (found.guild, found.today);
        // Who chose to appear is read again at once after anyone shows or hides (leaving takes
        // effect on the next request); the standings, which read every vote in the server, at
        // most once per PAGE_FRESH_FOR.
        let names: Arc<HashMap<UserId, String>> = if found.has_members {
            let store = &self.store;
            let read = self.pages.reads.members.read(&self.pages.reads, guild, async {
                Ok(Some(Arc::new(store.site_members(guild).await?.into_iter().collect())))
            });
            read.await?.unwrap_or_default()
        } else {
            Arc::default()
        };
        let app = self.clone();
        let standings = memoized(&self.pages.standings, guild, PAGE_FRESH_FOR, move || async move {
            app.leaderboard(guild, today).await
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
            lang: found.lang,
            indexable: found.site.indexable,
            essay: self.claims.essay.clone(),
            members,
        }))
    }

    /// The server's claims (the essay's and its approved suggestions), as page requests read
    /// them: reused for [`SITE_FRESH_FOR`].
    async fn site_claims(&self, guild: GuildId) -> anyhow::Result<Arc<ClaimSet>> {
        let read = self.pages.reads.claims.read(&self.pages.reads, guild, async {
            Ok(Some(self.claims_for(guild).await?))
        });
        read.await?.context("the server's claims were read as nothing")
    }
}

/// A site as a page request found it, within [`SITE_FRESH_FOR`] (and at once after a change
/// this process made): revoking, rotating or leaving the leaderboard shows on the next request.
struct FoundSite {
    guild: GuildId,
    site: Site,
    lang: Lang,
    /// The server's date, in its time zone.
    today: chrono::NaiveDate,
    has_members: bool,
}

/// How long the server page's numbers and the leaderboard's standings are reused. Both read
/// every round, or every vote, of the server: a page asked 200 times a second is then worked out
/// a few times a minute, and votes never queue behind it. A vote shows on the page within this.
pub const PAGE_FRESH_FOR: Duration = Duration::from_secs(5);

/// Per server, what the heavy pages were last worked out as, and when.
#[derive(Default)]
pub struct PageMemo {
    server: Arc<Memo<GuildId, ServerPage>>,
    standings: Arc<Memo<GuildId, Vec<Standing>>>,
    /// A claim's page, by server and claim (none: a claim of the server never posted there).
    claims: Arc<Memo<(GuildId, ClaimId), Option<ClaimPage>>>,
    reads: SiteReads,
}

/// How long a page request reuses what an earlier one read of its site: the site and its
/// server's settings, who is on its leaderboard, the server's claims. Changes this process makes
/// to a site (on, off, a new slug, a member showing, hiding or renamed) show on the very next
/// request; others (a server's settings, an approved suggestion, or a change another process
/// made to the same PostgreSQL database) within this.
pub const SITE_FRESH_FOR: Duration = Duration::from_secs(1);

/// The reads of [`SITE_FRESH_FOR`]. Without them a page asked 200 times a second reads its site
/// 200 times a second, each read on SQLite a hand-over to a connection's thread and back; reused,
/// the benchmark's leaderboard took half the time at the median (BENCHMARKS.md, row 8).
#[derive(Default)]
struct SiteReads {
    /// Counts this process's changes to sites. A read remembers the count it began under and is
    /// reused only while the count is the same, so a read that raced a change is not kept.
    epoch: AtomicU64,
    owners: Recently<String, Arc<SiteOwner>>,
    members: Recently<GuildId, Arc<HashMap<UserId, String>>>,
    claims: Recently<GuildId, Arc<ClaimSet>>,
}

impl SiteReads {
    /// A site changed: everything read before is read again. Forgotten too, so that old slugs
    /// do not stay in memory.
    fn changed(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.owners.forget();
        self.members.forget();
        self.claims.forget();
    }
}

/// Values read recently, by key, with when and under which epoch, reused for `fresh_for`.
struct Recently<K, T> {
    kept: std::sync::Mutex<HashMap<K, (Instant, u64, T)>>,
    fresh_for: Duration,
}

impl<K, T> Default for Recently<K, T> {
    fn default() -> Self {
        Recently {
            kept: Default::default(),
            fresh_for: SITE_FRESH_FOR,
        }
    }
}

impl<K: Eq + std::hash::Hash, T: Clone> Recently<K, T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, u64, T)>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn forget(&self) {
        self.lock().clear();
    }

    /// The value read for `key` within `fresh_for` and since the last change, or else
    /// what `read` finds now (kept when found; nothing found is not kept, so that made-up keys
    /// cannot fill memory).
    async fn read(
        &self,
        reads: &SiteReads,
        key: K,
        read: impl std::future::Future<Output = anyhow::Result<Option<T>>>,
    ) -> anyhow::Result<Option<T>> {
        let epoch = reads.epoch.load(Ordering::SeqCst);
        if let Some((at, kept_epoch, value)) = self.lock().get(&key) {
            if *kept_epoch == epoch && at.elapsed() < self.fresh_for {
                return Ok(Some(value.clone()));
            }
        }
        let found = read.await?;
        let mut kept = self.lock();
        match &found {
            Some(value) if reads.epoch.load(Ordering::SeqCst) == epoch => {
                kept.insert(key, (Instant::now(), epoch, value.clone()));
            }
            _ => {
                kept.remove(&key);
            }
        }
        Ok(found)
    }
}

type Memo<K, T> = std::sync::Mutex<HashMap<K, Kept<T>>>;

struct Kept<T> {
    at: Instant,
    value: Arc<T>,
    /// Since when a task has been working out a newer value, if one is.
    refreshing: Option<Instant>,
}

/// A refresh that has not finished by then is presumed lost (its task panicked), and the next
/// request starts another.
const REFRESH_GIVE_UP: Duration = Duration::from_secs(60);

/// The value kept for `key`. When it is older than `fresh_for`, the request still gets it at
/// once and a task works out the newer one (one task at a time): only the very first request
/// for a page waits for `work`.
async fn memoized<K, T, F, Fut>(memo: &Arc<Memo<K, T>>, key: K, fresh_for: Duration, work: F) -> anyhow::Result<Arc<T>>
where
    K: Eq + std::hash::Hash + Clone + Send + 'static,
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let stale = {
        let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
        match kept.get_mut(&key) {
            Some(k) if k.at.elapsed() < fresh_for => return Ok(k.value.clone()),
            Some(k) if k.refreshing.is_some_and(|since| since.elapsed() < REFRESH_GIVE_UP) => {
                return Ok(k.value.clone())
            }
            Some(k) => {
                k.refreshing = Some(Instant::now());
                Some(k.value.clone())
            }
            None => None,
        }
    };
    let job = work();
    let Some(stale) = stale else {
        let value = Arc::new(job.await?);
        keep(memo, key, Ok(value.clone()));
        return Ok(value);
    };
    let memo = memo.clone();
    tokio::spawn(async move {
        let done = job.await.map(Arc::new);
        keep(&memo, key, done);
    });
    Ok(stale)
}

/// Keeps a newly worked out value; after a failure, the old one stays (the cause is logged).
fn keep<K: Eq + std::hash::Hash, T>(memo: &Memo<K, T>, key: K, done: anyhow::Result<Arc<T>>) {
    let mut kept = memo.lock().unwrap_or_else(|e| e.into_inner());
    match done {
        Ok(value) => {
            kept.insert(
                key,
                Kept {
                    at: Instant::now(),
                    value,
                    refreshing: None,
                },
            );
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "a tally page's numbers could not be refreshed; the kept ones stay");
            if let Some(k) = kept.get_mut(&key) {
                k.refreshing = None;
            }
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

    /// A site read is reused while fresh; a change this process makes, even one that lands
    /// while a read is under way, makes the next request read again; nothing found is not kept.
    #[tokio::test]
    async fn site_reads_are_reused_until_a_change_and_a_read_that_raced_one_is_not_kept() {
        use std::sync::atomic::AtomicU32;
        let reads = SiteReads::default();
        let count = AtomicU32::new(0);
        let read = |found: bool| {
            let count = &count;
            async move {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(found.then_some(n))
            }
        };
        // Fresh for an hour: the test never depends on how fast the machine is.
        let members: Recently<GuildId, u32> = Recently {
            kept: Default::default(),
            fresh_for: Duration::from_secs(3600),
        };
        for _ in 0..3 {
            assert_eq!(members.read(&reads, GuildId(1), read(true)).await.unwrap(), Some(1));
        }
        assert_eq!(
            members.read(&reads, GuildId(2), read(true)).await.unwrap(),
            Some(2),
            "each key its own"
        );

        reads.changed();
        assert_eq!(
            members.read(&reads, GuildId(1), read(true)).await.unwrap(),
            Some(3),
            "read again after a change"
        );
        assert_eq!(members.read(&reads, GuildId(1), read(true)).await.unwrap(), Some(3));

        // A change while a read is under way: the read's answer is used, not kept.
        reads.changed();
        let racing = async {
            reads.changed();
            read(true).await
        };
        assert_eq!(members.read(&reads, GuildId(1), racing).await.unwrap(), Some(4));
        assert_eq!(members.read(&reads, GuildId(1), read(true)).await.unwrap(), Some(5));
        assert_eq!(members.read(&reads, GuildId(1), read(true)).await.unwrap(), Some(5));

        // Nothing found (an unknown or revoked slug): asked again each time, and forgets what was.
        assert_eq!(members.read(&reads, GuildId(9), read(false)).await.unwrap(), None);
        assert_eq!(members.read(&reads, GuildId(9), read(true)).await.unwrap(), Some(7));
        let before = count.load(Ordering::SeqCst);
        assert_eq!(members.read(&reads, GuildId(9), read(false)).await.unwrap(), Some(7));
        assert_eq!(count.load(Ordering::SeqCst), before, "fresh: not read");
    }

    #[tokio::test]
    async fn a_page_is_worked_out_once_while_fresh_and_refreshed_behind_the_kept_one() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let memo: Arc<Memo<GuildId, u32>> = Default::default();
        let works = Arc::new(AtomicU32::new(0));
        let work = |works: &Arc<AtomicU32>| {
            let works = works.clone();
            move || async move { Ok(works.fetch_add(1, Ordering::SeqCst) + 1) }
        };
        for _ in 0..3 {
            let kept = memoized(&memo, GuildId(1), Duration::from_secs(60), work(&works))
                .await
                .unwrap();
            assert_eq!(*kept, 1, "worked out once while fresh");
        }
        let other = memoized(&memo, GuildId(2), Duration::from_secs(60), work(&works))
            .await
            .unwrap();
        assert_eq!(*other, 2, "each server its own");

        // Stale: the kept value at once, while a task works out the newer one.
        let (done, finish) = tokio::sync::oneshot::channel::<()>();
        let slow = move || async move {
            finish.await.ok();
            Ok(100)
        };
        assert_eq!(*memoized(&memo, GuildId(1), Duration::ZERO, slow).await.unwrap(), 1);
        // One refresh at a time: the next request gets the kept value too and starts nothing.
        assert_eq!(
            *memoized(&memo, GuildId(1), Duration::ZERO, work(&works)).await.unwrap(),
            1
        );
        done.send(()).unwrap();
        let mut refreshed = 1;
        for _ in 0..100 {
            refreshed = *memoized(&memo, GuildId(1), Duration::from_secs(60), work(&works))
                .await
                .unwrap();
            if refreshed == 100 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(refreshed, 100, "the newer value replaces the kept one");
        assert_eq!(works.load(Ordering::SeqCst), 2, "no work started while the refresh ran");

        // A first request that fails keeps nothing; a refresh that fails keeps the old value.
        let failing = || async { anyhow::bail!("database down") };
        assert!(memoized::<_, u32, _, _>(&memo, GuildId(3), Duration::ZERO, failing)
            .await
            .is_err());
        assert_eq!(*memoized(&memo, GuildId(2), Duration::ZERO, failing).await.unwrap(), 2);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            *memoized(&memo, GuildId(2), Duration::from_secs(60), work(&works))
                .await
                .unwrap(),
            2
        );
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
