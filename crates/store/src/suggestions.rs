//! Members' suggestions: filed by a member of one server, decided by its moderators. Approved
//! ones, in approval order, are that server's own claims after the essay's.

use chrono::{DateTime, NaiveDate, Utc};

use super::{parse_ts, ts, with_db, Store};
use claim_digest_domain::claims::ClaimKind;
use claim_digest_domain::ids::{GuildId, UserId};
pub use claim_digest_domain::suggestions::{Draft, SuggestedText, Suggestion, SuggestionId, SuggestionStatus};

/// A suggestion as a member files it.
#[derive(Debug, Clone)]
pub struct NewSuggestion<'a> {
    pub guild: GuildId,
    pub author: UserId,
    pub author_name: &'a str,
    pub draft: &'a Draft,
}

type SuggestionRow = (
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
);

const COLUMNS: &str = "id, guild_id, user_id, user_name, text_zh, text_en, kind, deadline, status, reason, created_at";

fn to_suggestion(row: SuggestionRow) -> anyhow::Result<Suggestion> {
    let (id, guild, user, name, zh, en, kind, deadline, status, reason, created_at) = row;
    let kind = match kind.as_str() {
        "prediction" => ClaimKind::Prediction,
        "opinion" => ClaimKind::Opinion,
        other => anyhow::bail!("suggestion {id}: unknown kind `{other}` in database"),
    };
    let status = match (status.as_str(), reason) {
        ("pending", _) => SuggestionStatus::Pending,
        ("approved", _) => SuggestionStatus::Approved,
        ("rejected", Some(reason)) => SuggestionStatus::Rejected { reason },
        (other, _) => anyhow::bail!("suggestion {id}: unknown status `{other}` in database"),
    };
    Ok(Suggestion {
        id: SuggestionId(id),
        guild: GuildId::from_db(guild),
        author: UserId::from_db(user),
        author_name: name,
        text: SuggestedText { zh, en },
        kind,
        deadline: deadline.map(|d| d.parse::<NaiveDate>()).transpose()?,
        status,
        created_at: parse_ts(&created_at)?,
    })
}

impl Store {
    /// Files a suggestion unless its member already has `max_pending` waiting (decided in the
    /// same statement, so two at once cannot both slip under the limit on one writer).
    pub async fn file_suggestion(
        &self,
        new: &NewSuggestion<'_>,
        max_pending: usize,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Suggestion>> {
        let writer = self.write_slot().await;
        let id: Option<i64> = with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO suggestions (guild_id, user_id, user_name, text_zh, text_en, kind, deadline, status, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, 'pending', $8
             WHERE (SELECT COUNT(*) FROM suggestions WHERE guild_id = $1 AND user_id = $2 AND status = 'pending') < $9
             RETURNING id",
        )
        .bind(new.guild.to_db())
        .bind(new.author.to_db())
        .bind(new.author_name)
        .bind(new.draft.text.zh.as_deref())
        .bind(new.draft.text.en.as_deref())
        .bind(new.draft.kind.as_str())
        .bind(new.draft.deadline.map(|d| d.to_string()))
        .bind(ts(now))
        .bind(max_pending as i64)
        .fetch_optional(db)
        .await)?;
        drop(writer);
        match id {
            Some(id) => self.suggestion(new.guild, SuggestionId(id)).await,
            None => Ok(None),
        }
    }

