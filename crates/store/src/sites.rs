//! The public tally pages: which servers opted in (under which slug), and the members who chose
//! to appear on the site's leaderboard.

use chrono::{DateTime, Utc};
use claim_digest_domain::ids::{GuildId, UserId};
use claim_digest_domain::site::Site;

use super::guilds::{GuildRow, GUILD_COLUMNS};
use super::{ts, with_db, GuildSettings, Store};

/// A site as a page request finds it: the server it belongs to and that server's settings.
#[derive(Debug, Clone)]
pub struct SiteOwner {
    pub settings: GuildSettings,
    pub site: Site,
    /// Someone chose to appear on the leaderboard.
    pub has_members: bool,
}

impl Store {
    /// Turns the server's site on under `slug`, or, when it is on already, keeps its slug and
    /// sets whether it may be indexed. Returns the site as stored.
    pub async fn enable_site(
        &self,
        guild: GuildId,
        slug: &str,
        indexable: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Site> {
        let _writer = self.write_slot().await;
        let (slug, indexable): (String, bool) = with_db!(self, db => sqlx::query_as(
            "INSERT INTO web_sites (guild_id, slug, indexable, enabled_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id) DO UPDATE SET indexable = excluded.indexable
             RETURNING slug, indexable",
        )
        .bind(guild.to_db())
        .bind(slug)
        .bind(indexable)
        .bind(ts(now))
        .fetch_one(db)
        .await)?;
        Ok(Site { slug, indexable })
    }

    /// Replaces the slug of a site that is on; none when the server has no site.
    pub async fn rotate_site(&self, guild: GuildId, slug: &str) -> anyhow::Result<Option<Site>> {
        let _writer = self.write_slot().await;
        let row: Option<(String, bool)> = with_db!(self, db => sqlx::query_as(
            "UPDATE web_sites SET slug = $2 WHERE guild_id = $1 RETURNING slug, indexable",
        )
        .bind(guild.to_db())
        .bind(slug)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|(slug, indexable)| Site { slug, indexable }))
    }

