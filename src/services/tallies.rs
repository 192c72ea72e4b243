//! What members see of the tallies: a claim across its rounds (with the anchoring rule), the
//! overview, due predictions, a member's record, the leaderboard and the export.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use crate::domain::claims::{Claim, ClaimKind};
use crate::domain::claims::{Outcome, Resolution};
use crate::domain::ids::{ClaimId, GuildId, PostId, UserId};
use crate::domain::stats::{self, ClaimTotal, Highlights, RoundTally, Standing};
pub use crate::domain::views::{ClaimRounds, ClaimShow, MemberRecord};
use crate::domain::votes::{Choice, Question, Tally};

/// One row of the export: a claim in one round.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    pub claim: ClaimId,
    pub round: u32,
    pub date: String,
    pub counts: serde_json::Map<String, serde_json::Value>,
    pub voters: u32,
    pub resolution: Option<Outcome>,
}

/// Everything a server's export holds.
#[derive(Debug, Clone)]
pub struct Export {
    pub tally: Vec<ExportRow>,
    pub ledger: Vec<crate::domain::evidence::Entry>,
    pub calls: Vec<crate::domain::evidence::MemberCalls>,
}

impl App {
    pub async fn claim_rounds(
        &self,
        guild: GuildId,
        claim: &str,
        viewer: Option<UserId>,
    ) -> anyhow::Result<ClaimRounds> {
        let rounds: Vec<RoundTally> = self
            .store
            .claim_round_tallies(guild, &ClaimId::new(claim))
            .await?
            .into_iter()
            .map(|(round, _)| round)
            .collect();
        let earlier_rounds_visible = match (viewer, rounds.last()) {
            (Some(user), Some(latest)) if rounds.len() > 1 => self
                .store
                .member_choices(guild, user)
                .await?
                .iter()
                .any(|(post, _)| *post == latest.post),
            _ => true,
        };
        let resolution = self
            .store
            .resolutions(guild)
            .await?
            .into_iter()
            .find(|r| r.claim_id == claim);
        let latest_question = match rounds.last() {
            Some(latest) => self.store.post(latest.post).await?.map(|p| p.question),
            None => None,
        };
        Ok(ClaimRounds {
            rounds,
            earlier_rounds_visible,
            resolution,
            page: self.claim_page_url(guild, claim).await?,
            latest_question: latest_question.unwrap_or(Question::Stance),
        })
    }

    /// `/tally claim:`: one of the server's claims (a refusal when it has none by that id) with
    /// its rounds as `viewer` may see them.
    pub async fn claim_tally(
        &self,
        guild: GuildId,
        claim: &str,
        viewer: UserId,
    ) -> Result<(Claim, ClaimRounds), crate::error::Error> {
        let claim = self.server_claim(guild, claim).await?;
        let rounds = self.claim_rounds(guild, claim.id.as_str(), Some(viewer)).await?;
        Ok((claim, rounds))
    }

    /// `/claim show`: the claim's rounds as `viewer` may see them, and its strongest evidence.
    pub async fn claim_show(&self, guild: GuildId, claim: &Claim, viewer: UserId) -> anyhow::Result<ClaimShow> {
        let rounds = self.claim_rounds(guild, claim.id.as_str(), Some(viewer)).await?;
        let (supporting, contradicting) = self.strongest_evidence(guild, &claim.id).await?;
        Ok(ClaimShow {
            rounds,
            supporting,
            contradicting,
        })
    }

    /// Running tallies of every claim posted in the server, with highlights.
    pub async fn overview(&self, guild: GuildId) -> anyhow::Result<(Vec<ClaimTotal>, Highlights)> {
        let mut claims: Vec<ClaimTotal> = Vec::new();
        for (claim, round) in self.store.round_tallies(guild).await? {
            match claims.iter_mut().find(|(c, _, _)| *c == claim) {
                Some((_, tally, _)) => {
                    *tally = Tally::from_counts(tally.counts.iter().chain(&round.tally.counts).map(|(c, n)| (*c, *n)))
                }
                None => claims.push((claim, round.tally, round.date)),
            }
        }
        let highlights = stats::highlights(&claims);
        Ok((claims, highlights))
    }

    /// Predictions whose deadline is before `today`, with the server's verdict votes and any
    /// resolution.
    pub async fn due_predictions(
        &self,
        guild: GuildId,
        today: NaiveDate,
    ) -> anyhow::Result<Vec<(Claim, Tally, Option<Resolution>)>> {
        let (claims, _) = self.overview(guild).await?;
        let resolutions = self.store.resolutions(guild).await?;
        Ok(self
            .claims_for(guild)
            .await?
            .claims()
            .iter()
            .filter(|c| c.is_due(today))
            .map(|c| {
                let votes = claims
                    .iter()
                    .find(|(id, _, _)| *id == c.id)
                    .map(|(_, t, _)| t.clone())
                    .unwrap_or_default();
                let verdict = Tally::from_counts(Question::Verdict.choices().map(|ch| (ch, votes.count(ch))));
                (
                    c.clone(),
                    verdict,
                    resolutions.iter().find(|r| r.claim_id == c.id).cloned(),
                )
            })
            .collect())
    }

    pub async fn member_record(&self, guild: GuildId, user: UserId, today: NaiveDate) -> anyhow::Result<MemberRecord> {
        let choices = self.store.member_choices(guild, user).await?;
        let (posts, tallies, today_post) = self.post_order(guild, today).await?;
        let voted: Vec<PostId> = choices.iter().map(|(p, _)| *p).collect();
        let (current_streak, longest_streak) = stats::streaks(&posts, &voted, today_post);
        Ok(MemberRecord {
            votes: choices.len() as u32,
            current_streak,
            longest_streak,
            with_majority: stats::majority_agreement(&choices, &tallies),
            hidden: self.store.hidden_members(guild).await?.contains(&user),
            calls: self.member_calls(guild, user).await?,
        })
    }

