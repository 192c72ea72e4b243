//! The use cases behind the slash commands that are not votes or feeds: setting up the digest,
//! today's claim, resolving a prediction, a member's own settings. Each returns a plain value the
//! renderer draws; refusals are user errors with a message.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::poster::{PostResult, Publisher};
use super::App;
use crate::domain::claims::{Claim, ClaimKind, Outcome, Resolution};
use crate::domain::digest::NewsCount;
use crate::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use crate::domain::lang::Lang;
use crate::domain::ranking::RankedNews;
use crate::domain::rotation::next_claim;
use crate::domain::schedule::{
    due_at, local_date, parse_days, parse_recap_day, parse_time, parse_timezone, post_days_from, DaysError, Weekdays,
};
use crate::domain::text::{plain_text, truncate_chars};
pub use crate::domain::views::{DigestStatus, TodaysClaim};
use crate::error::Error;
use crate::message::{msg, reasons, Arg};
use crate::store::{GuildSettings, GuildUpdate};

/// What a moderator gives `/digest setup`; what is left out keeps its current value.
#[derive(Debug, Clone)]
pub struct DigestSetup {
    pub channel: ChannelId,
    pub time: String,
    pub timezone: String,
    pub language: Option<Lang>,
    pub news: Option<u8>,
    pub thread: Option<bool>,
    pub moderator_role: Option<RoleId>,
    /// The role the daily post will mention; `None` keeps the current one.
    pub ping_role: Option<RoleId>,
    /// The weekdays to post on (`mon-fri`, `mon,wed,fri`, `daily`, `周一至周五`); `None` keeps
    /// the current ones.
    pub days: Option<String>,
    /// The weekly recap's weekday, or `off`; `None` keeps the current choice.
    pub recap: Option<String>,
}

impl App {
    /// The server's claims whose id or text contains what a member typed, for autocompletion.
    pub async fn claims_matching(&self, guild: GuildId, partial: &str, limit: usize) -> anyhow::Result<Vec<Claim>> {
        let needle = partial.trim().to_lowercase();
        let set = self.claims_for(guild).await?;
        Ok(set
            .claims()
            .iter()
            .filter(|c| {
                needle.is_empty()
                    || c.id.contains(&needle)
                    || c.text.en.to_lowercase().contains(&needle)
                    || c.text.zh.contains(partial.trim())
            })
            .take(limit)
            .cloned()
            .collect())
    }

    pub async fn setup_digest(
        &self,
        current: &GuildSettings,
        setup: DigestSetup,
        now: DateTime<Utc>,
    ) -> Result<(GuildSettings, DateTime<Utc>), Error> {
        // The member's own input, shown back to them: bounded and escaped like any member text.
        let shown = |input: &str| Arg::in_code(truncate_chars(input.trim(), 40));
        let post_time = parse_time(&setup.time).map_err(|_| msg!("error-bad-time", input = shown(&setup.time)))?;
        let timezone =
            parse_timezone(&setup.timezone).map_err(|_| msg!("error-bad-timezone", input = shown(&setup.timezone)))?;
        // Every input is checked before anything is saved: a bad one loses nothing.
        let days = setup.days.as_deref().map(parse_post_days).transpose()?;
        let recap = match setup.recap.as_deref() {
            Some(input) => Some(parse_recap_day(input).ok_or_else(|| {
                msg!(
                    "error-bad-recap-day",
                    input = Arg::untrusted(truncate_chars(input.trim(), 40))
                )
            })?),
            None => None,
        };
        let update = GuildUpdate {
            channel: setup.channel,
            post_time,
            timezone,
            language: setup.language.unwrap_or(current.language),
            news_count: setup
                .news
                .map_or(current.news_count, |n| NewsCount::clamped(i64::from(n))),
            thread: setup.thread.unwrap_or(current.thread),
            moderator_role: setup.moderator_role.or(current.moderator_role),
            ping_role: setup.ping_role,
            post_days: days,
            recap_day: recap,
        };
        let saved = self.store.setup_guild(current.id, &update).await?;
        let next = self.next_post_at(&saved, now).await?;
        Ok((saved, next))
    }

