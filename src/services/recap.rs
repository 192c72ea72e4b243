//! The weekly recap: once a week, on the server's recap weekday at its post time, one embed on
//! the week behind it (the seven local days before the recap's day): the week's claims with
//! their splits, the biggest change of opinion, the most disputed claim, predictions falling due
//! in the next 30 days and the week's most active members who have not hidden themselves.
//! `run_recap_once(now)` does one pass; the poster's loop calls it after the daily post's pass,
//! tests call it with the time they choose. A recap is reserved in the store before it is sent
//! (one row per server and ISO week, UNIQUE), so it goes out once through restarts.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Days, Utc};

use super::poster::PublishError;
use super::App;
use crate::domain::claims::ClaimKind;
use crate::domain::ids::{ChannelId, GuildId, MessageId, UserId};
use crate::domain::schedule::{next_recap_after, recap_due, RecapWeek};
use crate::domain::stats::{agreement_change, dispute};
pub use crate::domain::views::{RecapClaim, WeeklyRecap};
use crate::store::{GuildSettings, NewRecap, PostStatus, RecapReservation};

/// How far ahead the recap looks for predictions falling due.
pub const DUE_SOON_DAYS: u64 = 30;
/// How many of the week's most active members the recap names.
pub const MOST_ACTIVE: usize = 5;

/// Sends a recap somewhere (Discord in the bot, a recorder in tests).
pub trait RecapPublisher: Send + Sync {
    fn publish_recap(
        &self,
        channel: ChannelId,
        recap: &WeeklyRecap,
        nonce: &str,
    ) -> impl Future<Output = Result<MessageId, PublishError>> + Send;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecapOutcome {
    pub posted: Vec<GuildId>,
    pub already_posted: usize,
    /// Servers with a recap day whose recap is not due at this moment.
    pub not_due: usize,
    /// Recaps missed by more than the grace window (the bot was down): left out, not sent late.
    pub too_late: usize,
    pub failed: usize,
}

impl App {
    /// One pass over the servers on this process's shards that opted in: sends each recap that
    /// is due and not yet sent for its week.
    pub async fn run_recap_once<P: RecapPublisher>(
        &self,
        publisher: &P,
        now: DateTime<Utc>,
    ) -> anyhow::Result<RecapOutcome> {
        let grace = chrono::Duration::from_std(self.config.post_grace)?;
        let mut outcome = RecapOutcome::default();
        for guild in self.store.scheduled_guilds().await? {
            if !self.config.shards.owns(guild.id) {
                continue;
            }
            let (Some(day), Some(channel)) = (guild.recap_day, guild.channel) else {
                continue;
            };
            let Some(week) = recap_due(day, guild.post_time, guild.timezone, now) else {
                outcome.not_due += 1;
                continue;
            };
            let late = now - week.due > grace;
            let record = match self.store.recap_of_week(guild.id, &week.key).await? {
                Some(r) if r.status == PostStatus::Sent => {
                    outcome.already_posted += 1;
                    continue;
                }
                // A crash between reserving and recording: sent again with the same nonce.
                Some(r) if r.status == PostStatus::Reserved => r,
                Some(_) if late => {
                    outcome.too_late += 1;
                    continue;
                }
                Some(r) => {
                    if !self.store.retry_failed_recap(r.id).await? {
                        outcome.already_posted += 1;
                        continue;
                    }
                    r
                }
                None if late => {
                    outcome.too_late += 1;
                    continue;
                }
                None => {
                    let new = NewRecap {
                        guild: guild.id,
                        week: week.key.clone(),
                        local_date: week.date,
                        channel,
                        nonce: recap_nonce(guild.id.0, &week),
                    };
                    match self.store.reserve_recap(&new, now).await? {
                        RecapReservation::Reserved(r) => r,
                        RecapReservation::Exists(_) => {
                            outcome.already_posted += 1;
                            continue;
                        }
                    }
                }
            };
            let recap = self.weekly_recap(&guild, &week).await?;
            match publisher.publish_recap(record.channel, &recap, &record.nonce).await {
                Ok(message) => {
                    self.store.mark_recap_sent(record.id, message, now).await?;
                    tracing::info!(guild = %guild.id, week = %week.key, "weekly recap sent");
                    outcome.posted.push(guild.id);
                }
                Err(e) => {
                    let reason = match &e {
                        PublishError::ChannelUnusable(reason) => reason.to_string(),
                        PublishError::Other(e) => format!("{e:#}"),
                    };
                    self.store.mark_recap_failed(record.id, &reason).await?;
                    if let PublishError::ChannelUnusable(reason) = &e {
                        self.store.mark_guild_broken(guild.id, reason).await?;
                    }
                    tracing::warn!(guild = %guild.id, week = %week.key, error = %reason, "weekly recap failed");
                    outcome.failed += 1;
                }
            }
        }
        Ok(outcome)
    }

