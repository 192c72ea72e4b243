use super::reasons::{decode_delivery_failure, encode_delivery_failure};
use super::{feeds::FeedRecord, ts, with_db, with_tx, Store};
use anyhow::Context as _;
use chrono::{DateTime, NaiveTime, Utc};
use claim_digest_domain::digest::NewsCount;
use claim_digest_domain::filter::{FeedFilter, FeedSelection};
use claim_digest_domain::ids::{ChannelId, FeedId, GuildId, RoleId};
use claim_digest_domain::lang::Lang;
use claim_digest_domain::records::DeliveryFailure;
use claim_digest_domain::schedule::Weekdays;
use claim_digest_feeds::FeedSpec;

pub use claim_digest_domain::records::GuildSettings;

/// What adding a feed to a server's list came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddFeed {
    Added,
    AlreadyThere,
    /// The list holds FEEDS_PER_SERVER feeds already.
    Full,
}

/// A complete new setup for a server.
#[derive(Debug, Clone)]
pub struct GuildUpdate {
    pub channel: ChannelId,
    pub post_time: NaiveTime,
    pub timezone: chrono_tz::Tz,
    pub language: Lang,
    pub news_count: NewsCount,
    pub thread: bool,
    pub moderator_role: Option<RoleId>,
    /// The role the daily post mentions; `None` keeps the one set.
    pub ping_role: Option<RoleId>,
    /// The weekdays the server posts on; `None` keeps them.
    pub post_days: Option<Weekdays>,
    /// The weekly recap's weekday, or `Some(None)` for no recap; `None` keeps it.
    pub recap_day: Option<Option<chrono::Weekday>>,
}

/// A `guilds` row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct GuildRow {
    id: i64,
    channel_id: Option<i64>,
    post_time: String,
    timezone: String,
    language: String,
    news_count: i64,
    thread: bool,
    moderator_role_id: Option<i64>,
    ping_role_id: Option<i64>,
    post_days: i64,
    recap_day: Option<i64>,
    paused: bool,
    broken_reason: Option<String>,
}

impl TryFrom<GuildRow> for GuildSettings {
    type Error = anyhow::Error;
    fn try_from(row: GuildRow) -> anyhow::Result<GuildSettings> {
        let tz = row.timezone;
        Ok(GuildSettings {
            id: GuildId::from_db(row.id),
            channel: row.channel_id.map(ChannelId::from_db),
            post_time: NaiveTime::parse_from_str(&row.post_time, "%H:%M")?,
            timezone: tz
                .parse()
                .map_err(|e| anyhow::anyhow!("bad time zone `{tz}` in database: {e}"))?,
            language: row.language.parse().map_err(anyhow::Error::msg)?,
            news_count: NewsCount::clamped(row.news_count),
            thread: row.thread,
            moderator_role: row.moderator_role_id.map(RoleId::from_db),
            ping_role: row.ping_role_id.map(RoleId::from_db),
            post_days: Weekdays::from_bits(row.post_days)
                .ok_or_else(|| anyhow::anyhow!("bad post days {} in database", row.post_days))?,
            recap_day: row
                .recap_day
                .map(|d| {
                    u8::try_from(d)
                        .ok()
                        .and_then(|d| chrono::Weekday::try_from(d).ok())
                        .ok_or_else(|| anyhow::anyhow!("bad recap day {d} in database"))
                })
                .transpose()?,
            paused: row.paused,
            broken_reason: row.broken_reason.as_deref().map(decode_delivery_failure),
        })
    }
}

fn to_settings(rows: Vec<GuildRow>) -> anyhow::Result<Vec<GuildSettings>> {
    rows.into_iter().map(GuildSettings::try_from).collect()
}

pub(crate) const GUILD_COLUMNS: &str =
    "id, channel_id, post_time, timezone, language, news_count, thread, moderator_role_id, ping_role_id, post_days, recap_day, paused, broken_reason";

impl Store {
    /// The server's settings, creating them (with the default feed list) the first time.
    pub async fn ensure_guild(
        &self,
        id: GuildId,
        language: Lang,
        default_feeds: &[FeedSpec],
        now: DateTime<Utc>,
    ) -> anyhow::Result<GuildSettings> {
        self.ensure_guild_with(id, language, NewsCount::default(), default_feeds, now)
            .await
    }

