//! The evidence ledger's use cases: the Evidence panel of a post and its marks, members' own
//! evidence, moderators' removals and restorations, and the receipts when a prediction resolves
//! (the resolution card, members' calls, the scorecard).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::ingest::ParseOffThread;
use super::App;
use crate::domain::claims::{Claim, ClaimKind, Resolution};
use crate::domain::evidence::{
    self, Added, Calls, Entry, EvidenceId, LedgerPage, MemberCalls, Panel, ResolutionCard, Scorecard, Stance,
};
use crate::domain::ids::{ClaimId, GuildId, PostId, RoleId, UserId};
use crate::domain::news::story_key_of;
use crate::domain::records::{moderates, GuildSettings};
use crate::domain::schedule::local_date;
use crate::domain::text::truncate_chars;
use crate::domain::votes::{Question, Tally};
use crate::error::{Error, UserError};
use crate::feeds::discover::{read_page, ReadPageError};
use crate::feeds::FeedSource;
use crate::message::{msg, reasons, Message};
use crate::store::{NewEvidence, NewMark};

/// Who is marking: the member, and what Discord says of their standing in the server.
#[derive(Debug, Clone)]
pub struct Marker {
    pub user: UserId,
    /// Manage Server or Administrator, per the interaction's permissions.
    pub manages_server: bool,
    pub roles: Vec<RoleId>,
}

impl App {
    /// The Evidence panel of `post` for `viewer`: the post's news with the marks standing.
    pub async fn evidence_panel(&self, guild: GuildId, post: PostId, viewer: UserId) -> Result<Panel, Error> {
        let claim = self.post_claim(guild, post).await?;
        let entries = self.store.post_evidence(post, viewer).await?;
        if entries.is_empty() {
            return Err(msg!("evidence-panel-empty").into());
        }
        Ok(Panel {
            post,
            claim,
            entries,
            marked: None,
        })
    }

    /// A member's mark on one story of a post's panel; answers with the panel as it now stands.
    /// A moderator's off-topic mark withholds the story at once, members' at
    /// EVIDENCE_OFFTOPIC_MIN marks.
    pub async fn mark_evidence(
        &self,
        guild: GuildId,
        post: PostId,
        entry: EvidenceId,
        stance: Stance,
        marker: &Marker,
        now: DateTime<Utc>,
    ) -> Result<Panel, Error> {
        let claim = self.post_claim(guild, post).await?;
        let on_post = self.store.post_evidence(post, marker.user).await?;
        if !on_post.iter().any(|(e, _)| e.id == entry) {
            return Err(msg!("error-unknown-button").into());
        }
        let moderator_role = self.store.guild(guild).await?.and_then(|g| g.moderator_role);
        let mark = NewMark {
            guild,
            entry,
            user: marker.user,
            post: Some(post),
            stance,
            moderator: moderates(marker.manages_server, &marker.roles, moderator_role),
            off_topic_min: self.config.evidence_offtopic_min,
        };
        self.store
            .mark_evidence(mark, now)
            .await?
            .ok_or_else(|| UserError::new(msg!("error-unknown-button")))?;
        Ok(Panel {
            post,
            claim,
            entries: self.store.post_evidence(post, marker.user).await?,
            marked: Some((entry, stance)),
        })
    }

    /// The claim a post of this server asked; a post of another server is refused.
    async fn post_claim(&self, guild: GuildId, post: PostId) -> Result<ClaimId, Error> {
        match self.store.post(post).await? {
            Some(p) if p.guild == guild => Ok(p.claim_id),
            _ => Err(msg!("error-unknown-button").into()),
        }
    }

    /// `/evidence claim:`: a page of the claim's ledger, newest first. Moderators may ask for the
    /// withheld entries instead, to put one back.
    pub async fn ledger_page(
        &self,
        guild: GuildId,
        claim: &str,
        page: u32,
        withheld: bool,
    ) -> Result<LedgerPage, Error> {
        let claim = self.server_claim(guild, claim).await?.id;
        let total = self.store.ledger_count(guild, &claim, withheld).await?;
        let (page, pages, before) = evidence::ledger_window(total, page as usize);
        let mut entries = self
            .store
            .ledger_slice(guild, &claim, withheld, before, evidence::LEDGER_PAGE)
            .await?;
        // The moderators' list of withheld entries shows them as entries, to put back.
        for e in &mut entries {
            e.withheld = None;
        }
        Ok(LedgerPage {
            claim,
            entries,
            page,
            pages,
            total,
        })
    }