    /// `/digest ping off`: the daily post mentions no role from now on.
    pub async fn stop_pinging(&self, guild: GuildId) -> anyhow::Result<()> {
        let known = self.store.set_ping_role(guild, None).await?;
        // The command's own server row was made before this call; only a race with its removal
        // could lose it.
        anyhow::ensure!(known, "server {guild} vanished from the database");
        Ok(())
    }

    /// When the server's next daily post is due: today's time unless today is a day off, today's
    /// post is out or the time has passed, else the next post day's.
    pub async fn next_post_at(&self, settings: &GuildSettings, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
        Ok(self.upcoming_posts(settings, now, 1).await?[0])
    }

    /// The next `count` (at least one) instants the server's daily post is due, in order.
    pub async fn upcoming_posts(
        &self,
        settings: &GuildSettings,
        now: DateTime<Utc>,
        count: usize,
    ) -> anyhow::Result<Vec<DateTime<Utc>>> {
        let today = local_date(settings.timezone, now);
        let posted_today = self.store.post_on(settings.id, today).await?.is_some();
        let due_today = due_at(settings.post_time, settings.timezone, today);
        let from = if posted_today || due_today <= now {
            today + chrono::Days::new(1)
        } else {
            today
        };
        let mut upcoming = post_days_from(
            settings.post_time,
            settings.timezone,
            settings.post_days,
            from,
            count.max(1),
        );
        // Today's time already passed but within the grace window, and not posted: the poster
        // posts it now (see `run_poster_once`), so that is what the moderator is told.
        let missed_within_grace = !posted_today
            && due_today <= now
            && !self.past_grace(due_today, now)?
            && settings.post_days.contains(today.weekday())
            && !self.store.is_skipped_day(settings.id, today).await?;
        if missed_within_grace {
            upcoming.insert(0, now);
            upcoming.truncate(count.max(1));
        }
        Ok(upcoming)
    }

    pub async fn digest_status(&self, settings: GuildSettings, now: DateTime<Utc>) -> anyhow::Result<DigestStatus> {
        let last = self.store.posts(settings.id).await?.into_iter().next();
        let feeds = self.store.guild_feeds(settings.id).await?.len();
        let running = settings.broken_reason.is_none() && !settings.paused && settings.channel.is_some();
        let upcoming = if running {
            self.upcoming_posts(&settings, now, 3).await?
        } else {
            Vec::new()
        };
        Ok(DigestStatus {
            settings,
            feeds,
            last,
            next: upcoming.first().copied(),
            upcoming,
        })
    }

    pub async fn set_paused(&self, guild: GuildId, paused: bool) -> anyhow::Result<()> {
        self.store.set_paused(guild, paused).await
    }

    /// `/digest now`: today's post, once. A channel Discord refuses is the moderator's to fix, so
    /// that failure comes back as a refusal naming the reason.
    pub async fn post_now<P: Publisher>(
        &self,
        publisher: &P,
        settings: &GuildSettings,
        now: DateTime<Utc>,
    ) -> Result<PostResult, Error> {
        if settings.channel.is_none() {
            return Err(msg!("digest-no-channel").into());
        }
        let date = local_date(settings.timezone, now);
        match self.post_today(publisher, settings, date, now).await {
            Ok(result) => Ok(result),
            Err(e) => match self.store.guild(settings.id).await?.and_then(|g| g.broken_reason) {
                Some(reason) => {
                    tracing::warn!(guild = %settings.id, error = %format!("{e:#}"), "posting now failed");
                    Err(msg!("digest-could-not-post", reason = reasons::delivery_failure(&reason)).into())
                }
                None => Err(e.into()),
            },
        }
    }