    /// The earliest instant after `now` at which a recap on this process's shards falls due.
    pub async fn next_recap_due(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(self
            .store
            .scheduled_guilds()
            .await?
            .into_iter()
            .filter(|guild| self.config.shards.owns(guild.id))
            .filter_map(|guild| {
                let day = guild.recap_day?;
                Some(next_recap_after(day, guild.post_time, guild.timezone, now))
            })
            .min())
    }

    /// What the server's recap of `week` shows.
    pub async fn weekly_recap(&self, guild: &GuildSettings, week: &RecapWeek) -> anyhow::Result<WeeklyRecap> {
        let rounds = self.store.round_tallies(guild.id).await?;
        let server_claims = self.claims_for(guild.id).await?;
        let mut claims = Vec::new();
        let mut biggest_change: Option<(crate::domain::claims::Claim, f64)> = None;
        for (claim_id, round) in rounds.iter().filter(|(_, r)| week.covers(r.date)) {
            let Some(claim) = server_claims.get(claim_id.as_str()) else {
                continue;
            };
            let Some(post) = self.store.post(round.post).await? else {
                continue;
            };
            // The change of opinion over the claim's rounds up to this week's.
            let history: Vec<_> = rounds
                .iter()
                .filter(|(c, r)| c == claim_id && r.date <= round.date)
                .map(|(_, r)| r.clone())
                .collect();
            if let Some(change) = agreement_change(&history).filter(|c| *c != 0.0) {
                if biggest_change
                    .as_ref()
                    .is_none_or(|(_, best)| change.abs() > best.abs())
                {
                    biggest_change = Some((claim.clone(), change));
                }
            }
            claims.push(RecapClaim {
                claim: claim.clone(),
                round: round.round,
                date: round.date,
                question: post.question,
                tally: round.tally.clone(),
            });
        }
        let most_disputed = claims
            .iter()
            .filter_map(|c| dispute(&c.tally).map(|d| (d, c)))
            // The most even split; between equals, the earlier post.
            .max_by(|(a, ca), (b, cb)| a.total_cmp(b).then(cb.date.cmp(&ca.date)))
            .map(|(_, c)| c.clone());
        let resolved: Vec<_> = self
            .store
            .resolutions(guild.id)
            .await?
            .into_iter()
            .map(|r| r.claim_id)
            .collect();
        let horizon = week.date + Days::new(DUE_SOON_DAYS);
        let mut due_soon: Vec<_> = server_claims
            .claims()
            .iter()
            .filter(|c| c.kind == ClaimKind::Prediction && !resolved.contains(&c.id))
            .filter(|c| c.deadline.is_some_and(|d| d >= week.date && d <= horizon))
            .cloned()
            .collect();
        due_soon.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)));
        let posts: Vec<_> = rounds
            .iter()
            .filter(|(_, r)| week.covers(r.date))
            .map(|(_, r)| r.post)
            .collect();
        let hidden = self.store.hidden_members(guild.id).await?;
        let mut votes: HashMap<UserId, u32> = HashMap::new();
        for (post, user) in self.store.voters_by_post(guild.id).await? {
            if posts.contains(&post) && !hidden.contains(&user) {
                *votes.entry(user).or_default() += 1;
            }
        }
        let mut most_active: Vec<(UserId, u32)> = votes.into_iter().collect();
        most_active.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        most_active.truncate(MOST_ACTIVE);
        let tz = guild.timezone;
        let evidence_added = self
            .store
            .ledger(guild.id, None)
            .await?
            .iter()
            .filter(|e| e.submitted_by.is_some() && week.covers(e.added_at.with_timezone(&tz).date_naive()))
            .count() as u32;
        Ok(WeeklyRecap {
            week: week.clone(),
            lang: guild.language,
            claims,
            biggest_change,
            most_disputed,
            due_soon,
            most_active,
            evidence_added,
        })
    }
}