    /// Members by participation and streaks, leaving out those who asked to be hidden.
    pub async fn leaderboard(&self, guild: GuildId, today: NaiveDate) -> anyhow::Result<Vec<Standing>> {
        let (posts, _, today_post) = self.post_order(guild, today).await?;
        let hidden = self.store.hidden_members(guild).await?;
        let mut by_user: HashMap<UserId, Vec<PostId>> = HashMap::new();
        for (post, user) in self.store.voters_by_post(guild).await? {
            if !hidden.contains(&user) {
                by_user.entry(user).or_default().push(post);
            }
        }
        let standings = by_user
            .into_iter()
            .map(|(user, voted)| {
                let (current_streak, longest_streak) = stats::streaks(&posts, &voted, today_post);
                Standing {
                    user,
                    votes: voted.len() as u32,
                    current_streak,
                    longest_streak,
                }
            })
            .collect();
        Ok(stats::rank_standings(standings))
    }

    /// The server's posts in order, their tallies, and today's post (still open for votes).
    async fn post_order(
        &self,
        guild: GuildId,
        today: NaiveDate,
    ) -> anyhow::Result<(Vec<PostId>, HashMap<PostId, Tally>, Option<PostId>)> {
        let rounds = self.store.round_tallies(guild).await?;
        let today_post = rounds.iter().find(|(_, r)| r.date == today).map(|(_, r)| r.post);
        let posts = rounds.iter().map(|(_, r)| r.post).collect();
        let tallies = rounds.into_iter().map(|(_, r)| (r.post, r.tally)).collect();
        Ok((posts, tallies, today_post))
    }

    /// `/tally export:`: the tallies, the ledger and the calls, read together.
    pub async fn export_all(&self, guild: GuildId) -> anyhow::Result<Export> {
        Ok(Export {
            tally: self.export(guild).await?,
            ledger: self.export_ledger(guild).await?,
            calls: self.export_calls(guild).await?,
        })
    }

    /// Per claim and round: counts per choice, voters, resolution. Agreement choices always
    /// appear; verdict choices for predictions.
    pub async fn export(&self, guild: GuildId) -> anyhow::Result<Vec<ExportRow>> {
        let resolutions = self.store.resolutions(guild).await?;
        let claims = self.claims_for(guild).await?;
        Ok(self
            .store
            .round_tallies(guild)
            .await?
            .into_iter()
            .map(|(claim, round)| {
                let prediction = claims
                    .get(claim.as_str())
                    .is_some_and(|c| c.kind == ClaimKind::Prediction);
                let counts = Choice::ALL
                    .into_iter()
                    .filter(|c| c.question() == Question::Stance || prediction || round.tally.count(*c) > 0)
                    .map(|c| (c.as_str().to_string(), serde_json::Value::from(round.tally.count(c))))
                    .collect();
                let resolution = resolutions.iter().find(|r| r.claim_id == claim).map(|r| r.outcome);
                ExportRow {
                    claim,
                    round: round.round,
                    date: round.date.to_string(),
                    counts,
                    voters: round.tally.voters(),
                    resolution,
                }
            })
            .collect())
    }
}

/// The export as CSV: one line per claim and round.
pub fn export_csv(rows: &[ExportRow]) -> String {
    let mut out = format!(
        "claim,round,date,{},voters,resolution\n",
        Choice::ALL.map(|c| c.as_str()).join(",")
    );
    for row in rows {
        let counts: Vec<String> = Choice::ALL
            .iter()
            .map(|c| {
                row.counts
                    .get(c.as_str())
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0)
                    .to_string()
            })
            .collect();
        // Claim ids are validated slugs and outcomes a fixed set: nothing here needs CSV quoting.
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            row.claim,
            row.round,
            row.date,
            counts.join(","),
            row.voters,
            row.resolution.map(|o| o.as_str()).unwrap_or("")
        ));
    }
    out
}

/// A CSV field as RFC 4180 quotes it. Text from feeds and members that a spreadsheet would take
/// for a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`, so opening the export runs
/// nothing.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The evidence ledger as CSV: one line per entry, every claim, withheld entries marked.
pub fn ledger_csv(entries: &[crate::domain::evidence::Entry]) -> String {
    use crate::domain::evidence::Withheld;
    let mut out =
        String::from("claim,entry,added_at,title,url,source,submitted_by,supports,contradicts,off_topic,withheld\n");
    for e in entries {
        let withheld = match e.withheld {
            None => "",
            Some(Withheld::Members) => "members",
            Some(Withheld::Moderator) => "moderator",
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            e.claim,
            e.id,
            e.added_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            csv_field(&e.title),
            csv_field(e.url.as_deref().unwrap_or_default()),
            csv_field(&e.source),
            e.submitted_by.map(|u| u.0.to_string()).unwrap_or_default(),
            e.supports,
            e.contradicts,
            e.off_topic,
            withheld
        ));
    }
    out
}

/// Members' calls as CSV: one line per member and resolved prediction.
pub fn calls_csv(members: &[crate::domain::evidence::MemberCalls]) -> String {
    let mut out = String::from("user,claim,stance,outcome,right\n");
    for m in members {
        for call in &m.calls.calls {
            let right = match call.right {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            out.push_str(&format!(
                "{},{},{},{},{right}\n",
                m.user.0,
                call.claim,
                call.stance.as_str(),
                call.outcome.as_str()
            ));
        }
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn hostile_text_is_quoted_and_never_a_formula() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\"\nc"), "\"a, \"\"b\"\"\nc\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@cmd"), "'@cmd");
    }
}
