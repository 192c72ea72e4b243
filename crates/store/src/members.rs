use std::collections::HashSet;

use anyhow::Context as _;

use super::{parse_ts, ts, with_db, Store};
use claim_digest_domain::claims::Resolution;
use claim_digest_domain::ids::{ClaimId, GuildId, PostId, UserId};
use claim_digest_domain::votes::Choice;

impl Store {
    /// A member's current choices in a server, by post.
    pub async fn member_choices(&self, guild: GuildId, user: UserId) -> anyhow::Result<Vec<(PostId, Choice)>> {
        let rows: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT v.post_id, v.choice FROM votes v JOIN posts p ON p.id = v.post_id
             WHERE p.guild_id = $1 AND v.user_id = $2 ORDER BY p.local_date",
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(post, choice)| Ok((PostId(post), choice.parse().map_err(anyhow::Error::msg)?)))
            .collect()
    }

    /// Every (post, member) pair holding a vote in a server. A server's history is every vote
    /// ever cast there (100,000 and more), so the pairs come back as one JSON array built by the
    /// database rather than row by row (each row crossing from SQLite's thread costs microseconds).
    pub async fn voters_by_post(&self, guild: GuildId) -> anyhow::Result<Vec<(PostId, UserId)>> {
        let sql = match self.backend {
            crate::Backend::Sqlite(_) => {
                "SELECT json_group_array(json_array(v.post_id, v.user_id)) \
                 FROM votes v JOIN posts p ON p.id = v.post_id WHERE p.guild_id = $1"
            }
            crate::Backend::Postgres(_) => {
                "SELECT COALESCE(json_agg(json_build_array(v.post_id, v.user_id)), '[]')::text \
                 FROM votes v JOIN posts p ON p.id = v.post_id WHERE p.guild_id = $1"
            }
        };
        let pairs: String = with_db!(self, db => sqlx::query_scalar(sql)
            .bind(guild.to_db())
            .fetch_one(db)
            .await)?;
        let pairs: Vec<(i64, i64)> = serde_json::from_str(&pairs).context("reading a server's voters")?;
        Ok(pairs
            .into_iter()
            .map(|(p, u)| (PostId(p), UserId::from_db(u)))
            .collect())
    }

    pub async fn set_hidden(&self, guild: GuildId, user: UserId, hidden: bool) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        let query = if hidden {
            "INSERT INTO hidden_members (guild_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM hidden_members WHERE guild_id = $1 AND user_id = $2"
        };
        with_db!(self, db => sqlx::query(query)
            .bind(guild.to_db())
            .bind(user.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn hidden_members(&self, guild: GuildId) -> anyhow::Result<HashSet<UserId>> {
        let rows: Vec<i64> = with_db!(self, db => sqlx::query_scalar("SELECT user_id FROM hidden_members WHERE guild_id = $1")
            .bind(guild.to_db())
            .fetch_all(db)
            .await)?;
        Ok(rows.into_iter().map(UserId::from_db).collect())
    }

    /// Records (or replaces) a prediction's resolution in a server.
    pub async fn resolve_claim(&self, guild: GuildId, resolution: &Resolution) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            "INSERT INTO resolutions (guild_id, claim_id, outcome, note, resolved_by, resolved_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (guild_id, claim_id) DO UPDATE SET outcome = excluded.outcome, note = excluded.note,
               resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at",
        )
        .bind(guild.to_db())
        .bind(resolution.claim_id.as_str())
        .bind(resolution.outcome.as_str())
        .bind(&resolution.note)
        .bind(resolution.resolved_by.to_db())
        .bind(ts(resolution.resolved_at))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn resolutions(&self, guild: GuildId) -> anyhow::Result<Vec<Resolution>> {
        let rows: Vec<(String, String, String, i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT claim_id, outcome, note, resolved_by, resolved_at FROM resolutions WHERE guild_id = $1 ORDER BY claim_id",
        )
        .bind(guild.to_db())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(claim_id, outcome, note, by, at)| {
                Ok(Resolution {
                    claim_id: ClaimId::from(claim_id),
                    outcome: outcome.parse().map_err(anyhow::Error::msg)?,
                    note,
                    resolved_by: UserId::from_db(by),
                    resolved_at: parse_ts(&at)?,
                })
            })
            .collect()
    }
}
