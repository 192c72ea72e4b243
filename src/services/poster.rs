//! The daily poster: which servers are due, and posting a server's digest exactly once a day.
//! `run_once(now)` does one pass and says what it did; the bot wraps it in a loop, tests call it.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use super::App;
use crate::domain::digest::Digest;
use crate::domain::ids::{ChannelId, FeedId, MessageId, PostId};
use crate::domain::lang::Lang;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::{due_at, local_date};
use crate::domain::votes::Tally;
use crate::store::{GuildSettings, NewPost, Post, PostStatus, Reservation};

/// What a post needs to be drawn on Discord.
pub struct PostView<'a> {
    pub post: &'a Post,
    pub digest: &'a Digest,
    pub lang: Lang,
    pub tally: &'a Tally,
    pub thread: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The channel is gone or the bot may not post there: retrying will not help.
    #[error("{0}")]
    ChannelUnusable(String),
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
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PosterOutcome {
    pub posted: Vec<PostId>,
    pub already_posted: usize,
    pub not_yet_due: usize,
    pub missed: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PostResult {
    Posted(Post),
    AlreadyPosted(Post),
}

/// How late a missed post may still go out (a restart after an outage).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(12 * 3600);

impl App {
    /// One pass over the scheduled servers: posts every server whose local time has come today
    /// and that has no post for its local date yet.
    pub async fn run_poster_once<P: Publisher>(
        &self,
        publisher: &P,
        now: DateTime<Utc>,
    ) -> anyhow::Result<PosterOutcome> {
        let mut outcome = PosterOutcome::default();
        for guild in self.store.scheduled_guilds().await? {
            let date = local_date(guild.timezone, now);
            let due = due_at(guild.post_time, guild.timezone, date);
            if now < due {
                outcome.not_yet_due += 1;
                continue;
            }
            if let Some(post) = self.store.post_on(guild.id, date).await? {
                if post.status != PostStatus::Failed {
                    outcome.already_posted += 1;
                    continue;
                }
            }
            if now - due > chrono::Duration::from_std(DEFAULT_GRACE)? {
                outcome.missed += 1;
                continue;
            }
            match self.post_today(publisher, &guild, date, now).await {
                Ok(PostResult::Posted(post)) => outcome.posted.push(post.id),
                Ok(PostResult::AlreadyPosted(_)) => outcome.already_posted += 1,
                Err(e) => {
                    outcome.failed += 1;
                    tracing::warn!(guild = %guild.id, error = %format!("{e:#}"), "daily post failed");
                }
            }
        }
        Ok(outcome)
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
        if let Some(existing) = self.store.post_on(guild.id, date).await? {
            if existing.status != PostStatus::Failed {
                return Ok(PostResult::AlreadyPosted(existing));
            }
            // A failed attempt holds the day until it is released for this retry.
            self.store.release_failed_post(existing.id).await?;
        }
        let history = self.store.rotation_history(guild.id).await?;
        let pick = next_claim(&self.claims, &history);
        let feeds: Vec<FeedId> = self
            .store
            .guild_feeds(guild.id)
            .await?
            .into_iter()
            .map(|(_, f)| f.id)
            .collect();
        let digest = self
            .compose_digest(pick.claim, pick.round, date, &feeds, now, usize::from(guild.news_count))
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
        let tally = Tally::default();
        let view = PostView {
            post: &post,
            digest: &digest,
            lang: guild.language,
            tally: &tally,
            thread: guild.thread,
        };
        match publisher.publish(channel, &view).await {
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
                self.store.mark_post_failed(post.id, &reason).await?;
                self.store.mark_guild_broken(guild.id, &reason).await?;
                anyhow::bail!("channel unusable, schedule paused until fixed: {reason}")
            }
            Err(PublishError::Other(e)) => {
                self.store.mark_post_failed(post.id, &format!("{e:#}")).await?;
                Err(e)
            }
        }
    }
}

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
