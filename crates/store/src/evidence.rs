//! The evidence ledger: entries (one per server, claim and story), members' marks on them, and
//! every change of a mark.

use chrono::{DateTime, Utc};

use super::{parse_ts, ts, with_db, with_tx, Store};
use claim_digest_domain::evidence::{self, Entry, EvidenceId, Stance, StanceChange, Withheld};
use claim_digest_domain::ids::{ClaimId, GuildId, PostId, UserId};
use claim_digest_domain::ranking::LeaveOut;

/// An entry's columns and its marks counted per side; `FROM evidence e LEFT JOIN evidence_marks m`
/// follows, and the query groups by `e.id` (every other column depends on it).
const ENTRY: &str =
    "SELECT e.id, e.claim_id, e.story, e.title, e.url, e.source, e.added_at, e.submitted_by, e.withheld, \
     COALESCE(SUM(CASE WHEN m.stance = 'supports' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN m.stance = 'contradicts' THEN 1 ELSE 0 END), 0), \
     COALESCE(SUM(CASE WHEN m.stance = 'offtopic' THEN 1 ELSE 0 END), 0)";

type EntryRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<i64>,
    Option<String>,
    i64,
    i64,
    i64,
);

fn entry(row: EntryRow) -> anyhow::Result<Entry> {
    let (id, claim, story, title, url, source, added_at, by, withheld, supports, contradicts, off_topic) = row;
    let withheld = match withheld.as_deref() {
        None => None,
        Some("members") => Some(Withheld::Members),
        Some("moderator") => Some(Withheld::Moderator),
        Some(other) => anyhow::bail!("evidence {id}: unknown withheld reason {other:?}"),
    };
    Ok(Entry {
        id: EvidenceId(id),
        claim: ClaimId::from(claim),
        story,
        title,
        url,
        source,
        added_at: parse_ts(&added_at)?,
        submitted_by: by.map(UserId::from_db),
        supports: supports as u32,
        contradicts: contradicts as u32,
        off_topic: off_topic as u32,
        withheld,
    })
}

/// A story a member brings to a claim's ledger.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub guild: GuildId,
    pub claim: &'a ClaimId,
    pub story: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    pub source: &'a str,
    pub by: UserId,
    pub stance: Stance,
}

/// A mark as a member gives it.
#[derive(Debug, Clone, Copy)]
pub struct NewMark {
    pub guild: GuildId,
    pub entry: EvidenceId,
    pub user: UserId,
    /// The post whose panel the mark came from.
    pub post: Option<PostId>,
    pub stance: Stance,
    /// The member moderates the server: an off-topic mark withholds the story at once.
    pub moderator: bool,
    /// EVIDENCE_OFFTOPIC_MIN.
    pub off_topic_min: u32,
}

