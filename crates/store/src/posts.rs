use super::{parse_ts, ts, with_db, Store};
use chrono::{DateTime, NaiveDate, Utc};
use claim_digest_domain::ids::{ChannelId, ClaimId, GuildId, MessageId, PostId};
pub use claim_digest_domain::records::{Post, PostStatus};
use claim_digest_domain::rotation::Posted;
use claim_digest_domain::votes::Question;

#[derive(Debug, Clone)]
pub struct NewPost {
    pub guild: GuildId,
    pub local_date: NaiveDate,
    pub claim_id: ClaimId,
    pub round: u32,
    pub question: Question,
    pub channel: ChannelId,
    pub nonce: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reservation {
    /// This call claimed the day: go and send it.
    Reserved(Post),
    /// The day was already claimed (maybe sent, maybe mid-send after a crash).
    Exists(Post),
}

const POST_COLUMNS: &str =
    "id, guild_id, local_date, claim_id, round, question, channel_id, message_id, nonce, status, error, sent_at";

/// A `posts` row as stored.
#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    guild_id: i64,
    local_date: String,
    claim_id: String,
    round: i64,
    question: String,
    channel_id: i64,
    message_id: Option<i64>,
    nonce: String,
    status: String,
    error: Option<String>,
    sent_at: Option<String>,
}

impl TryFrom<PostRow> for Post {
    type Error = anyhow::Error;
    fn try_from(row: PostRow) -> anyhow::Result<Post> {
        Ok(Post {
            id: PostId(row.id),
            guild: GuildId::from_db(row.guild_id),
            local_date: row.local_date.parse()?,
            claim_id: ClaimId::from(row.claim_id),
            round: row.round as u32,
            question: row.question.parse().map_err(anyhow::Error::msg)?,
            channel: ChannelId::from_db(row.channel_id),
            message: row.message_id.map(MessageId::from_db),
            nonce: row.nonce,
            status: match row.status.as_str() {
                "reserved" => PostStatus::Reserved,
                "sent" => PostStatus::Sent,
                "failed" => PostStatus::Failed,
                other => anyhow::bail!("unknown post status `{other}` in database"),
            },
            error: row.error,
            sent_at: row.sent_at.as_deref().map(parse_ts).transpose()?,
        })
    }
}