    /// Turns the server's site off; false when it was not on.
    pub async fn disable_site(&self, guild: GuildId) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("DELETE FROM web_sites WHERE guild_id = $1")
            .bind(guild.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done > 0)
    }

    pub async fn site(&self, guild: GuildId) -> anyhow::Result<Option<Site>> {
        let row: Option<(String, bool)> = with_db!(self, db => sqlx::query_as(
            "SELECT slug, indexable FROM web_sites WHERE guild_id = $1",
        )
        .bind(guild.to_db())
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|(slug, indexable)| Site { slug, indexable }))
    }

    /// The server whose site has this slug, with its settings and whether anyone chose to appear
    /// on its leaderboard: everything a page request reads fresh, in one statement.
    pub async fn site_owner(&self, slug: &str) -> anyhow::Result<Option<SiteOwner>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            guild: GuildRow,
            slug: String,
            indexable: bool,
            has_members: bool,
        }
        let sql = format!(
            "SELECT {GUILD_COLUMNS}, slug, indexable, \
               EXISTS (SELECT 1 FROM web_members m WHERE m.guild_id = web_sites.guild_id) AS has_members \
             FROM web_sites JOIN guilds ON guilds.id = web_sites.guild_id WHERE slug = $1"
        );
        let row: Option<Row> = with_db!(self, db => sqlx::query_as(&sql).bind(slug).fetch_optional(db).await)?;
        row.map(|row| {
            Ok(SiteOwner {
                settings: GuildSettings::try_from(row.guild)?,
                site: Site {
                    slug: row.slug,
                    indexable: row.indexable,
                },
                has_members: row.has_members,
            })
        })
        .transpose()
    }

    /// Puts the member on the site's leaderboard under `name`, or refreshes the name.
    pub async fn show_on_site(
        &self,
        guild: GuildId,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            "INSERT INTO web_members (guild_id, user_id, display_name, shown_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name",
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .bind(name)
        .bind(ts(now))
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Refreshes the name of a member who is on the site's leaderboard; nothing for anyone else.
    /// True when a name changed.
    pub async fn refresh_site_name(&self, guild: GuildId, user: UserId, name: &str) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let changed = with_db!(self, db => sqlx::query(
            "UPDATE web_members SET display_name = $3 WHERE guild_id = $1 AND user_id = $2 AND display_name <> $3",
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .bind(name)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(changed > 0)
    }

    /// Takes the member off the site's leaderboard at once.
    pub async fn hide_from_site(&self, guild: GuildId, user: UserId) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query("DELETE FROM web_members WHERE guild_id = $1 AND user_id = $2")
            .bind(guild.to_db())
            .bind(user.to_db())
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The members who chose to appear on the site, with the names they chose it under.
    pub async fn site_members(&self, guild: GuildId) -> anyhow::Result<Vec<(UserId, String)>> {
        let rows: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT user_id, display_name FROM web_members WHERE guild_id = $1",
        )
        .bind(guild.to_db())
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(|(u, n)| (UserId::from_db(u), n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use claim_digest_domain::lang::Lang;

    #[tokio::test]
    async fn a_site_is_enabled_rotated_and_disabled_and_old_slugs_find_nothing() {
        let now = Utc::now();
        for store in testing::stores().await {
            let guild = GuildId(7);
            store.ensure_guild(guild, Lang::En, &[], now).await.unwrap();
            let a = "A".repeat(22);
            let b = "B".repeat(22);
            let site = store.enable_site(guild, &a, false, now).await.unwrap();
            assert_eq!(
                site,
                Site {
                    slug: a.clone(),
                    indexable: false
                }
            );
            // Enabling again keeps the slug and takes the new indexing choice.
            let again = store.enable_site(guild, &b, true, now).await.unwrap();
            assert_eq!(
                again,
                Site {
                    slug: a.clone(),
                    indexable: true
                }
            );
            let owner = store.site_owner(&a).await.unwrap().unwrap();
            assert_eq!(
                (owner.settings.id, owner.site, owner.has_members),
                (guild, again, false)
            );
            let rotated = store.rotate_site(guild, &b).await.unwrap().unwrap();
            assert_eq!(rotated.slug, b);
            assert!(store.site_owner(&a).await.unwrap().is_none());
            assert!(store.disable_site(guild).await.unwrap());
            assert!(store.site_owner(&b).await.unwrap().is_none());
            assert!(!store.disable_site(guild).await.unwrap());
            assert!(store.rotate_site(guild, &a).await.unwrap().is_none());
            // The schema refuses a short slug.
            assert!(store.enable_site(guild, "short", false, now).await.is_err());
        }
    }

    #[tokio::test]
    async fn members_appear_on_the_site_only_while_they_choose_to() {
        let now = Utc::now();
        for store in testing::stores().await {
            let guild = GuildId(8);
            store.ensure_guild(guild, Lang::En, &[], now).await.unwrap();
            store.enable_site(guild, &"C".repeat(22), false, now).await.unwrap();
            let has_members = || async { store.site_owner(&"C".repeat(22)).await.unwrap().unwrap().has_members };
            assert!(!store.refresh_site_name(guild, UserId(1), "never chose").await.unwrap());
            assert!(store.site_members(guild).await.unwrap().is_empty());
            assert!(!has_members().await);
            store.show_on_site(guild, UserId(1), "Ann", now).await.unwrap();
            assert!(has_members().await);
            assert!(store.refresh_site_name(guild, UserId(1), "Ann B").await.unwrap());
            assert!(
                !store.refresh_site_name(guild, UserId(1), "Ann B").await.unwrap(),
                "the same name again"
            );
            assert_eq!(
                store.site_members(guild).await.unwrap(),
                vec![(UserId(1), "Ann B".to_string())]
            );
            store.hide_from_site(guild, UserId(1)).await.unwrap();
            assert!(store.site_members(guild).await.unwrap().is_empty());
            assert!(!has_members().await);
        }
    }
}