impl Store {
    /// The entries of a post's news, in the order shown, each with `viewer`'s own mark.
    pub async fn post_evidence(&self, post: PostId, viewer: UserId) -> anyhow::Result<Vec<(Entry, Option<Stance>)>> {
        let query = format!(
            "{ENTRY} FROM post_items pi JOIN posts p ON p.id = pi.post_id JOIN items i ON i.id = pi.item_id \
             JOIN evidence e ON e.guild_id = p.guild_id AND e.claim_id = p.claim_id AND e.story = COALESCE(i.story_key, i.identity) \
             LEFT JOIN evidence_marks m ON m.evidence_id = e.id \
             WHERE pi.post_id = $1 GROUP BY e.id, pi.position ORDER BY pi.position"
        );
        let rows: Vec<EntryRow> = with_db!(self, db => sqlx::query_as(&query).bind(post.0).fetch_all(db).await)?;
        let own: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT m.evidence_id, m.stance FROM evidence_marks m JOIN evidence e ON e.id = m.evidence_id \
             JOIN posts p ON p.guild_id = e.guild_id AND p.claim_id = e.claim_id WHERE p.id = $1 AND m.user_id = $2",
        )
        .bind(post.0)
        .bind(viewer.to_db())
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|row| {
                let entry = entry(row)?;
                let mark = match own.iter().find(|(id, _)| *id == entry.id.0) {
                    Some((_, s)) => Some(s.parse().map_err(|()| anyhow::anyhow!("unknown stance {s:?}"))?),
                    None => None,
                };
                Ok((entry, mark))
            })
            .collect()
    }

    /// A server's ledger: one claim's entries, or every claim's, withheld ones included.
    pub async fn ledger(&self, guild: GuildId, claim: Option<&ClaimId>) -> anyhow::Result<Vec<Entry>> {
        let query = format!(
            "{ENTRY} FROM evidence e LEFT JOIN evidence_marks m ON m.evidence_id = e.id \
             WHERE e.guild_id = $1 AND ($2 IS NULL OR e.claim_id = $2) GROUP BY e.id ORDER BY e.claim_id, e.added_at DESC, e.id DESC"
        );
        let rows: Vec<EntryRow> = with_db!(self, db => sqlx::query_as(&query)
            .bind(guild.to_db())
            .bind(claim.map(|c| c.as_str()))
            .fetch_all(db)
            .await)?;
        rows.into_iter().map(entry).collect()
    }

    /// How many of a claim's entries in a server are withheld (`withheld`), or shown (not).
    pub async fn ledger_count(&self, guild: GuildId, claim: &ClaimId, withheld: bool) -> anyhow::Result<usize> {
        let total: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM evidence WHERE guild_id = $1 AND claim_id = $2 AND (withheld IS NOT NULL) = $3",
        )
        .bind(guild.to_db())
        .bind(claim.as_str())
        .bind(withheld)
        .fetch_one(db)
        .await)?;
        Ok(total as usize)
    }

    /// `limit` of a claim's withheld (or shown) entries from `offset`, newest first: one page of
    /// the ledger without reading the rest of it.
    pub async fn ledger_slice(
        &self,
        guild: GuildId,
        claim: &ClaimId,
        withheld: bool,
        offset: usize,
        limit: usize,
    ) -> anyhow::Result<Vec<Entry>> {
        let query = format!(
            "{ENTRY} FROM evidence e LEFT JOIN evidence_marks m ON m.evidence_id = e.id \
             WHERE e.id IN (SELECT id FROM evidence WHERE guild_id = $1 AND claim_id = $2 AND (withheld IS NOT NULL) = $3 \
               ORDER BY added_at DESC, id DESC LIMIT $4 OFFSET $5) \
             GROUP BY e.id ORDER BY e.added_at DESC, e.id DESC"
        );
        let rows: Vec<EntryRow> = with_db!(self, db => sqlx::query_as(&query)
            .bind(guild.to_db())
            .bind(claim.as_str())
            .bind(withheld)
            .bind(limit as i64)
            .bind(offset as i64)
            .fetch_all(db)
            .await)?;
        rows.into_iter().map(entry).collect()
    }

    /// One entry of a server's ledger.
    pub async fn evidence_entry(&self, guild: GuildId, id: EvidenceId) -> anyhow::Result<Option<Entry>> {
        let query = format!(
            "{ENTRY} FROM evidence e LEFT JOIN evidence_marks m ON m.evidence_id = e.id \
             WHERE e.guild_id = $1 AND e.id = $2 GROUP BY e.id"
        );
        let row: Option<EntryRow> = with_db!(self, db => sqlx::query_as(&query)
            .bind(guild.to_db())
            .bind(id.0)
            .fetch_optional(db)
            .await)?;
        row.map(entry).transpose()
    }

    /// The stories withheld from each claim in a server, as the ranking leaves them out.
    pub async fn withheld_stories(&self, guild: GuildId) -> anyhow::Result<LeaveOut> {
        let rows: Vec<(String, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT claim_id, story FROM evidence WHERE guild_id = $1 AND withheld IS NOT NULL",
        )
        .bind(guild.to_db())
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Records a member's mark (a change of mark replaces it, and history keeps both) and, for an
    /// off-topic mark, withholds the story when the marks now standing say so. `None` when the
    /// entry is not this server's.
    pub async fn mark_evidence(&self, mark: NewMark, now: DateTime<Utc>) -> anyhow::Result<Option<Entry>> {
        let mut tx = self.write_tx().await?;
        let kept: Option<bool> = with_tx!(tx, conn => sqlx::query_scalar("SELECT kept FROM evidence WHERE id = $1 AND guild_id = $2")
            .bind(mark.entry.0)
            .bind(mark.guild.to_db())
            .fetch_optional(&mut *conn)
            .await)?;
        let Some(kept) = kept else {
            return Ok(None);
        };
        let changed = with_tx!(tx, conn => sqlx::query(
            "INSERT INTO evidence_marks (evidence_id, user_id, post_id, stance, moderator, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (evidence_id, user_id) DO UPDATE SET stance = excluded.stance, post_id = excluded.post_id, \
               moderator = excluded.moderator, updated_at = excluded.updated_at \
             WHERE evidence_marks.stance <> excluded.stance OR evidence_marks.moderator <> excluded.moderator",
        )
        .bind(mark.entry.0)
        .bind(mark.user.to_db())
        .bind(mark.post.map(|p| p.0))
        .bind(mark.stance.as_str())
        .bind(mark.moderator)
        .bind(ts(now))
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected()))?
            > 0;
        if changed {
            with_tx!(tx, conn => sqlx::query(
                "INSERT INTO evidence_mark_history (evidence_id, user_id, post_id, stance, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(mark.entry.0)
            .bind(mark.user.to_db())
            .bind(mark.post.map(|p| p.0))
            .bind(mark.stance.as_str())
            .bind(ts(now))
            .execute(&mut *conn)
            .await
            .map(|d| d.rows_affected()))?;
        }
        if mark.stance == Stance::OffTopic {
            let off_topic: i64 = with_tx!(tx, conn => sqlx::query_scalar(
                "SELECT COUNT(*) FROM evidence_marks WHERE evidence_id = $1 AND stance = 'offtopic'",
            )
            .bind(mark.entry.0)
            .fetch_one(&mut *conn)
            .await)?;
            let withheld = evidence::withholding(off_topic as u32, mark.moderator, kept, mark.off_topic_min);
            if let Some(reason) = withheld {
                let reason = match reason {
                    Withheld::Members => "members",
                    Withheld::Moderator => "moderator",
                };
                with_tx!(tx, conn => sqlx::query("UPDATE evidence SET withheld = $2 WHERE id = $1 AND withheld IS NULL")
                    .bind(mark.entry.0)
                    .bind(reason)
                    .execute(&mut *conn)
                    .await
                    .map(|d| d.rows_affected()))?;
            }
        }
        tx.commit().await?;
        self.evidence_entry(mark.guild, mark.entry).await
    }

    /// Files a story a member brought, with their stance, or merges it with the same story already
    /// on the claim's ledger. Returns the entry and whether it was already there.
    pub async fn add_evidence(&self, new: &NewEvidence<'_>, now: DateTime<Utc>) -> anyhow::Result<(Entry, bool)> {
        let inserted: Option<i64> = {
            let _writer = self.write_slot().await;
            with_db!(self, db => sqlx::query_scalar(
                "INSERT INTO evidence (guild_id, claim_id, story, title, url, source, added_at, submitted_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (guild_id, claim_id, story) DO NOTHING RETURNING id",
            )
            .bind(new.guild.to_db())
            .bind(new.claim.as_str())
            .bind(new.story)
            .bind(new.title)
            .bind(new.url)
            .bind(new.source)
            .bind(ts(now))
            .bind(new.by.to_db())
            .fetch_optional(db)
            .await)?
        };
        let (id, merged) = match inserted {
            Some(id) => (id, false),
            None => {
                let id: i64 = with_db!(self, db => sqlx::query_scalar(
                    "SELECT id FROM evidence WHERE guild_id = $1 AND claim_id = $2 AND story = $3",
                )
                .bind(new.guild.to_db())
                .bind(new.claim.as_str())
                .bind(new.story)
                .fetch_one(db)
                .await)?;
                (id, true)
            }
        };
        let mark = NewMark {
            guild: new.guild,
            entry: EvidenceId(id),
            user: new.by,
            post: None,
            stance: new.stance,
            moderator: false,
            off_topic_min: u32::MAX,
        };
        let entry = self
            .mark_evidence(mark, now)
            .await?
            .ok_or_else(|| anyhow::anyhow!("evidence {id} vanished while it was filed"))?;
        Ok((entry, merged))
    }

    /// How many entries a member has filed in a server since `since`.
    pub async fn evidence_filed_since(
        &self,
        guild: GuildId,
        user: UserId,
        since: DateTime<Utc>,
    ) -> anyhow::Result<u32> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT COUNT(*) FROM evidence WHERE guild_id = $1 AND submitted_by = $2 AND added_at >= $3",
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .bind(ts(since))
        .fetch_one(db)
        .await)?;
        Ok(n as u32)
    }

    /// Deletes an entry of a claim's ledger, with its marks. Whether there was one.
    pub async fn remove_evidence(&self, guild: GuildId, claim: &ClaimId, id: EvidenceId) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query("DELETE FROM evidence WHERE id = $1 AND guild_id = $2 AND claim_id = $3")
            .bind(id.0)
            .bind(guild.to_db())
            .bind(claim.as_str())
            .execute(db)
            .await
            .map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }

    /// Puts a withheld story back beside its claim; member marks no longer withhold it. Whether it
    /// was withheld.
    pub async fn restore_evidence(&self, guild: GuildId, claim: &ClaimId, id: EvidenceId) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "UPDATE evidence SET withheld = NULL, kept = $4 WHERE id = $1 AND guild_id = $2 AND claim_id = $3 AND withheld IS NOT NULL",
        )
        .bind(id.0)
        .bind(guild.to_db())
        .bind(claim.as_str())
        .bind(true)
        .execute(db)
        .await
        .map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }

    /// Every stance vote a server's members cast or withdrew, oldest first (one member's, or
    /// everyone's), by claim: what calls are judged on.
    pub async fn stance_history(
        &self,
        guild: GuildId,
        user: Option<UserId>,
    ) -> anyhow::Result<Vec<(UserId, StanceChange)>> {
        let rows: Vec<(i64, String, String, Option<String>)> = with_db!(self, db => sqlx::query_as(
            "SELECT h.user_id, p.claim_id, h.at, h.choice FROM vote_history h JOIN posts p ON p.id = h.post_id \
             WHERE p.guild_id = $1 AND ($2 IS NULL OR h.user_id = $2) AND p.question = 'stance' ORDER BY h.at, h.id",
        )
        .bind(guild.to_db())
        .bind(user.map(UserId::to_db))
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(user, claim, at, choice)| {
                Ok((
                    UserId::from_db(user),
                    StanceChange {
                        claim: ClaimId::from(claim),
                        at: parse_ts(&at)?,
                        choice: choice.map(|c| c.parse().map_err(anyhow::Error::msg)).transpose()?,
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use claim_digest_domain::ids::{ChannelId, MessageId};
    use claim_digest_domain::lang::Lang;
    use claim_digest_domain::news::NewsItem;
    use claim_digest_domain::votes::{Choice, Question};

    fn item(n: u32, story: Option<&str>) -> NewsItem {
        NewsItem {
            identity: format!("guid:{n}"),
            story_key: story.map(str::to_string),
            source: "Feed".into(),
            title: format!("Story {n}"),
            url: story.map(|s| format!("https://{s}")),
            summary: String::new(),
            published: Some(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()),
            seen_at: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        }
    }

    async fn posted(store: &Store, guild: GuildId, claim: &str, date: &str, items: &[NewsItem]) -> PostId {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        let new = crate::NewPost {
            guild,
            local_date: date.parse().unwrap(),
            claim_id: claim.into(),
            round: 1 + date[8..].parse::<u32>().unwrap(),
            question: Question::Stance,
            channel: ChannelId(8),
            nonce: format!("n{date}"),
        };
        let crate::Reservation::Reserved(post) = store.reserve_post(&new, now).await.unwrap() else {
            panic!("a fresh day")
        };
        store.record_post_items(post.id, items).await.unwrap();
        store.mark_post_sent(post.id, MessageId(9), now).await.unwrap();
        post.id
    }

    #[tokio::test]
    async fn marks_count_change_and_withhold_per_server_and_claim() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
            let spec = claim_digest_feeds::FeedSpec {
                name: "A".into(),
                url: "https://a.example/feed".into(),
                language: None,
            };
            let (one, two) = (GuildId(1), GuildId(2));
            for guild in [one, two] {
                store
                    .ensure_guild(guild, Lang::En, std::slice::from_ref(&spec), now)
                    .await
                    .unwrap();
            }
            let feed = store.feed_by_url(&spec.url).await.unwrap().unwrap().id;
            let items = vec![item(1, Some("x.com/1")), item(2, None), item(3, Some("x.com/3"))];
            store.insert_items(feed, &items).await.unwrap();
            let post = posted(&store, one, "c", "2026-11-01", &items).await;
            posted(&store, two, "c", "2026-11-01", &items[..1]).await;
            // The same story shown again for the claim in a later round is the same entry.
            posted(&store, one, "c", "2026-11-02", &items[..1]).await;

            let panel = store.post_evidence(post, UserId(10)).await.unwrap();
            assert_eq!(
                panel
                    .iter()
                    .map(|(e, own)| (e.story.as_str(), *own))
                    .collect::<Vec<_>>(),
                vec![("x.com/1", None), ("guid:2", None), ("x.com/3", None)],
                "{backend}: the post's news in order, unmarked"
            );
            let first = panel[0].0.id;
            let mark = |user: u64, stance: Stance, moderator: bool| NewMark {
                guild: one,
                entry: first,
                user: UserId(user),
                post: Some(post),
                stance,
                moderator,
                off_topic_min: 3,
            };
            store
                .mark_evidence(mark(10, Stance::Supports, false), now)
                .await
                .unwrap();
            store
                .mark_evidence(mark(11, Stance::Supports, false), now)
                .await
                .unwrap();
            let changed = store
                .mark_evidence(mark(10, Stance::Contradicts, false), now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (changed.supports, changed.contradicts),
                (1, 1),
                "{backend}: a changed mark moves"
            );
            let history: i64 = with_db!(store, db => sqlx::query_scalar("SELECT COUNT(*) FROM evidence_mark_history WHERE evidence_id = $1")
                .bind(first.0)
                .fetch_one(db)
                .await)
            .unwrap();
            assert_eq!(history, 3, "{backend}: every change kept");
            let own = store.post_evidence(post, UserId(10)).await.unwrap();
            assert_eq!(own[0].1, Some(Stance::Contradicts), "{backend}: the member's own mark");

            // Another server's entry for the same story is its own: marks here never reach it.
            let theirs = store.ledger(two, None).await.unwrap();
            assert_eq!(theirs.len(), 1);
            assert_eq!(theirs[0].weight(), 0, "{backend}: per server");
            let wrong_server = NewMark {
                guild: two,
                ..mark(12, Stance::OffTopic, true)
            };
            assert!(store.mark_evidence(wrong_server, now).await.unwrap().is_none());

            // Two off-topic marks are not enough; the third withholds the story.
            for user in [20, 21] {
                store
                    .mark_evidence(mark(user, Stance::OffTopic, false), now)
                    .await
                    .unwrap();
            }
            assert!(store.withheld_stories(one).await.unwrap().is_empty());
            let third = store
                .mark_evidence(mark(22, Stance::OffTopic, false), now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(third.withheld, Some(Withheld::Members));
            let out = store.withheld_stories(one).await.unwrap();
            assert!(
                out.contains(&("c".to_string(), "x.com/1".to_string())),
                "{backend}: {out:?}"
            );
            assert!(
                store.withheld_stories(two).await.unwrap().is_empty(),
                "{backend}: per server"
            );

            // A moderator puts it back; members' marks no longer withhold it, a moderator's does.
            let claim = ClaimId::from("c".to_string());
            assert!(store.restore_evidence(one, &claim, first).await.unwrap());
            assert!(!store.restore_evidence(one, &claim, first).await.unwrap(), "only once");
            store
                .mark_evidence(mark(23, Stance::OffTopic, false), now)
                .await
                .unwrap();
            assert!(store.withheld_stories(one).await.unwrap().is_empty());
            let ruled = store
                .mark_evidence(mark(24, Stance::OffTopic, true), now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(ruled.withheld, Some(Withheld::Moderator));

            // Bringing a story already shown merges with it; a new one is filed with its submitter.
            let filed = NewEvidence {
                guild: one,
                claim: &claim,
                story: "x.com/3",
                title: "Story 3 again",
                url: "https://x.com/3",
                source: "x.com",
                by: UserId(30),
                stance: Stance::Supports,
            };
            let (entry, merged) = store.add_evidence(&filed, now).await.unwrap();
            assert!(merged, "{backend}");
            assert_eq!((entry.title.as_str(), entry.supports), ("Story 3", 1));
            let fresh = NewEvidence {
                story: "y.org/a",
                title: "A page",
                url: "https://y.org/a",
                ..filed
            };
            let (entry, merged) = store.add_evidence(&fresh, now).await.unwrap();
            assert!(!merged);
            assert_eq!(entry.submitted_by, Some(UserId(30)));
            assert_eq!(
                store
                    .evidence_filed_since(one, UserId(30), now - chrono::Duration::hours(1))
                    .await
                    .unwrap(),
                1,
                "{backend}: a merge files nothing new"
            );
            assert!(store.remove_evidence(one, &claim, entry.id).await.unwrap());
            assert!(store.evidence_entry(one, entry.id).await.unwrap().is_none());
            assert_eq!(store.ledger(one, Some(&claim)).await.unwrap().len(), 3);
        }
    }

    /// A page of the ledger is read by itself, newest first, the withheld apart from the shown.
    #[tokio::test]
    async fn a_ledger_page_reads_only_its_entries_newest_first() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let start = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
            let guild = GuildId(3);
            store.ensure_guild(guild, Lang::En, &[], start).await.unwrap();
            let claim = ClaimId::new("o3-on-trend");
            let other = ClaimId::new("agents-arrive-2025");
            let mut ids = Vec::new();
            for i in 0..13i64 {
                let (story, url) = (format!("z.org/{i}"), format!("https://z.org/{i}"));
                let new = NewEvidence {
                    guild,
                    claim: if i == 12 { &other } else { &claim },
                    story: &story,
                    title: "A story",
                    url: &url,
                    source: "z.org",
                    by: UserId(40),
                    stance: Stance::Supports,
                };
                let (entry, _) = store
                    .add_evidence(&new, start + chrono::Duration::minutes(i))
                    .await
                    .unwrap();
                ids.push(entry.id);
            }
            // A moderator withholds the oldest; the twelfth story is another claim's.
            let ruling = NewMark {
                guild,
                entry: ids[0],
                user: UserId(41),
                post: None,
                stance: Stance::OffTopic,
                moderator: true,
                off_topic_min: 3,
            };
            store.mark_evidence(ruling, start).await.unwrap();
            assert_eq!(store.ledger_count(guild, &claim, false).await.unwrap(), 11, "{backend}");
            assert_eq!(store.ledger_count(guild, &claim, true).await.unwrap(), 1, "{backend}");
            let first = store.ledger_slice(guild, &claim, false, 0, 10).await.unwrap();
            let newest: Vec<EvidenceId> = ids[1..12].iter().rev().take(10).copied().collect();
            assert_eq!(first.iter().map(|e| e.id).collect::<Vec<_>>(), newest, "{backend}");
            assert_eq!(first[0].supports, 1, "{backend}: counts come with the page");
            let second = store.ledger_slice(guild, &claim, false, 10, 10).await.unwrap();
            assert_eq!(
                second.iter().map(|e| e.id).collect::<Vec<_>>(),
                vec![ids[1]],
                "{backend}"
            );
            let withheld = store.ledger_slice(guild, &claim, true, 0, 10).await.unwrap();
            assert_eq!(
                withheld.iter().map(|e| e.id).collect::<Vec<_>>(),
                vec![ids[0]],
                "{backend}"
            );
        }
    }

    #[tokio::test]
    async fn stance_history_keeps_every_change_by_claim() {
        for store in crate::testing::stores().await {
            let backend = store.backend_name();
            let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
            let guild = GuildId(1);
            store.ensure_guild(guild, Lang::En, &[], now).await.unwrap();
            let post = posted(&store, guild, "c", "2026-11-01", &[]).await;
            for (user, choice) in [(10, Choice::Agree), (10, Choice::Disagree), (11, Choice::Unsure)] {
                store
                    .cast_vote(post, UserId(user), choice, crate::VoteSource::Button, now)
                    .await
                    .unwrap();
            }
            let mine = store.stance_history(guild, Some(UserId(10))).await.unwrap();
            assert_eq!(
                mine.iter().map(|(_, c)| c.choice).collect::<Vec<_>>(),
                vec![Some(Choice::Agree), Some(Choice::Disagree)],
                "{backend}"
            );
            assert_eq!(store.stance_history(guild, None).await.unwrap().len(), 3);
        }
    }
}