    /// One suggestion of this server (none for another server's).
    pub async fn suggestion(&self, guild: GuildId, id: SuggestionId) -> anyhow::Result<Option<Suggestion>> {
        let sql = format!("SELECT {COLUMNS} FROM suggestions WHERE guild_id = $1 AND id = $2");
        let row: Option<SuggestionRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).bind(id.0).fetch_optional(db).await)?;
        row.map(to_suggestion).transpose()
    }

    /// The server's suggestions waiting for a decision, oldest first.
    pub async fn pending_suggestions(&self, guild: GuildId) -> anyhow::Result<Vec<Suggestion>> {
        let sql = format!("SELECT {COLUMNS} FROM suggestions WHERE guild_id = $1 AND status = 'pending' ORDER BY id");
        let rows: Vec<SuggestionRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).fetch_all(db).await)?;
        rows.into_iter().map(to_suggestion).collect()
    }

    /// A member's suggestions in a server, newest first.
    pub async fn member_suggestions(&self, guild: GuildId, user: UserId) -> anyhow::Result<Vec<Suggestion>> {
        let sql = format!("SELECT {COLUMNS} FROM suggestions WHERE guild_id = $1 AND user_id = $2 ORDER BY id DESC");
        let rows: Vec<SuggestionRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).bind(user.to_db()).fetch_all(db).await)?;
        rows.into_iter().map(to_suggestion).collect()
    }

    /// The server's approved suggestions in the order they were approved: its own claims.
    pub async fn approved_suggestions(&self, guild: GuildId) -> anyhow::Result<Vec<Suggestion>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions WHERE guild_id = $1 AND status = 'approved' ORDER BY approved_seq"
        );
        let rows: Vec<SuggestionRow> =
            with_db!(self, db => sqlx::query_as(&sql).bind(guild.to_db()).fetch_all(db).await)?;
        rows.into_iter().map(to_suggestion).collect()
    }

    /// A moderator's edit of a pending suggestion; false when it is no longer pending (or not
    /// this server's).
    pub async fn edit_suggestion(&self, guild: GuildId, id: SuggestionId, draft: &Draft) -> anyhow::Result<bool> {
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "UPDATE suggestions SET text_zh = $1, text_en = $2, kind = $3, deadline = $4
             WHERE guild_id = $5 AND id = $6 AND status = 'pending'",
        )
        .bind(draft.text.zh.as_deref())
        .bind(draft.text.en.as_deref())
        .bind(draft.kind.as_str())
        .bind(draft.deadline.map(|d| d.to_string()))
        .bind(guild.to_db())
        .bind(id.0)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Approves a pending suggestion: it takes the server's next place in approval order. False
    /// when it was already decided.
    pub async fn approve_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        self.decide_suggestion(guild, id, by, None, now).await
    }

    /// Rejects a pending suggestion with its reason; false when it was already decided.
    pub async fn reject_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        by: UserId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        self.decide_suggestion(guild, id, by, Some(reason), now).await
    }

    /// A moderator's decision on a pending suggestion: approved without a reason, rejected with
    /// one (the schema holds that pairing). Only an approval takes a place in approval order.
    async fn decide_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        by: UserId,
        rejected_because: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let status = if rejected_because.is_some() {
            "rejected"
        } else {
            "approved"
        };
        let _writer = self.write_slot().await;
        let done = with_db!(self, db => sqlx::query(
            "UPDATE suggestions SET status = $1, reason = $2, decided_by = $3, decided_at = $4,
                 approved_seq = CASE WHEN $1 = 'approved'
                     THEN (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM suggestions WHERE guild_id = $5) END
             WHERE guild_id = $5 AND id = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(rejected_because)
        .bind(by.to_db())
        .bind(ts(now))
        .bind(guild.to_db())
        .bind(id.0)
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
    use claim_digest_domain::suggestions::{member_draft, MAX_PENDING};

    #[tokio::test]
    async fn suggestions_are_filed_decided_and_kept_per_server() {
        for store in crate::testing::stores().await {
            suggestions_are_filed_decided_and_kept_per_server_on(store).await;
        }
    }

    async fn suggestions_are_filed_decided_and_kept_per_server_on(store: Store) {
        let now: DateTime<Utc> = "2026-12-02T09:00:00Z".parse().unwrap();
        let today = now.date_naive();
        let (guild, other) = (GuildId(5), GuildId(6));
        for g in [guild, other] {
            store.ensure_guild(g, Lang::En, &[], now).await.unwrap();
        }
        let (ada, bob, moderator) = (UserId(10), UserId(11), UserId(99));
        let draft = |text: &str| member_draft(text, ClaimKind::Opinion, None, today).unwrap();
        let file = |user: UserId, text: &str| {
            let draft = draft(text);
            let store = store.clone();
            async move {
                let new = NewSuggestion {
                    guild,
                    author: user,
                    author_name: "Ada Lovelace",
                    draft: &draft,
                };
                store.file_suggestion(&new, MAX_PENDING, now).await.unwrap()
            }
        };
        let mut filed = Vec::new();
        for n in 0..MAX_PENDING {
            filed.push(
                file(ada, &format!("Suggestion number {n}"))
                    .await
                    .expect("under the limit"),
            );
        }
        assert_eq!(
            file(ada, "One suggestion too many").await,
            None,
            "three pending at most"
        );
        let bobs = file(bob, "Bob has his own limit").await.expect("another member");
        assert_eq!(filed[0].status, SuggestionStatus::Pending);
        assert_eq!(filed[0].text.en.as_deref(), Some("Suggestion number 0"));
        assert_eq!(filed[0].author_name, "Ada Lovelace");

        // Another server sees none of them and cannot decide them.
        assert!(store.pending_suggestions(other).await.unwrap().is_empty());
        assert!(!store
            .approve_suggestion(other, filed[0].id, moderator, now)
            .await
            .unwrap());
        assert_eq!(store.suggestion(other, filed[0].id).await.unwrap(), None);

        // Edited, then approved: approval order, not filing order, is the rotation's order.
        let edited = Draft {
            text: SuggestedText {
                zh: Some("第三条建议，已编辑".into()),
                en: Some("Suggestion three, edited".into()),
            },
            kind: ClaimKind::Prediction,
            deadline: Some("2030-01-01".parse().unwrap()),
        };
        assert!(store.edit_suggestion(guild, filed[2].id, &edited).await.unwrap());
        assert!(store
            .approve_suggestion(guild, filed[2].id, moderator, now)
            .await
            .unwrap());
        assert!(store
            .approve_suggestion(guild, filed[0].id, moderator, now)
            .await
            .unwrap());
        assert!(
            !store
                .approve_suggestion(guild, filed[0].id, moderator, now)
                .await
                .unwrap(),
            "once"
        );
        assert!(
            !store.edit_suggestion(guild, filed[0].id, &edited).await.unwrap(),
            "decided: no edits"
        );
        let approved = store.approved_suggestions(guild).await.unwrap();
        assert_eq!(
            approved.iter().map(|s| s.id).collect::<Vec<_>>(),
            [filed[2].id, filed[0].id]
        );
        assert_eq!(approved[0].text, edited.text);
        assert_eq!((approved[0].kind, approved[0].deadline), (edited.kind, edited.deadline));

        assert!(store
            .reject_suggestion(guild, filed[1].id, moderator, "Already in the essay", now)
            .await
            .unwrap());
        assert!(!store
            .reject_suggestion(guild, filed[2].id, moderator, "too late", now)
            .await
            .unwrap());
        let mine = store.member_suggestions(guild, ada).await.unwrap();
        let statuses: Vec<SuggestionStatus> = mine.iter().map(|s| s.status.clone()).collect();
        assert_eq!(
            statuses,
            [
                SuggestionStatus::Approved,
                SuggestionStatus::Rejected {
                    reason: "Already in the essay".into()
                },
                SuggestionStatus::Approved,
            ],
            "newest first"
        );
        // Decided suggestions free the member's places.
        assert!(file(ada, "A fourth, now that there is room").await.is_some());
        assert_eq!(
            store
                .pending_suggestions(guild)
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()[0],
            bobs.id
        );
    }

    /// The schema itself refuses what the code must never write: a rejection without a reason,
    /// an opinion with a deadline, a status it does not know, a suggestion with no text.
    #[tokio::test]
    async fn the_schema_holds_the_invariants() {
        for store in crate::testing::stores().await {
            let now: DateTime<Utc> = "2026-12-02T09:00:00Z".parse().unwrap();
            store.ensure_guild(GuildId(5), Lang::En, &[], now).await.unwrap();
            let bad = [
                "INSERT INTO suggestions (guild_id, user_id, user_name, text_en, kind, status, decided_at, created_at) VALUES (5, 1, 'a', 'text', 'opinion', 'rejected', 'x', 'x')",
                "INSERT INTO suggestions (guild_id, user_id, user_name, text_en, kind, deadline, created_at) VALUES (5, 1, 'a', 'text', 'opinion', '2030-01-01', 'x')",
                "INSERT INTO suggestions (guild_id, user_id, user_name, text_en, kind, status, created_at) VALUES (5, 1, 'a', 'text', 'opinion', 'maybe', 'x')",
                "INSERT INTO suggestions (guild_id, user_id, user_name, kind, created_at) VALUES (5, 1, 'a', 'opinion', 'x')",
                "INSERT INTO suggestions (guild_id, user_id, user_name, text_en, kind, created_at) VALUES (404, 1, 'a', 'text', 'opinion', 'x')",
            ];
            for sql in bad {
                let result = with_db!(store, db => sqlx::query(sql).execute(db).await.map(drop));
                assert!(result.is_err(), "{} accepted {sql}", store.backend_name());
            }
        }
    }
}