    /// As [`Store::ensure_guild`], a new server showing `news` items a post until it chooses.
    pub async fn ensure_guild_with(
        &self,
        id: GuildId,
        language: Lang,
        news: NewsCount,
        default_feeds: &[FeedSpec],
        now: DateTime<Utc>,
    ) -> anyhow::Result<GuildSettings> {
        if let Some(existing) = self.guild(id).await? {
            return Ok(existing);
        }
        let mut tx = self.write_tx().await?;
        with_tx!(tx, conn => {
            let created = sqlx::query(
                "INSERT INTO guilds (id, language, news_count, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id.to_db())
            .bind(language.code())
            .bind(i64::from(news.get()))
            .bind(ts(now))
            .execute(&mut *conn)
            .await?;
            if created.rows_affected() == 1 {
                for feed in default_feeds {
                    sqlx::query("INSERT INTO feeds (url) VALUES ($1) ON CONFLICT (url) DO NOTHING")
                        .bind(&feed.url)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(
                        "INSERT INTO guild_feeds (guild_id, feed_id, name) SELECT $1, id, $2 FROM feeds WHERE url = $3
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id.to_db())
                    .bind(&feed.name)
                    .bind(&feed.url)
                    .execute(&mut *conn)
                    .await?;
                }
            }
        });
        tx.commit().await?;
        self.guild(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("guild {id} vanished after insert"))
    }

    pub async fn guild(&self, id: GuildId) -> anyhow::Result<Option<GuildSettings>> {
        let sql = format!("SELECT {GUILD_COLUMNS} FROM guilds WHERE id = $1");
        let row: Option<GuildRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(id.to_db()).fetch_optional(db).await)?;
        row.map(GuildSettings::try_from).transpose()
    }

    /// Servers with a channel set, not paused, not broken: the ones the daily poster serves.
    pub async fn scheduled_guilds(&self) -> anyhow::Result<Vec<GuildSettings>> {
        let sql = format!(
            "SELECT {GUILD_COLUMNS} FROM guilds WHERE channel_id IS NOT NULL AND NOT paused AND broken_reason IS NULL
             ORDER BY id"
        );
        to_settings(with_db!(self, db => sqlx::query_as(&sql).fetch_all(db).await)?)
    }

    pub async fn all_guilds(&self) -> anyhow::Result<Vec<GuildSettings>> {
        let sql = format!("SELECT {GUILD_COLUMNS} FROM guilds ORDER BY id");
        to_settings(with_db!(self, db => sqlx::query_as(&sql).fetch_all(db).await)?)
    }