    /// The most marked entries on each side of a claim (`/claim show`, the resolution card).
    pub async fn strongest_evidence(
        &self,
        guild: GuildId,
        claim: &ClaimId,
    ) -> anyhow::Result<(Vec<Entry>, Vec<Entry>)> {
        let entries = self.store.ledger(guild, Some(claim)).await?;
        Ok(evidence::strongest(&entries, evidence::STRONGEST))
    }

    /// `/evidence add`: reads the page at `url` through the guarded feed client (same address
    /// rules and limits as feeds), takes its title (or a feed's newest item) and files it on the
    /// claim's ledger with the member's stance. The same story twice merges.
    pub async fn add_evidence(
        &self,
        settings: &GuildSettings,
        claim: &str,
        url: &str,
        stance: Stance,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Added, Error> {
        let claim = self.server_claim(settings.id, claim).await?.id;
        let Some(_adding) = self.evidence_adding.take((settings.id, user)) else {
            return Err(msg!("evidence-add-busy").into());
        };
        let day_start = local_date(settings.timezone, now)
            .and_time(chrono::NaiveTime::MIN)
            .and_local_timezone(settings.timezone)
            .earliest()
            .map_or(now - chrono::Duration::days(1), |start| start.with_timezone(&Utc));
        let max = self.config.evidence_add_per_day;
        if self.store.evidence_filed_since(settings.id, user, day_start).await? >= max {
            return Err(msg!("evidence-add-limit", max = max).into());
        }
        let unreadable = |why: Message| UserError::new(msg!("evidence-unreadable", reason = why));
        let parsed = FeedSource::parse_remote(url).map_err(|e| unreadable(reasons::feed_failure(&e.failure())))?;
        let parse = ParseOffThread { app: self, now };
        let page = read_page(&self.feeds, &parsed, &parse).await.map_err(|e| {
            unreadable(match e {
                ReadPageError::Fetch(f) => reasons::feed_failure(&f.failure()),
                ReadPageError::NotModified => msg!("reason-not-modified"),
                ReadPageError::NoTitle => msg!("reason-no-title"),
                ReadPageError::EmptyFeed => msg!("reason-empty-feed"),
            })
        })?;
        let link = url::Url::parse(&page.url).unwrap_or(parsed);
        let story = story_key_of(&link).ok_or_else(|| unreadable(msg!("reason-bad-address")))?;
        let source = link
            .host_str()
            .unwrap_or_default()
            .trim_start_matches("www.")
            .to_string();
        let new = NewEvidence {
            guild: settings.id,
            claim: &claim,
            story: &story,
            title: &page.title,
            url: link.as_str(),
            source: &truncate_chars(&source, 100),
            by: user,
            stance,
        };
        let (entry, merged) = self.store.add_evidence(&new, now).await?;
        Ok(Added { entry, merged })
    }

    /// `/evidence remove` (moderators): takes an entry off a claim's ledger.
    pub async fn remove_evidence(&self, guild: GuildId, claim: &str, id: i64) -> Result<Entry, Error> {
        let claim = self.server_claim(guild, claim).await?.id;
        let entry = self
            .store
            .evidence_entry(guild, EvidenceId(id))
            .await?
            .filter(|e| e.claim == claim)
            .ok_or_else(|| UserError::new(msg!("evidence-no-such-entry", id = id)))?;
        self.store.remove_evidence(guild, &claim, entry.id).await?;
        Ok(entry)
    }

    /// `/evidence restore` (moderators): puts a withheld story back beside its claim.
    pub async fn restore_evidence(&self, guild: GuildId, claim: &str, id: i64) -> Result<Entry, Error> {
        let claim = self.server_claim(guild, claim).await?.id;
        let entry = self
            .store
            .evidence_entry(guild, EvidenceId(id))
            .await?
            .filter(|e| e.claim == claim)
            .ok_or_else(|| UserError::new(msg!("evidence-no-such-entry", id = id)))?;
        if !self.store.restore_evidence(guild, &claim, entry.id).await? {
            return Err(msg!("evidence-not-withheld", id = id).into());
        }
        Ok(entry)
    }

    /// The resolution card of a prediction just resolved: the community's stance in every round it
    /// was asked, the verdict votes, and the strongest evidence on each side.
    pub async fn resolution_card(
        &self,
        guild: GuildId,
        claim: &Claim,
        resolution: Resolution,
    ) -> anyhow::Result<ResolutionCard> {
        let mut rounds = Vec::new();
        let mut verdict = Tally::default();
        for (id, round) in self.store.round_tallies(guild).await? {
            if id != claim.id {
                continue;
            }
            let asked = self.store.post(round.post).await?.map(|p| p.question);
            if asked == Some(Question::Verdict) {
                verdict = Tally::from_counts(
                    Question::Verdict
                        .choices()
                        .map(|c| (c, verdict.count(c) + round.tally.count(c))),
                );
            } else {
                rounds.push(round);
            }
        }
        let (supporting, contradicting) = self.strongest_evidence(guild, &claim.id).await?;
        Ok(ResolutionCard {
            claim: claim.clone(),
            resolution,
            rounds,
            verdict,
            supporting,
            contradicting,
        })
    }

    /// A member's calls on the resolved predictions of a server.
    pub async fn member_calls(&self, guild: GuildId, user: UserId) -> anyhow::Result<Calls> {
        let history: Vec<_> = self
            .store
            .stance_history(guild, Some(user))
            .await?
            .into_iter()
            .map(|(_, change)| change)
            .collect();
        let resolutions = self.store.resolutions(guild).await?;
        let claims = self.claims_for(guild).await?;
        Ok(evidence::calls(&history, claims.claims(), &resolutions))
    }

    /// Every member's calls, for the export.
    pub async fn export_calls(&self, guild: GuildId) -> anyhow::Result<Vec<MemberCalls>> {
        let resolutions = self.store.resolutions(guild).await?;
        let claims = self.claims_for(guild).await?;
        let mut by_member: HashMap<UserId, Vec<evidence::StanceChange>> = HashMap::new();
        for (user, change) in self.store.stance_history(guild, None).await? {
            by_member.entry(user).or_default().push(change);
        }
        let mut out: Vec<MemberCalls> = by_member
            .into_iter()
            .map(|(user, history)| MemberCalls {
                user,
                calls: evidence::calls(&history, claims.claims(), &resolutions),
            })
            .filter(|m| !m.calls.calls.is_empty())
            .collect();
        out.sort_by_key(|m| m.user);
        Ok(out)
    }

    /// The whole ledger of a server, every claim, withheld entries included (the export).
    pub async fn export_ledger(&self, guild: GuildId) -> anyhow::Result<Vec<Entry>> {
        self.store.ledger(guild, None).await
    }

    /// `/claim scorecard`: the essay's predictions and how each stands, with the server's verdict.
    pub async fn scorecard(&self, guild: GuildId) -> anyhow::Result<Scorecard> {
        let resolutions = self.store.resolutions(guild).await?;
        let claims = self.claims_for(guild).await?;
        let mut verdicts: HashMap<ClaimId, Tally> = HashMap::new();
        for (claim, round) in self.store.round_tallies(guild).await? {
            let is_prediction = claims
                .get(claim.as_str())
                .is_some_and(|c| c.kind == ClaimKind::Prediction);
            if !is_prediction {
                continue;
            }
            let sum = verdicts.entry(claim).or_default();
            *sum = Tally::from_counts(
                Question::Verdict
                    .choices()
                    .map(|c| (c, sum.count(c) + round.tally.count(c))),
            );
        }
        Ok(evidence::scorecard(claims.claims(), &resolutions, &verdicts))
    }
}