/// A nonce Discord can use to drop a repeated send of one server's recap of one week: at most
/// 25 characters, and never a daily post's (those end in a day count, these in `r` and a week).
pub fn recap_nonce(guild: u64, week: &RecapWeek) -> String {
    let days = week.date.signed_duration_since(chrono::NaiveDate::MIN).num_days();
    format!("{:x}r{:05x}", guild % (1 << 60), days % (1 << 20))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::config::Config;
    use crate::domain::ids::{ClaimId, PostId};
    use crate::domain::lang::Lang;
    use crate::domain::votes::{Choice, Question};
    use crate::feeds::FeedCatalog;
    use crate::store::{NewPost, Reservation, VoteSource};

    /// Records the recaps that would have gone to Discord; fails while `failing` is set.
    #[derive(Default)]
    struct Recorder {
        sent: Mutex<Vec<(ChannelId, WeeklyRecap, String)>>,
        failing: Mutex<bool>,
    }

    impl RecapPublisher for Recorder {
        async fn publish_recap(
            &self,
            channel: ChannelId,
            recap: &WeeklyRecap,
            nonce: &str,
        ) -> Result<MessageId, PublishError> {
            if *self.failing.lock().unwrap() {
                return Err(PublishError::Other(anyhow::anyhow!("Discord answered 500")));
            }
            let mut sent = self.sent.lock().unwrap();
            sent.push((channel, recap.clone(), nonce.to_string()));
            Ok(MessageId(5000 + sent.len() as u64))
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A server in Shanghai posting at 09:00 (01:00 UTC), recapping on Mondays.
    async fn app() -> (App, GuildSettings) {
        let (app, settings) = crate::services::test_app::app_with_guild("Asia/Shanghai", "09:00").await;
        app.store
            .set_recap_day(settings.id, Some(chrono::Weekday::Mon))
            .await
            .unwrap();
        let settings = app.store.guild(settings.id).await.unwrap().unwrap();
        (app, settings)
    }

    /// A sent post of `claim` (round `round`) on local `date`, with votes: (member, choice).
    async fn post(app: &App, date: &str, claim: &str, round: u32, votes: &[(u64, Choice)]) -> PostId {
        let date: chrono::NaiveDate = date.parse().unwrap();
        let new = NewPost {
            guild: GuildId(42),
            local_date: date,
            claim_id: ClaimId::from(claim),
            round,
            question: Question::Stance,
            channel: ChannelId(7),
            nonce: format!("n{date}"),
        };
        let Reservation::Reserved(post) = app.store.reserve_post(&new, at("2026-11-01T00:00:00Z")).await.unwrap()
        else {
            panic!("reserved")
        };
        app.store
            .mark_post_sent(post.id, MessageId(post.id.0 as u64 + 100), at("2026-11-01T00:00:00Z"))
            .await
            .unwrap();
        for (user, choice) in votes {
            app.store
                .cast_vote(
                    post.id,
                    UserId(*user),
                    *choice,
                    VoteSource::Button,
                    at("2026-11-01T00:00:00Z"),
                )
                .await
                .unwrap();
        }
        post.id
    }

    #[tokio::test]
    async fn the_recap_covers_its_local_week_and_goes_out_once() {
        use Choice::{Agree as A, Disagree as D};
        let (app, settings) = app().await;
        // Before the week: the first round of o3-on-trend, 25% agreement.
        post(&app, "2026-11-09", "o3-on-trend", 1, &[(1, A), (2, D), (3, D), (4, D)]).await;
        // The week of the recap of Monday 2026-11-23: Monday 11-16 to Sunday 11-22.
        post(&app, "2026-11-16", "o3-on-trend", 2, &[(1, A), (2, A), (3, A), (4, D)]).await;
        post(
            &app,
            "2026-11-18",
            "clear-reward-wins",
            1,
            &[(1, A), (2, D), (6, A), (7, D)],
        )
        .await;
        post(&app, "2026-11-22", "near-agi-math-code-in-a-year", 1, &[(1, A), (6, A)]).await;
        // The recap's own day is next week's.
        post(&app, "2026-11-23", "math-700-days", 1, &[(5, A), (6, A)]).await;
        // Member 6 voted most, but hid from the leaderboard; they are left out of the recap too.
        app.store.set_hidden(settings.id, UserId(6), true).await.unwrap();
        // Stories brought to a ledger: one in the week (Shanghai time), one on the recap's own day.
        let claim = crate::domain::ids::ClaimId::new("o3-on-trend");
        for (story, when) in [
            ("a.example/1", "2026-11-22T15:00:00Z"),
            ("a.example/2", "2026-11-22T16:30:00Z"),
        ] {
            let new = crate::store::NewEvidence {
                guild: settings.id,
                claim: &claim,
                story,
                title: "A story",
                url: "https://a.example/",
                source: "a.example",
                by: UserId(1),
                stance: crate::domain::evidence::Stance::Supports,
            };
            app.store.add_evidence(&new, at(when)).await.unwrap();
        }

        let rec = Recorder::default();
        // 08:59 in Shanghai: not yet.
        let early = app.run_recap_once(&rec, at("2026-11-23T00:59:00Z")).await.unwrap();
        assert_eq!((early.not_due, early.posted.len()), (1, 0));
        let due = app.run_recap_once(&rec, at("2026-11-23T01:00:00Z")).await.unwrap();
        assert_eq!(due.posted, [settings.id]);
        let again = app.run_recap_once(&rec, at("2026-11-23T01:05:00Z")).await.unwrap();
        assert_eq!((again.already_posted, again.posted.len()), (1, 0));
        // A new App over the same database (a restart) does not send it again.
        let restarted = App::new(
            Config::from_lookup(|_| None).unwrap(),
            (*app.claims).clone(),
            FeedCatalog::default(),
            app.store.clone(),
        )
        .unwrap();
        let after_restart = restarted
            .run_recap_once(&rec, at("2026-11-23T02:00:00Z"))
            .await
            .unwrap();
        assert_eq!((after_restart.already_posted, after_restart.posted.len()), (1, 0));
        let tuesday = app.run_recap_once(&rec, at("2026-11-24T01:00:00Z")).await.unwrap();
        assert_eq!((tuesday.not_due, tuesday.posted.len()), (1, 0));

        let sent = rec.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "exactly once");
        let (channel, recap, nonce) = &sent[0];
        assert_eq!(*channel, ChannelId(7));
        assert_eq!(
            (recap.week.first.to_string(), recap.week.last.to_string()),
            ("2026-11-16".into(), "2026-11-22".into())
        );
        let claims: Vec<&str> = recap.claims.iter().map(|c| c.claim.id.as_str()).collect();
        assert_eq!(
            claims,
            ["o3-on-trend", "clear-reward-wins", "near-agi-math-code-in-a-year"]
        );
        assert_eq!(recap.claims[0].round, 2);
        assert_eq!(recap.claims[1].tally.count(A), 2, "the split as voted");
        let (changed, points) = recap.biggest_change.clone().unwrap();
        assert_eq!((changed.id.as_str(), points), ("o3-on-trend", 50.0), "25% to 75%");
        assert_eq!(
            recap.most_disputed.as_ref().unwrap().claim.id.as_str(),
            "clear-reward-wins"
        );
        let due: Vec<&str> = recap.due_soon.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(due, ["math-700-days"], "its deadline, 2026-11-25, is within 30 days");
        assert_eq!(
            recap.evidence_added, 1,
            "23:00 on the 22nd in Shanghai is in the week, 00:30 on the 23rd is not"
        );
        assert_eq!(
            recap.most_active,
            [
                (UserId(1), 3),
                (UserId(2), 2),
                (UserId(3), 1),
                (UserId(4), 1),
                (UserId(7), 1)
            ],
            "votes on the week's posts only, the hidden member left out"
        );
        assert!(nonce.len() <= 25 && nonce.contains('r'), "{nonce}");
        assert_eq!(
            app.next_recap_due(at("2026-11-23T01:00:00Z")).await.unwrap(),
            Some(at("2026-11-30T01:00:00Z"))
        );

        // Drawn for Discord, it keeps to the limits, in both languages.
        for lang in [Lang::En, Lang::Zh] {
            let recap = WeeklyRecap { lang, ..recap.clone() };
            let body = serde_json::json!({"embeds": [serde_json::to_value(crate::render::discord::recap_embed(&recap)).unwrap()]});
            assert_eq!(crate::render::discord::limit_violations(&body), Vec::<String>::new());
            let text = body.to_string();
            assert!(text.contains("<@1>") && !text.contains("<@6>"), "{text}");
        }
    }

    #[tokio::test]
    async fn a_failed_recap_is_retried_and_a_long_missed_one_left_out() {
        let (app, settings) = app().await;
        let rec = Recorder::default();
        *rec.failing.lock().unwrap() = true;
        let failed = app.run_recap_once(&rec, at("2026-11-30T01:00:00Z")).await.unwrap();
        assert_eq!(failed.failed, 1);
        *rec.failing.lock().unwrap() = false;
        let retried = app.run_recap_once(&rec, at("2026-11-30T01:00:05Z")).await.unwrap();
        assert_eq!(retried.posted, [settings.id]);
        assert_eq!(rec.sent.lock().unwrap().len(), 1);
        // An empty week is still recapped, each section saying so.
        assert!(rec.sent.lock().unwrap()[0].1.claims.is_empty());
        // Down all Monday 2026-12-07 until 22:00 in Shanghai (13 h late): left out, not sent.
        let late = app.run_recap_once(&rec, at("2026-12-07T14:00:00Z")).await.unwrap();
        assert_eq!((late.too_late, late.posted.len()), (1, 0));
        assert_eq!(app.store.recaps(settings.id).await.unwrap().len(), 1);
        // Off: no recap is planned.
        app.store.set_recap_day(settings.id, None).await.unwrap();
        assert_eq!(app.next_recap_due(at("2026-12-08T00:00:00Z")).await.unwrap(), None);
    }
}