    /// Today's claim in the server, the same whichever command asks.
    pub async fn todays_claim(&self, settings: &GuildSettings, now: DateTime<Utc>) -> Result<TodaysClaim, Error> {
        let date = local_date(settings.timezone, now);
        // On a day off the claim waits for the next post day.
        let day_off = !settings.post_days.contains(date.weekday());
        let due = if day_off {
            post_days_from(settings.post_time, settings.timezone, settings.post_days, date, 1)[0]
        } else {
            due_at(settings.post_time, settings.timezone, date)
        };
        let post = self.store.post_on(settings.id, date).await?;
        let claim = match &post {
            Some(post) => self.server_claim(settings.id, post.claim_id.as_str()).await?,
            None => {
                let history = self.store.rotation_history(settings.id).await?;
                next_claim(&*self.claims_for(settings.id).await?, &history)
                    .claim
                    .clone()
            }
        };
        Ok(TodaysClaim {
            claim,
            post,
            due,
            day_off,
        })
    }

    /// `/news`: the claim asked for (default: today's) and the news of the server's feeds on it.
    pub async fn news_on(
        &self,
        settings: &GuildSettings,
        claim: Option<&str>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<(Claim, Vec<RankedNews>), Error> {
        let claim = match claim {
            Some(id) => self.server_claim(settings.id, id).await?,
            None => self.todays_claim(settings, now).await?.claim,
        };
        let feeds = self.store.guild_feed_selection(settings.id).await?;
        let news = self.related_news(&claim, &feeds, now, limit).await?;
        Ok((claim, news))
    }

    /// `/claim resolve`: a moderator's ruling on a prediction, and the card that announces it.
    pub async fn resolve_prediction(
        &self,
        guild: GuildId,
        claim_id: &str,
        outcome: Outcome,
        note: Option<&str>,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<crate::domain::evidence::ResolutionCard, Error> {
        let claim = self.server_claim(guild, claim_id).await?;
        if claim.kind != ClaimKind::Prediction {
            return Err(msg!("claim-only-predictions").into());
        }
        let resolution = Resolution {
            claim_id: claim.id.clone(),
            outcome,
            note: plain_text(note.unwrap_or_default()),
            resolved_by: by,
            resolved_at: now,
        };
        self.store.resolve_claim(guild, &resolution).await?;
        Ok(self.resolution_card(guild, &claim, resolution).await?)
    }

    /// `/me hide:`: whether the member appears on the leaderboard.
    pub async fn set_leaderboard_hidden(&self, guild: GuildId, user: UserId, hidden: bool) -> anyhow::Result<()> {
        self.store.set_hidden(guild, user, hidden).await
    }

    /// The local date in a server now.
    pub fn local_today(&self, settings: &GuildSettings, now: DateTime<Utc>) -> NaiveDate {
        local_date(settings.timezone, now)
    }
}

/// `/digest setup days:`, or a refusal naming the word at fault.
fn parse_post_days(input: &str) -> Result<Weekdays, Error> {
    parse_days(input).map_err(|e| match e {
        DaysError::Empty => msg!("error-no-days").into(),
        DaysError::Unknown(word) => msg!("error-bad-days", input = Arg::untrusted(truncate_chars(&word, 40))).into(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::test_app::app_with_guild;
    use super::*;

    /// What `/digest setup` and `/digest status` say comes next agrees with what the poster does:
    /// a time passed today within the grace window is posted at once, a later one tomorrow.
    #[tokio::test]
    async fn the_next_post_agrees_with_the_posters_grace_window() {
        let (app, settings) = app_with_guild("UTC", "09:00").await;
        let at = |h: u32, d: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        assert_eq!(app.next_post_at(&settings, at(8, 7)).await.unwrap(), at(9, 7));
        // Six hours late, within the default 12: the poster posts now.
        let upcoming = app.upcoming_posts(&settings, at(15, 7), 3).await.unwrap();
        assert_eq!(upcoming, [at(15, 7), at(9, 8), at(9, 9)]);
        // Fourteen hours late: today is skipped, the next is tomorrow's.
        assert_eq!(app.next_post_at(&settings, at(23, 7)).await.unwrap(), at(9, 8));
    }
}