impl Store {
    /// Claims (server, local date) for a post. The UNIQUE key makes this the one place that
    /// decides: two callers racing for the same day get one `Reserved` and one `Exists`. The
    /// conflict target is left open because racers for one day also collide on the other key
    /// (server, claim, round), which PostgreSQL may check first.
    pub async fn reserve_post(&self, new: &NewPost, now: DateTime<Utc>) -> anyhow::Result<Reservation> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO posts (guild_id, local_date, claim_id, round, question, channel_id, nonce, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'reserved', $8) ON CONFLICT DO NOTHING",
        )
        .bind(new.guild.to_db())
        .bind(new.local_date.to_string())
        .bind(new.claim_id.as_str())
        .bind(i64::from(new.round))
        .bind(new.question.as_str())
        .bind(new.channel.to_db())
        .bind(&new.nonce)
        .bind(ts(now))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        let post = self.post_on(new.guild, new.local_date).await?.ok_or_else(|| {
            anyhow::anyhow!(
                "no post of {} on {}, yet claim {} round {} is taken",
                new.guild,
                new.local_date,
                new.claim_id,
                new.round
            )
        })?;
        Ok(if done == 1 {
            Reservation::Reserved(post)
        } else {
            Reservation::Exists(post)
        })
    }

    pub async fn mark_post_sent(&self, id: PostId, message: MessageId, at: DateTime<Utc>) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("UPDATE posts SET status = 'sent', message_id = $1, error = NULL, sent_at = $2 WHERE id = $3")
            .bind(message.to_db())
            .bind(ts(at))
            .bind(id.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn mark_post_failed(&self, id: PostId, error: &str) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("UPDATE posts SET status = $1, error = $2 WHERE id = $3 AND status <> 'sent'")
            .bind(status_str(PostStatus::Failed))
            .bind(error)
            .bind(id.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn post(&self, id: PostId) -> anyhow::Result<Option<Post>> {
        let row = with_db!(self, db => sqlx::query_as::<_, PostRow>(&format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(db)
            .await)?;
        row.map(Post::try_from).transpose()
    }

    pub async fn post_on(&self, guild: GuildId, date: NaiveDate) -> anyhow::Result<Option<Post>> {
        let row = with_db!(self, db => sqlx::query_as::<_, PostRow>(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE guild_id = $1 AND local_date = $2"
        ))
        .bind(guild.to_db())
        .bind(date.to_string())
        .fetch_optional(db)
        .await)?;
        row.map(Post::try_from).transpose()
    }

    pub async fn post_by_message(&self, message: MessageId) -> anyhow::Result<Option<Post>> {
        let row = with_db!(self, db => sqlx::query_as::<_, PostRow>(&format!("SELECT {POST_COLUMNS} FROM posts WHERE message_id = $1"))
            .bind(message.to_db())
            .fetch_optional(db)
            .await)?;
        row.map(Post::try_from).transpose()
    }

    /// Posts delivered at `since` or later, in every server, oldest first.
    pub async fn posts_sent_since(&self, since: DateTime<Utc>) -> anyhow::Result<Vec<Post>> {
        let rows = with_db!(self, db => sqlx::query_as::<_, PostRow>(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE message_id IS NOT NULL AND sent_at >= $1 ORDER BY sent_at, id"
        ))
        .bind(ts(since))
        .fetch_all(db)
        .await)?;
        rows.into_iter().map(Post::try_from).collect()
    }

    /// The server's posts, newest first.
    pub async fn posts(&self, guild: GuildId) -> anyhow::Result<Vec<Post>> {
        let rows = with_db!(self, db => sqlx::query_as::<_, PostRow>(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE guild_id = $1 ORDER BY local_date DESC"
        ))
        .bind(guild.to_db())
        .fetch_all(db)
        .await)?;
        rows.into_iter().map(Post::try_from).collect()
    }

    /// Which claims the server has had, for the rotation. Failed posts do not count.
    pub async fn rotation_history(&self, guild: GuildId) -> anyhow::Result<Vec<Posted>> {
        let rows: Vec<(String, i64)> = with_db!(self, db => sqlx::query_as("SELECT claim_id, round FROM posts WHERE guild_id = $1 AND status <> 'failed'")
                .bind(guild.to_db())
                .fetch_all(db)
                .await)?;
        Ok(rows
            .into_iter()
            .map(|(claim_id, round)| Posted {
                claim_id: ClaimId::from(claim_id),
                round: round as u32,
            })
            .collect())
    }

    /// Records that a day's post was missed beyond the grace window; true the first time.
    pub async fn record_skipped_day(
        &self,
        guild: GuildId,
        date: NaiveDate,
        due: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO skipped_days (guild_id, local_date, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(guild.to_db())
        .bind(date.to_string())
        .bind(ts(due))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn is_skipped_day(&self, guild: GuildId, date: NaiveDate) -> anyhow::Result<bool> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM skipped_days WHERE guild_id = $1 AND local_date = $2")
            .bind(guild.to_db())
            .bind(date.to_string())
            .fetch_one(db)
            .await)?;
        Ok(n > 0)
    }

    /// A failed reservation is released so that the day can be tried again.
    pub async fn release_failed_post(&self, id: PostId) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("DELETE FROM posts WHERE id = $1 AND status = 'failed'")
            .bind(id.0)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}

/// How a post's status is spelled in the `posts` table.
fn status_str(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Reserved => "reserved",
        PostStatus::Sent => "sent",
        PostStatus::Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_post_per_server_per_day() {
        for store in crate::testing::stores().await {
            let now = Utc::now();
            store
                .ensure_guild(GuildId(7), claim_digest_domain::lang::Lang::En, &[], now)
                .await
                .unwrap();
            let new = NewPost {
                guild: GuildId(7),
                local_date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
                claim_id: "a".into(),
                round: 1,
                question: Question::Stance,
                channel: ChannelId(9),
                nonce: "n1".into(),
            };
            let Reservation::Reserved(post) = store.reserve_post(&new, now).await.unwrap() else {
                panic!("first reserves")
            };
            let second = NewPost {
                claim_id: "b".into(),
                nonce: "n2".into(),
                ..new.clone()
            };
            match store.reserve_post(&second, now).await.unwrap() {
                Reservation::Exists(existing) => assert_eq!(existing.id, post.id),
                other => panic!("second must find the first: {other:?}"),
            }
            store.mark_post_sent(post.id, MessageId(55), now).await.unwrap();
            let sent = store.post_by_message(MessageId(55)).await.unwrap().unwrap();
            assert_eq!((sent.status, sent.claim_id.as_str()), (PostStatus::Sent, "a"));
            assert_eq!(
                store.rotation_history(GuildId(7)).await.unwrap(),
                [Posted {
                    claim_id: "a".into(),
                    round: 1
                }]
            );
        }
    }
}
