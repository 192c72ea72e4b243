//! The daily poster: which servers are due, and posting a server's digest exactly once a day.
//! `run_once(now)` does one pass and says what it did; the bot wraps it in a loop, tests call it.

use std::future::Future;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::App;
use crate::domain::digest::Digest;
use crate::domain::ids::{ChannelId, GuildId, MessageId, PostId};
use crate::domain::records::DeliveryFailure;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::{due_at, local_date, next_due_on};
pub use crate::domain::views::{PostResult, PostView};
use crate::store::{GuildSettings, NewPost, Post, PostStatus, Reservation};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The channel is gone or the bot may not post there: retrying will not help.
    #[error("{0}")]
    ChannelUnusable(DeliveryFailure),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Sends a post somewhere (Discord in the bot, a recorder in tests).
pub trait Publisher: Send + Sync {
    fn publish(
        &self,
        channel: ChannelId,
        view: &PostView<'_>,
    ) -> impl Future<Output = Result<MessageId, PublishError>> + Send;

    /// Looks for an earlier delivery of `post` among the channel's recent messages (its buttons
    /// carry the post id): after a crash between sending and recording, Discord may have it.
    fn find_existing(
        &self,
        channel: ChannelId,
        post: PostId,
    ) -> impl Future<Output = Result<Option<MessageId>, PublishError>> + Send;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PosterOutcome {
    pub posted: Vec<PostId>,
    pub already_posted: usize,
    pub not_yet_due: usize,
    /// Servers whose local weekday today is not one of their post days: not due, not missed.
    pub days_off: usize,
    /// Posts missed beyond the grace window, recorded as skipped.
    pub skipped: usize,
    /// Posts whose send was interrupted (a crash) and are now finished.
    pub resumed: usize,
    pub failed: usize,
}

impl App {
    /// A post due at `due` and not out by `now` is missed for good (recorded as skipped) rather
    /// than posted late: the one rule for the poster and for what moderators are told comes next.
    pub(crate) fn past_grace(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> anyhow::Result<bool> {
        Ok(now - due > chrono::Duration::from_std(self.config.post_grace)?)
    }

    /// One pass over the scheduled servers on this process's shards: posts every server whose
    /// local time has come today and that has no post for its local date yet.
    pub async fn run_poster_once<P: Publisher>(
        &self,
        publisher: &P,
        now: DateTime<Utc>,
    ) -> anyhow::Result<PosterOutcome> {
        let mut outcome = PosterOutcome::default();
        for guild in self.store.scheduled_guilds().await? {
            // Another process runs this server's shard and posts there.
            if !self.config.shards.owns(guild.id) {
                continue;
            }
            let date = local_date(guild.timezone, now);
            // A day off (`/digest setup days:`) is neither posted nor recorded as skipped, so
            // catch-up never reaches back to it and streaks run over it.
            if !guild.post_days.contains(date.weekday()) {
                outcome.days_off += 1;
                continue;
            }
            let due = due_at(guild.post_time, guild.timezone, date);
            if now < due {
                outcome.not_yet_due += 1;
                continue;
            }
            let existing = self.store.post_on(guild.id, date).await?;
            if existing.as_ref().is_some_and(|p| p.status == PostStatus::Sent)
                || self.store.is_skipped_day(guild.id, date).await?
            {
                outcome.already_posted += 1;
                continue;
            }
            let interrupted = existing.as_ref().is_some_and(|p| p.status == PostStatus::Reserved);
            if !interrupted && self.past_grace(due, now)? {
                self.store.record_skipped_day(guild.id, date, due).await?;
                tracing::info!(guild = %guild.id, %date, "missed beyond the grace window; recorded as skipped");
                outcome.skipped += 1;
                continue;
            }
            if interrupted {
                outcome.resumed += 1;
            }
            match self.post_today(publisher, &guild, date, now).await {
                Ok(PostResult::Posted(post)) => {
                    // Measured when the send is done: in a fan-out the last post leaves well
                    // after the pass began. A test clock standing still reads the pass's `now`.
                    let sent_at = self.clock.now().max(now);
                    self.metrics.observe_post_lateness(sent_at - due);
                    outcome.posted.push(post.id);
                }
                Ok(PostResult::AlreadyPosted(_)) => outcome.already_posted += 1,
                Err(e) => {
                    outcome.failed += 1;
                    tracing::warn!(guild = %guild.id, error = %format!("{e:#}"), "daily post failed");
                }
            }
        }
        Ok(outcome)
    }

    /// When the poster should next look: the earliest minute after `now` at which a server on
    /// this process's shards falls due (None when no server is scheduled). A failed post due
    /// earlier is retried by the loop's backstop, not planned here.
    pub async fn next_post_due(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(self
            .store
            .scheduled_guilds()
            .await?
            .into_iter()
            .filter(|guild| self.config.shards.owns(guild.id))
            .map(|guild| next_due_on(guild.post_time, guild.timezone, guild.post_days, now))
            .min())
    }

    /// Posts the server's digest for its local `date` unless that day already has one.
    pub async fn post_today<P: Publisher>(
        &self,
        publisher: &P,
        guild: &GuildSettings,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> anyhow::Result<PostResult> {
        let channel = guild
            .channel
            .ok_or_else(|| anyhow::anyhow!("server {} has no channel set", guild.id))?;
        let _sending = match self.sending.take((guild.id, date)) {
            Some(guard) => guard,
            // Another task of this process is sending this very post right now.
            None => match self.store.post_on(guild.id, date).await? {
                Some(post) => return Ok(PostResult::AlreadyPosted(post)),
                None => anyhow::bail!("the post of {} on {date} is being sent", guild.id),
            },
        };
        if let Some(existing) = self.store.post_on(guild.id, date).await? {
            match existing.status {
                PostStatus::Sent => return Ok(PostResult::AlreadyPosted(existing)),
                PostStatus::Reserved => return self.resume(publisher, guild, existing, now).await,
                // A failed attempt holds the day until it is released for this retry.
                PostStatus::Failed => self.store.release_failed_post(existing.id).await?,
            }
        }
        let history = self.store.rotation_history(guild.id).await?;
        let claims = self.claims_for(guild.id).await?;
        let pick = next_claim(&claims, &history);
        let feeds = self.store.guild_feed_selection(guild.id).await?;
        let digest = self
            .compose_digest(pick.claim, pick.round, date, &feeds, now, guild.news_count.items())
            .await?;
        let new = NewPost {
            guild: guild.id,
            local_date: date,
            claim_id: pick.claim.id.clone(),
            round: pick.round,
            question: digest.question(),
            channel,
            nonce: post_nonce(guild.id.0, date),
        };
        let post = match self.store.reserve_post(&new, now).await? {
            Reservation::Reserved(post) => post,
            Reservation::Exists(post) => return Ok(PostResult::AlreadyPosted(post)),
        };
        self.deliver(publisher, guild, &post, &digest, now).await
    }

    /// Finishes a post whose send was interrupted: if Discord has it (found by its buttons among
    /// the channel's recent messages), record it; otherwise send it again with the same nonce,
    /// so that a send Discord did receive a moment ago is not shown twice.
    async fn resume<P: Publisher>(
        &self,
        publisher: &P,
        guild: &GuildSettings,
        post: Post,
        now: DateTime<Utc>,
    ) -> anyhow::Result<PostResult> {
        match publisher.find_existing(post.channel, post.id).await {
            Ok(Some(message)) => {
                self.store.mark_post_sent(post.id, message, now).await?;
                tracing::info!(guild = %guild.id, post = %post.id, "interrupted post found on Discord; recorded");
                let sent = self
                    .store
                    .post(post.id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("post {} vanished", post.id))?;
                return Ok(PostResult::Posted(sent));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(guild = %guild.id, error = %e, "could not look for an interrupted post; sending it")
            }
        }
        let claims = self.claims_for(guild.id).await?;
        let claim = claims.get(post.claim_id.as_str()).ok_or_else(|| {
            anyhow::anyhow!(
                "claim {} of post {} is no longer in the claims file",
                post.claim_id,
                post.id
            )
        })?;
        let feeds = self.store.guild_feed_selection(guild.id).await?;
        let digest = self
            .compose_digest(
                claim,
                post.round,
                post.local_date,
                &feeds,
                now,
                guild.news_count.items(),
            )
            .await?;
        self.deliver(publisher, guild, &post, &digest, now).await
    }

    async fn deliver<P: Publisher>(
        &self,
        publisher: &P,
        guild: &GuildSettings,
        post: &Post,
        digest: &Digest,
        now: DateTime<Utc>,
    ) -> anyhow::Result<PostResult> {
        // What the post shows is kept by retention for as long as the post exists.
        let shown: Vec<_> = digest.news.iter().map(|n| n.item.clone()).collect();
        self.store.record_post_items(post.id, &shown).await?;
        let tally = self.store.post_tally(post.id).await?;
        let view = PostView {
            post,
            digest,
            lang: guild.language,
            tally: &tally,
            thread: guild.thread,
            ping: guild.ping_role,
            page: self.claim_page_url(guild.id, post.claim_id.as_str()).await?,
        };
        match publisher.publish(post.channel, &view).await {
            Ok(message) => {
                self.store.mark_post_sent(post.id, message, now).await?;
                let sent = self
                    .store
                    .post(post.id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("post {} vanished", post.id))?;
                tracing::info!(guild = %guild.id, post = %post.id, claim = %post.claim_id, "daily post sent");
                Ok(PostResult::Posted(sent))
            }
            Err(PublishError::ChannelUnusable(reason)) => {
                // The post's own error column is for operators: the English cause.
                self.store.mark_post_failed(post.id, &reason.to_string()).await?;
                self.store.mark_guild_broken(guild.id, &reason).await?;
                anyhow::bail!("channel unusable, schedule stopped until fixed: {reason}")
            }
            Err(PublishError::Other(e)) => {
                self.store.mark_post_failed(post.id, &format!("{e:#}")).await?;
                Err(e)
            }
        }
    }
}

/// Marks (server, date) as being sent by this process until dropped.
/// The posts this process is sending right now.
pub type Sending = super::in_flight::InFlight<(GuildId, NaiveDate)>;

/// A nonce Discord can use to drop a repeated send: the same for every attempt at one server's
/// post of one day, and at most 25 characters.
pub fn post_nonce(guild: u64, date: NaiveDate) -> String {
    let days = date.signed_duration_since(NaiveDate::MIN).num_days();
    // Discord accepts integers as nonces; guild ids are unique and days short, so mix them.
    format!("{:x}{:05x}", guild % (1 << 60), days % (1 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_stable_short_and_distinct() {
        let a = post_nonce(1_234_567_890_123_456_789, "2026-11-28".parse().unwrap());
        assert_eq!(a, post_nonce(1_234_567_890_123_456_789, "2026-11-28".parse().unwrap()));
        assert_ne!(a, post_nonce(1_234_567_890_123_456_789, "2026-11-29".parse().unwrap()));
        assert_ne!(a, post_nonce(1_234_567_890_123_456_788, "2026-11-28".parse().unwrap()));
        assert!(a.len() <= 25, "{a}");
    }
}

#[cfg(test)]
mod flow_tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::domain::ids::ClaimId;

    /// Records what would have been sent to Discord.
    #[derive(Default)]
    struct Recorder {
        sent: Mutex<Vec<(ChannelId, PostId, String, ClaimId)>>,
        on_discord: Mutex<Option<MessageId>>,
        forbidden: Mutex<bool>,
        next: AtomicU64,
    }

    impl Publisher for Recorder {
        async fn publish(&self, channel: ChannelId, view: &PostView<'_>) -> Result<MessageId, PublishError> {
            if *self.forbidden.lock().unwrap() {
                return Err(PublishError::ChannelUnusable(DeliveryFailure::MissingPermissions));
            }
            let entry = (
                channel,
                view.post.id,
                view.post.nonce.clone(),
                view.digest.claim.id.clone(),
            );
            self.sent.lock().unwrap().push(entry);
            Ok(MessageId(1000 + self.next.fetch_add(1, Ordering::SeqCst)))
        }

        async fn find_existing(&self, _: ChannelId, _: PostId) -> Result<Option<MessageId>, PublishError> {
            Ok(*self.on_discord.lock().unwrap())
        }
    }

    use crate::services::test_app::app_with_guild;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn posts_once_at_the_set_time_then_rotates() {
        let (app, _) = app_with_guild("UTC", "09:00").await;
        let rec = Recorder::default();
        let early = app.run_poster_once(&rec, at("2026-11-28T08:59:59Z")).await.unwrap();
        assert_eq!((early.not_yet_due, early.posted.len()), (1, 0));
        let due = app.run_poster_once(&rec, at("2026-11-28T09:00:00Z")).await.unwrap();
        assert_eq!(due.posted.len(), 1);
        let again = app.run_poster_once(&rec, at("2026-11-28T09:00:30Z")).await.unwrap();
        assert_eq!((again.already_posted, again.posted.len()), (1, 0));
        app.run_poster_once(&rec, at("2026-11-29T09:00:00Z")).await.unwrap();
        let claims: Vec<ClaimId> = rec.sent.lock().unwrap().iter().map(|s| s.3.clone()).collect();
        assert_eq!(claims, ["o3-on-trend", "clear-reward-wins"]);
    }

    #[tokio::test]
    async fn the_poster_plans_to_wake_at_the_next_due_minute_and_hears_schedule_changes() {
        let (app, settings) = app_with_guild("Asia/Shanghai", "09:00").await;
        let mut changes = app.store.schedule_changes();
        assert_eq!(
            app.next_post_due(at("2026-11-28T00:59:59Z")).await.unwrap(),
            Some(at("2026-11-28T01:00:00Z")),
            "09:00 in Shanghai is 01:00 UTC"
        );
        assert_eq!(
            app.next_post_due(at("2026-11-28T01:00:00Z")).await.unwrap(),
            Some(at("2026-11-29T01:00:00Z")),
            "once the minute has come, the next is tomorrow's"
        );
        // Pausing re-plans: the poster is told, and nothing is due any more.
        app.store.set_paused(settings.id, true).await.unwrap();
        assert!(changes.has_changed().unwrap(), "a pause wakes the poster to re-plan");
        changes.mark_unchanged();
        assert_eq!(app.next_post_due(at("2026-11-28T00:00:00Z")).await.unwrap(), None);
        app.store.set_paused(settings.id, false).await.unwrap();
        assert!(changes.has_changed().unwrap());
    }

    #[tokio::test]
    async fn catch_up_inside_the_grace_window_skip_outside() {
        let (app, settings) = app_with_guild("UTC", "09:00").await;
        let rec = Recorder::default();
        // Down all day on the 28th: at 22:00 (13 h late) the day is recorded as skipped.
        let late = app.run_poster_once(&rec, at("2026-11-28T22:00:00Z")).await.unwrap();
        assert_eq!((late.skipped, late.posted.len()), (1, 0));
        assert!(app
            .store
            .is_skipped_day(settings.id, "2026-11-28".parse().unwrap())
            .await
            .unwrap());
        let later = app.run_poster_once(&rec, at("2026-11-28T23:00:00Z")).await.unwrap();
        assert_eq!(
            (later.skipped, later.already_posted),
            (0, 1),
            "skipped once, then left alone"
        );
        // Back at 20:00 on the 29th (11 h late): still inside the window, posted at start.
        let caught_up = app.run_poster_once(&rec, at("2026-11-29T20:00:00Z")).await.unwrap();
        assert_eq!(caught_up.posted.len(), 1);
        assert_eq!(rec.sent.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_interrupted_send_is_finished_with_the_same_nonce_or_found() {
        let (app, settings) = app_with_guild("UTC", "09:00").await;
        let date: NaiveDate = "2026-11-28".parse().unwrap();
        // A crash after the reservation, before Discord's answer was recorded.
        let new = NewPost {
            guild: settings.id,
            local_date: date,
            claim_id: "o3-on-trend".into(),
            round: 1,
            question: crate::domain::votes::Question::Stance,
            channel: ChannelId(7),
            nonce: post_nonce(settings.id.0, date),
        };
        let Reservation::Reserved(reserved) = app.store.reserve_post(&new, at("2026-11-28T09:00:00Z")).await.unwrap()
        else {
            panic!("reserved")
        };
        let rec = Recorder::default();
        let outcome = app.run_poster_once(&rec, at("2026-11-28T09:05:00Z")).await.unwrap();
        assert_eq!((outcome.resumed, outcome.posted.len()), (1, 1));
        let sent = rec.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].1, sent[0].2.as_str()),
            (reserved.id, reserved.nonce.as_str()),
            "same post, same nonce"
        );

        // Next day, a crash again, but Discord did get the message: it is found, not resent.
        let date = "2026-11-29".parse().unwrap();
        let next = NewPost {
            local_date: date,
            claim_id: "clear-reward-wins".into(),
            nonce: post_nonce(settings.id.0, date),
            ..new
        };
        app.store.reserve_post(&next, at("2026-11-29T09:00:00Z")).await.unwrap();
        *rec.on_discord.lock().unwrap() = Some(MessageId(777));
        let outcome = app.run_poster_once(&rec, at("2026-11-29T21:00:00Z")).await.unwrap();
        assert_eq!(
            outcome.posted.len(),
            1,
            "an interrupted post is finished even past the grace window"
        );
        assert_eq!(rec.sent.lock().unwrap().len(), 1, "found on Discord, not sent again");
        let post = app.store.post_on(settings.id, date).await.unwrap().unwrap();
        assert_eq!((post.status, post.message), (PostStatus::Sent, Some(MessageId(777))));
    }

    #[tokio::test]
    async fn a_forbidden_channel_stops_the_schedule_with_its_reason() {
        let (app, settings) = app_with_guild("UTC", "09:00").await;
        let rec = Recorder::default();
        *rec.forbidden.lock().unwrap() = true;
        let outcome = app.run_poster_once(&rec, at("2026-11-28T09:00:00Z")).await.unwrap();
        assert_eq!(outcome.failed, 1);
        let guild = app.store.guild(settings.id).await.unwrap().unwrap();
        assert_eq!(guild.broken_reason, Some(DeliveryFailure::MissingPermissions));
        let next = app.run_poster_once(&rec, at("2026-11-29T09:00:00Z")).await.unwrap();
        assert_eq!(next, PosterOutcome::default(), "not retried every day until fixed");
    }

    #[tokio::test]
    async fn a_local_time_skipped_by_daylight_saving_still_posts_once() {
        let (app, _) = app_with_guild("America/New_York", "02:30").await;
        let rec = Recorder::default();
        // 2026-03-08: clocks jump from 02:00 to 03:00 local (07:00 UTC).
        for instant in [
            "2026-03-08T06:59:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:30:00Z",
            "2026-03-08T12:00:00Z",
        ] {
            app.run_poster_once(&rec, at(instant)).await.unwrap();
        }
        assert_eq!(rec.sent.lock().unwrap().len(), 1);
        // 2026-11-01: 01:30 happens twice; one post.
        let (app, _) = app_with_guild("America/New_York", "01:30").await;
        let rec = Recorder::default();
        for instant in ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"] {
            app.run_poster_once(&rec, at(instant)).await.unwrap();
        }
        assert_eq!(rec.sent.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_day_off_neither_posts_nor_counts_as_missed_and_streaks_run_over_it() {
        use crate::domain::ids::UserId;
        use crate::domain::schedule::parse_days;
        use crate::domain::votes::Choice;
        use crate::store::VoteSource;

        let (app, settings) = app_with_guild("UTC", "09:00").await;
        app.store
            .set_post_days(settings.id, parse_days("mon-fri").unwrap())
            .await
            .unwrap();
        let rec = Recorder::default();
        // Friday 2026-11-27, then the weekend, then Monday 2026-11-30.
        let friday = app.run_poster_once(&rec, at("2026-11-27T09:00:00Z")).await.unwrap();
        assert_eq!(friday.posted.len(), 1);
        assert_eq!(
            app.next_post_due(at("2026-11-27T10:00:00Z")).await.unwrap(),
            Some(at("2026-11-30T09:00:00Z")),
            "the poster sleeps through the weekend"
        );
        for instant in ["2026-11-28T09:00:00Z", "2026-11-28T22:00:00Z", "2026-11-29T23:59:00Z"] {
            let weekend = app.run_poster_once(&rec, at(instant)).await.unwrap();
            assert_eq!(
                (weekend.days_off, weekend.skipped, weekend.posted.len()),
                (1, 0, 0),
                "{instant}"
            );
        }
        let saturday = app.store.guild(settings.id).await.unwrap().unwrap();
        let today = app.todays_claim(&saturday, at("2026-11-28T12:00:00Z")).await.unwrap();
        assert!(today.day_off && today.post.is_none());
        assert_eq!(today.due, at("2026-11-30T09:00:00Z"), "the claim waits for Monday");
        assert_eq!(today.claim.id.as_str(), "clear-reward-wins");
        for day in ["2026-11-28", "2026-11-29"] {
            assert!(!app
                .store
                .is_skipped_day(settings.id, day.parse().unwrap())
                .await
                .unwrap());
            assert!(app
                .store
                .post_on(settings.id, day.parse().unwrap())
                .await
                .unwrap()
                .is_none());
        }
        let monday = app.run_poster_once(&rec, at("2026-11-30T09:00:00Z")).await.unwrap();
        assert_eq!(monday.posted.len(), 1);
        let claims: Vec<ClaimId> = rec.sent.lock().unwrap().iter().map(|s| s.3.clone()).collect();
        assert_eq!(claims, ["o3-on-trend", "clear-reward-wins"], "the rotation goes on");
        // A member who voted on Friday's and Monday's posts has a streak of two.
        let member = UserId(9);
        for post in [&friday.posted[0], &monday.posted[0]] {
            app.store
                .cast_vote(
                    *post,
                    member,
                    Choice::Agree,
                    VoteSource::Button,
                    at("2026-11-30T10:00:00Z"),
                )
                .await
                .unwrap();
        }
        let record = app
            .member_record(settings.id, member, "2026-11-30".parse().unwrap())
            .await
            .unwrap();
        assert_eq!((record.current_streak, record.longest_streak), (2, 2));
        // Status: the next three post times skip the weekend ahead (Friday's post is past the
        // grace window by the evening, so it is not one of them).
        let settings = app.store.guild(settings.id).await.unwrap().unwrap();
        let status = app.digest_status(settings, at("2026-12-04T22:00:00Z")).await.unwrap();
        assert_eq!(
            status.upcoming,
            [
                at("2026-12-07T09:00:00Z"),
                at("2026-12-08T09:00:00Z"),
                at("2026-12-09T09:00:00Z")
            ]
        );
    }

    #[tokio::test]
    async fn setup_keeps_the_days_when_left_out_and_a_bad_list_changes_nothing() {
        use crate::services::commands::DigestSetup;

        let (app, settings) = app_with_guild("UTC", "09:00").await;
        let setup = |time: &str, days: Option<&str>| DigestSetup {
            channel: ChannelId(7),
            time: time.into(),
            timezone: "Europe/Berlin".into(),
            language: None,
            news: None,
            thread: None,
            moderator_role: None,
            ping_role: None,
            days: days.map(Into::into),
            recap: None,
        };
        let now = at("2026-11-27T21:00:00Z");
        let (saved, next) = app
            .setup_digest(&settings, setup("09:00", Some("mon,wed,fri")), now)
            .await
            .unwrap();
        assert_eq!(saved.post_days.bits(), 0b10101);
        assert_eq!(
            next,
            at("2026-11-30T08:00:00Z"),
            "Friday's 09:00 in Berlin is past the grace window: Monday's"
        );
        let (saved, _) = app.setup_digest(&saved, setup("10:00", None), now).await.unwrap();
        assert_eq!(saved.post_days.bits(), 0b10101, "kept when left out");
        let refused = app.setup_digest(&saved, setup("11:00", Some("mon,someday")), now).await;
        let Err(crate::error::Error::User(refusal)) = refused else {
            panic!("a bad day list is refused: {refused:?}")
        };
        assert_eq!(refusal.0.id, "error-bad-days");
        let kept = app.store.guild(settings.id).await.unwrap().unwrap();
        assert_eq!(
            (kept.post_time.format("%H:%M").to_string(), kept.post_days.bits()),
            ("10:00".to_string(), 0b10101),
            "nothing changed"
        );
    }
}
