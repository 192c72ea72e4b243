//! Weekly recaps: one row per server and ISO week, the reservation that makes a recap go out
//! once through restarts (as `posts` does for the daily post).

use super::{ts, with_db, Store};
use chrono::{DateTime, NaiveDate, Utc};
use claim_digest_domain::ids::{ChannelId, GuildId, MessageId};
pub use claim_digest_domain::records::{PostStatus, RecapRecord};

#[derive(Debug, Clone)]
pub struct NewRecap {
    pub guild: GuildId,
    pub week: String,
    pub local_date: NaiveDate,
    pub channel: ChannelId,
    pub nonce: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecapReservation {
    /// This call claimed the week: go and send it.
    Reserved(RecapRecord),
    /// The week was already claimed (sent, failed, or mid-send after a crash).
    Exists(RecapRecord),
}

type RecapRow = (i64, i64, String, String, i64, Option<i64>, String, String);

const RECAP_COLUMNS: &str = "id, guild_id, week, local_date, channel_id, message_id, nonce, status";

fn to_record(row: RecapRow) -> anyhow::Result<RecapRecord> {
    let (id, guild, week, local_date, channel, message, nonce, status) = row;
    Ok(RecapRecord {
        id,
        guild: GuildId::from_db(guild),
        week,
        local_date: local_date.parse()?,
        channel: ChannelId::from_db(channel),
        message: message.map(MessageId::from_db),
        nonce,
        status: match status.as_str() {
            "reserved" => PostStatus::Reserved,
            "sent" => PostStatus::Sent,
            "failed" => PostStatus::Failed,
            other => anyhow::bail!("unknown recap status `{other}` in database"),
        },
    })
}

impl Store {
    /// Claims (server, week) for a recap. The UNIQUE key decides: two callers racing for the same
    /// week get one `Reserved` and one `Exists`.
    pub async fn reserve_recap(&self, new: &NewRecap, now: DateTime<Utc>) -> anyhow::Result<RecapReservation> {
        let writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO recaps (guild_id, week, local_date, channel_id, nonce, status, created_at)
             VALUES ($1, $2, $3, $4, $5, 'reserved', $6) ON CONFLICT (guild_id, week) DO NOTHING",
        )
        .bind(new.guild.to_db())
        .bind(&new.week)
        .bind(new.local_date.to_string())
        .bind(new.channel.to_db())
        .bind(&new.nonce)
        .bind(ts(now))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        drop(writer);
        let recap = self
            .recap_of_week(new.guild, &new.week)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no recap of {} for {} after reserving it", new.guild, new.week))?;
        Ok(if done == 1 {
            RecapReservation::Reserved(recap)
        } else {
            RecapReservation::Exists(recap)
        })
    }

    pub async fn recap_of_week(&self, guild: GuildId, week: &str) -> anyhow::Result<Option<RecapRecord>> {
        let sql = format!("SELECT {RECAP_COLUMNS} FROM recaps WHERE guild_id = $1 AND week = $2");
        let row: Option<RecapRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).bind(week).fetch_optional(db).await)?;
        row.map(to_record).transpose()
    }

    /// Every recap of the server, oldest first.
    pub async fn recaps(&self, guild: GuildId) -> anyhow::Result<Vec<RecapRecord>> {
        let sql = format!("SELECT {RECAP_COLUMNS} FROM recaps WHERE guild_id = $1 ORDER BY local_date");
        let rows: Vec<RecapRow> = with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).fetch_all(db).await)?;
        rows.into_iter().map(to_record).collect()
    }

    pub async fn mark_recap_sent(&self, id: i64, message: MessageId, at: DateTime<Utc>) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            "UPDATE recaps SET status = 'sent', message_id = $1, error = NULL, sent_at = $2 WHERE id = $3"
        )
        .bind(message.to_db())
        .bind(ts(at))
        .bind(id)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn mark_recap_failed(&self, id: i64, error: &str) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("UPDATE recaps SET status = 'failed', error = $1 WHERE id = $2 AND status <> 'sent'")
            .bind(error)
            .bind(id)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Takes a failed recap back for another attempt; false when it is no longer failed (another
    /// process took it first).
    pub async fn retry_failed_recap(&self, id: i64) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("UPDATE recaps SET status = 'reserved' WHERE id = $1 AND status = 'failed'")
            .bind(id)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use claim_digest_domain::lang::Lang;

    #[tokio::test]
    async fn one_recap_per_server_and_week() {
        for store in crate::testing::stores().await {
            one_recap_per_server_and_week_on(store).await;
        }
    }

    async fn one_recap_per_server_and_week_on(store: Store) {
        let guild = GuildId(5);
        let now: DateTime<Utc> = "2026-11-30T09:00:00Z".parse().unwrap();
        store.ensure_guild(guild, Lang::En, &[], now).await.unwrap();
        let new = NewRecap {
            guild,
            week: "2026-W49".into(),
            local_date: "2026-11-30".parse().unwrap(),
            channel: ChannelId(7),
            nonce: "n1".into(),
        };
        let RecapReservation::Reserved(first) = store.reserve_recap(&new, now).await.unwrap() else {
            panic!("the first reservation claims the week")
        };
        // Another day of the same week (the recap day changed) finds the week taken.
        let again = NewRecap {
            local_date: "2026-12-02".parse().unwrap(),
            ..new.clone()
        };
        assert_eq!(
            store.reserve_recap(&again, now).await.unwrap(),
            RecapReservation::Exists(first.clone())
        );
        store.mark_recap_failed(first.id, "boom").await.unwrap();
        assert!(store.retry_failed_recap(first.id).await.unwrap());
        assert!(!store.retry_failed_recap(first.id).await.unwrap(), "taken once");
        store.mark_recap_sent(first.id, MessageId(99), now).await.unwrap();
        let sent = store.recap_of_week(guild, "2026-W49").await.unwrap().unwrap();
        assert_eq!((sent.status, sent.message), (PostStatus::Sent, Some(MessageId(99))));
        let next_week = NewRecap {
            week: "2026-W50".into(),
            local_date: "2026-12-07".parse().unwrap(),
            ..new
        };
        assert!(matches!(
            store.reserve_recap(&next_week, now).await.unwrap(),
            RecapReservation::Reserved(_)
        ));
        assert_eq!(store.recaps(guild).await.unwrap().len(), 2);
    }
}