    /// Applies a full setup; a new setup also clears a broken schedule.
    pub async fn setup_guild(&self, id: GuildId, update: &GuildUpdate) -> anyhow::Result<GuildSettings> {
        let writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            // One statement, so that a setup is saved whole or not at all.
            "UPDATE guilds SET channel_id = $1, post_time = $2, timezone = $3, language = $4, news_count = $5,
               thread = $6, moderator_role_id = $7, broken_reason = NULL,
               ping_role_id = COALESCE($9, ping_role_id), post_days = COALESCE($10, post_days),
               recap_day = CASE WHEN $11 THEN $12 ELSE recap_day END
             WHERE id = $8",
        )
        .bind(update.channel.to_db())
        .bind(update.post_time.format("%H:%M").to_string())
        .bind(update.timezone.name())
        .bind(update.language.code())
        .bind(i64::from(update.news_count.get()))
        .bind(update.thread)
        .bind(update.moderator_role.map(RoleId::to_db))
        .bind(id.to_db())
        .bind(update.ping_role.map(RoleId::to_db))
        .bind(update.post_days.map(Weekdays::bits))
        .bind(update.recap_day.is_some())
        .bind(update.recap_day.flatten().map(|d| i64::from(d.num_days_from_monday())))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        drop(writer);
        self.schedule_changed();
        self.guild(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("guild {id} is not set up"))
    }

    pub async fn set_paused(&self, id: GuildId, paused: bool) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("UPDATE guilds SET paused = $1 WHERE id = $2")
            .bind(paused)
            .bind(id.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        self.schedule_changed();
        Ok(())
    }

    pub async fn mark_guild_broken(&self, id: GuildId, reason: &DeliveryFailure) -> anyhow::Result<()> {
        let reason = encode_delivery_failure(reason);
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("UPDATE guilds SET broken_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(id.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The server's feeds with the names it gave them, in the order they were added.
    pub async fn guild_feeds(&self, id: GuildId) -> anyhow::Result<Vec<(String, FeedRecord)>> {
        let ids: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT feed_id, name FROM guild_feeds WHERE guild_id = $1 ORDER BY rowid"
        )
        .bind(id.to_db())
        .fetch_all(db)
        .await)?;
        let mut out = Vec::with_capacity(ids.len());
        for (feed_id, name) in ids {
            if let Some(feed) = self.feed(FeedId(feed_id)).await? {
                out.push((name, feed));
            }
        }
        Ok(out)
    }

    /// The ids of the server's feeds.
    pub async fn guild_feed_ids(&self, id: GuildId) -> anyhow::Result<Vec<FeedId>> {
        let ids: Vec<i64> = with_db!(self, db => sqlx::query_scalar(
            "SELECT feed_id FROM guild_feeds WHERE guild_id = $1 ORDER BY rowid"
        )
        .bind(id.to_db())
        .fetch_all(db)
        .await)?;
        Ok(ids.into_iter().map(FeedId).collect())
    }

    /// Sets the weekdays the server's daily post goes out on; false for an unknown server.
    pub async fn set_post_days(&self, id: GuildId, days: Weekdays) -> anyhow::Result<bool> {
        let writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE guilds SET post_days = $1 WHERE id = $2")
            .bind(days.bits())
            .bind(id.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        drop(writer);
        self.schedule_changed();
        Ok(done == 1)
    }

    /// Sets (Monday 0 ... Sunday 6) or clears the weekday of the server's weekly recap; false for
    /// an unknown server.
    pub async fn set_recap_day(&self, id: GuildId, day: Option<chrono::Weekday>) -> anyhow::Result<bool> {
        let writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE guilds SET recap_day = $1 WHERE id = $2")
            .bind(day.map(|d| i64::from(d.num_days_from_monday())))
            .bind(id.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        drop(writer);
        self.schedule_changed();
        Ok(done == 1)
    }

    /// Sets or clears the role the server's daily post mentions; false for an unknown server.
    pub async fn set_ping_role(&self, id: GuildId, role: Option<RoleId>) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE guilds SET ping_role_id = $1 WHERE id = $2")
            .bind(role.map(RoleId::to_db))
            .bind(id.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// The server's feeds for its news window, with the word filter of each feed that has one and
    /// the stories withheld from its claims.
    pub async fn guild_feed_selection(&self, id: GuildId) -> anyhow::Result<FeedSelection> {
        let rows: Vec<(i64, Option<String>)> = with_db!(self, db => sqlx::query_as(
            "SELECT feed_id, CAST(filter AS TEXT) FROM guild_feeds WHERE guild_id = $1 ORDER BY rowid"
        )
        .bind(id.to_db())
        .fetch_all(db)
        .await)?;
        let mut selection = FeedSelection::default();
        for (feed, filter) in rows {
            let feed = FeedId(feed);
            selection.feeds.push(feed);
            if let Some(filter) = filter {
                let filter: FeedFilter = serde_json::from_str(&filter)
                    .with_context(|| format!("reading the filter of feed {} on server {id}", feed.0))?;
                selection.filters.insert(feed, filter);
            }
        }
        selection.withheld = self.withheld_stories(id).await?;
        Ok(selection)
    }

    /// Sets the server's word filter on one of its feeds (an empty filter removes it); false if
    /// the feed is not on the server's list.
    pub async fn set_feed_filter(&self, id: GuildId, feed: FeedId, filter: &FeedFilter) -> anyhow::Result<bool> {
        let stored = if filter.is_empty() {
            None
        } else {
            Some(serde_json::to_string(filter)?)
        };
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE guild_feeds SET filter = $3 WHERE guild_id = $1 AND feed_id = $2")
            .bind(id.to_db())
            .bind(feed.0)
            .bind(stored.as_deref())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Adds a feed to a server's list; false if it was already there.
    pub async fn add_guild_feed(&self, id: GuildId, feed: FeedId, name: &str) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO guild_feeds (guild_id, feed_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(id.to_db())
        .bind(feed.0)
        .bind(name)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Adds a feed to a server's list unless the list already holds `max` feeds; the count and
    /// the insert are one statement, so two moderators adding at once cannot pass the cap.
    pub async fn add_guild_feed_capped(
        &self,
        id: GuildId,
        feed: FeedId,
        name: &str,
        max: u32,
    ) -> anyhow::Result<AddFeed> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO guild_feeds (guild_id, feed_id, name)
             SELECT $1, $2, $3 WHERE (SELECT COUNT(*) FROM guild_feeds WHERE guild_id = $1) < $4
             ON CONFLICT DO NOTHING"
        )
        .bind(id.to_db())
        .bind(feed.0)
        .bind(name)
        .bind(i64::from(max))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        if done == 1 {
            return Ok(AddFeed::Added);
        }
        let there = self.guild_feed_ids(id).await?;
        Ok(if there.contains(&feed) {
            AddFeed::AlreadyThere
        } else {
            AddFeed::Full
        })
    }

    /// Removes a feed from a server's list; false if it was not there.
    pub async fn remove_guild_feed(&self, id: GuildId, feed: FeedId) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("DELETE FROM guild_feeds WHERE guild_id = $1 AND feed_id = $2")
            .bind(id.to_db())
            .bind(feed.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Servers whose list holds `feed`, with the name each gave it.
    pub async fn guilds_using_feed(&self, feed: FeedId) -> anyhow::Result<Vec<(GuildSettings, String)>> {
        let rows: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT guild_id, name FROM guild_feeds WHERE feed_id = $1 ORDER BY guild_id"
        )
        .bind(feed.0)
        .fetch_all(db)
        .await)?;
        let mut out = Vec::with_capacity(rows.len());
        for (guild, name) in rows {
            if let Some(settings) = self.guild(GuildId::from_db(guild)).await? {
                out.push((settings, name));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::stores;

    #[tokio::test]
    async fn a_setup_sets_what_it_names_and_keeps_the_rest() {
        for store in stores().await {
            let guild = GuildId(77);
            store.ensure_guild(guild, Lang::En, &[], Utc::now()).await.unwrap();
            let update = |ping_role, post_days, recap_day| GuildUpdate {
                channel: ChannelId(5),
                post_time: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                timezone: chrono_tz::Asia::Shanghai,
                language: Lang::Zh,
                news_count: NewsCount::default(),
                thread: false,
                moderator_role: None,
                ping_role,
                post_days,
                recap_day,
            };
            let weekdays = claim_digest_domain::schedule::parse_days("mon,wed").unwrap();
            let set = store
                .setup_guild(
                    guild,
                    &update(Some(RoleId(9)), Some(weekdays), Some(Some(chrono::Weekday::Fri))),
                )
                .await
                .unwrap();
            assert_eq!(
                (set.ping_role, set.post_days, set.recap_day),
                (Some(RoleId(9)), weekdays, Some(chrono::Weekday::Fri))
            );
            assert_eq!(
                (set.channel, set.timezone),
                (Some(ChannelId(5)), chrono_tz::Asia::Shanghai)
            );
            let kept = store.setup_guild(guild, &update(None, None, None)).await.unwrap();
            assert_eq!(
                (kept.ping_role, kept.post_days, kept.recap_day),
                (Some(RoleId(9)), weekdays, Some(chrono::Weekday::Fri))
            );
            let no_recap = store.setup_guild(guild, &update(None, None, Some(None))).await.unwrap();
            assert_eq!((no_recap.ping_role, no_recap.recap_day), (Some(RoleId(9)), None));
        }
    }

    #[tokio::test]
    async fn a_broken_reason_is_stored_as_its_kind_and_old_free_text_still_reads() {
        for store in crate::testing::stores().await {
            let now = Utc::now();
            let id = GuildId(77);
            store.ensure_guild(id, Lang::Zh, &[], now).await.unwrap();
            store
                .mark_guild_broken(id, &DeliveryFailure::MissingPermissions)
                .await
                .unwrap();
            let guild = store.guild(id).await.unwrap().unwrap();
            assert_eq!(
                guild.broken_reason,
                Some(DeliveryFailure::MissingPermissions),
                "{}",
                store.backend_name()
            );

            let old = "Discord answered 403 when posting: the channel is gone or the bot may not post there";
            with_db!(store, db => sqlx::query("UPDATE guilds SET broken_reason = $1 WHERE id = $2")
                .bind(old)
                .bind(id.to_db())
                .execute(db)
                .await
                .map(drop))
            .unwrap();
            let guild = store.guild(id).await.unwrap().unwrap();
            assert_eq!(guild.broken_reason, Some(DeliveryFailure::Other(old.into())));
        }
    }
}
