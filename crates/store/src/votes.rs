use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{ts, with_db, with_tx, Store};
use claim_digest_domain::ids::{ClaimId, GuildId, PostId, UserId};
use claim_digest_domain::stats::RoundTally;
pub use claim_digest_domain::votes::VoteSource;
use claim_digest_domain::votes::{Choice, CurrentVote, Question, Tally};

pub use claim_digest_domain::records::VoteChange;

impl Store {
    /// Records a member's choice on a post (the last choice counts). One statement: the schema's
    /// triggers keep the post's counts and the history of changes with it, so when this returns
    /// the vote, its count and its history row are committed together. A choice equal to the
    /// current one changes nothing.
    pub async fn cast_vote(
        &self,
        post: PostId,
        user: UserId,
        choice: Choice,
        source: VoteSource,
        at: DateTime<Utc>,
    ) -> anyhow::Result<VoteChange> {
        let _writer = self.write_slot().await;
        // RETURNING gives a row only when the vote was new (previous NULL) or changed.
        let changed: Option<Option<String>> = with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO votes (post_id, user_id, choice, source, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (post_id, user_id) DO UPDATE SET previous = votes.choice, choice = excluded.choice,
               source = excluded.source, updated_at = excluded.updated_at
             WHERE votes.choice <> excluded.choice
             RETURNING previous",
        )
        .bind(post.0)
        .bind(user.to_db())
        .bind(choice.as_str())
        .bind(source.as_str())
        .bind(ts(at))
        .fetch_optional(db)
        .await)?;
        let previous = match changed {
            None => Some(choice),
            Some(previous) => previous
                .map(|p| p.parse::<Choice>())
                .transpose()
                .map_err(anyhow::Error::msg)?,
        };
        Ok(VoteChange {
            previous,
            current: Some(choice),
        })
    }

    /// A removed reaction withdraws the vote only if that reaction is still the member's choice.
    pub async fn withdraw_reaction(
        &self,
        post: PostId,
        user: UserId,
        choice: Choice,
        at: DateTime<Utc>,
    ) -> anyhow::Result<VoteChange> {
        let mut tx = self.write_tx().await?;
        let withdrawn = with_tx!(tx, conn => {
            let done = sqlx::query(
                "DELETE FROM votes WHERE post_id = $1 AND user_id = $2 AND choice = $3 AND source = 'reaction'",
            )
            .bind(post.0)
            .bind(user.to_db())
            .bind(choice.as_str())
            .execute(&mut *conn)
            .await?;
            let withdrawn = done.rows_affected() == 1;
            if withdrawn {
                sqlx::query(
                    "INSERT INTO vote_history (post_id, user_id, choice, source, at) VALUES ($1, $2, NULL, 'reaction', $3)",
                )
                .bind(post.0)
                .bind(user.to_db())
                .bind(ts(at))
                .execute(&mut *conn)
                .await?;
            }
            withdrawn
        });
        tx.commit().await?;
        Ok(if withdrawn {
            VoteChange {
                previous: Some(choice),
                current: None,
            }
        } else {
            VoteChange {
                previous: None,
                current: None,
            }
        })
    }

    /// Every member's current vote on a post.
    pub async fn current_votes(&self, post: PostId) -> anyhow::Result<Vec<CurrentVote>> {
        let rows: Vec<(i64, String, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT user_id, choice, source FROM votes WHERE post_id = $1 ORDER BY user_id"
        )
        .bind(post.0)
        .fetch_all(db)
        .await)?;
        rows.into_iter()
            .map(|(user, choice, source)| {
                Ok(CurrentVote {
                    user: UserId::from_db(user),
                    choice: choice.parse().map_err(anyhow::Error::msg)?,
                    source: source.parse().map_err(anyhow::Error::msg)?,
                })
            })
            .collect()
    }

    pub async fn post_tally(&self, post: PostId) -> anyhow::Result<Tally> {
        let rows: Vec<(String, i64)> = with_db!(self, db => sqlx::query_as("SELECT choice, n FROM vote_counts WHERE post_id = $1 AND n > 0")
                .bind(post.0)
                .fetch_all(db)
                .await)?;
        to_tally(rows)
    }

    /// How many changes the member made on a post (history rows), for tests and audits.
    pub async fn vote_history_len(&self, post: PostId, user: UserId) -> anyhow::Result<u32> {
        let n: i64 = with_db!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM vote_history WHERE post_id = $1 AND user_id = $2")
            .bind(post.0)
            .bind(user.to_db())
            .fetch_one(db)
            .await)?;
        Ok(n as u32)
    }
}

impl Store {
    /// Every sent post's tally in a server, per claim and round, oldest first.
    pub async fn round_tallies(&self, guild: GuildId) -> anyhow::Result<Vec<(ClaimId, RoundTally)>> {
        let rounds = self.sent_rounds(guild, None).await?;
        Ok(rounds.into_iter().map(|(claim, round, _)| (claim, round)).collect())
    }

    /// One claim's rounds in a server, oldest first, each with the question it asked: what a
    /// vote's reply and the claim's page need, without reading every other claim's rounds.
    pub async fn claim_round_tallies(
        &self,
        guild: GuildId,
        claim: &ClaimId,
    ) -> anyhow::Result<Vec<(RoundTally, Question)>> {
        let rounds = self.sent_rounds(guild, Some(claim)).await?;
        Ok(rounds
            .into_iter()
            .map(|(_, round, question)| (round, question))
            .collect())
    }

    /// The sent posts of a server (of one claim, when given) with their counts, oldest first.
    async fn sent_rounds(
        &self,
        guild: GuildId,
        claim: Option<&ClaimId>,
    ) -> anyhow::Result<Vec<(ClaimId, RoundTally, Question)>> {
        let claim = claim.map(|c| c.as_str());
        let posts: Vec<(i64, String, i64, String, String)> = with_db!(self, db => sqlx::query_as(
            "SELECT id, claim_id, round, local_date, question FROM posts
             WHERE guild_id = $1 AND status = 'sent' AND ($2 IS NULL OR claim_id = $2) ORDER BY local_date",
        )
        .bind(guild.to_db())
        .bind(claim)
        .fetch_all(db)
        .await)?;
        let counts: Vec<(i64, String, i64)> = with_db!(self, db => sqlx::query_as(
            "SELECT c.post_id, c.choice, c.n FROM vote_counts c JOIN posts p ON p.id = c.post_id
             WHERE p.guild_id = $1 AND ($2 IS NULL OR p.claim_id = $2) AND c.n > 0",
        )
        .bind(guild.to_db())
        .bind(claim)
        .fetch_all(db)
        .await)?;
        let mut by_post: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
        for (post, choice, n) in counts {
            by_post.entry(post).or_default().push((choice, n));
        }
        posts
            .into_iter()
            .map(|(id, claim, round, date, question)| {
                let tally = to_tally(by_post.remove(&id).unwrap_or_default())?;
                let round = RoundTally {
                    round: round as u32,
                    post: PostId(id),
                    date: date.parse()?,
                    tally,
                };
                Ok((
                    ClaimId::from(claim),
                    round,
                    question.parse::<Question>().map_err(anyhow::Error::msg)?,
                ))
            })
            .collect()
    }
}

fn to_tally(rows: Vec<(String, i64)>) -> anyhow::Result<Tally> {
    let mut counts = Vec::with_capacity(rows.len());
    for (choice, n) in rows {
        counts.push((choice.parse::<Choice>().map_err(anyhow::Error::msg)?, n as u32));
    }
    Ok(Tally::from_counts(counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewPost, Reservation};
    use claim_digest_domain::ids::ChannelId;
    use claim_digest_domain::lang::Lang;
    use claim_digest_domain::votes::Question;

    #[tokio::test]
    async fn last_choice_counts_and_history_is_kept() {
        for store in crate::testing::stores().await {
            let now = Utc::now();
            store.ensure_guild(GuildId(1), Lang::Zh, &[], now).await.unwrap();
            let new = NewPost {
                guild: GuildId(1),
                local_date: "2026-11-28".parse().unwrap(),
                claim_id: "c".into(),
                round: 1,
                question: Question::Stance,
                channel: ChannelId(2),
                nonce: "n".into(),
            };
            let Reservation::Reserved(post) = store.reserve_post(&new, now).await.unwrap() else {
                panic!()
            };
            store
                .mark_post_sent(post.id, claim_digest_domain::ids::MessageId(3), now)
                .await
                .unwrap();
            let (alice, bob) = (UserId(10), UserId(11));
            assert_eq!(
                store
                    .cast_vote(post.id, alice, Choice::Agree, VoteSource::Button, now)
                    .await
                    .unwrap()
                    .previous,
                None
            );
            store
                .cast_vote(post.id, bob, Choice::Agree, VoteSource::Button, now)
                .await
                .unwrap();
            let change = store
                .cast_vote(post.id, alice, Choice::Disagree, VoteSource::Button, now)
                .await
                .unwrap();
            assert_eq!(change.previous, Some(Choice::Agree));
            // The same choice again changes nothing and adds no history.
            store
                .cast_vote(post.id, alice, Choice::Disagree, VoteSource::Button, now)
                .await
                .unwrap();
            let tally = store.post_tally(post.id).await.unwrap();
            assert_eq!((tally.count(Choice::Agree), tally.count(Choice::Disagree)), (1, 1));
            assert_eq!(store.vote_history_len(post.id, alice).await.unwrap(), 2);
            // A reaction vote, then its removal; removing a reaction that is not the current choice does nothing.
            let carol = UserId(12);
            store
                .cast_vote(post.id, carol, Choice::Unsure, VoteSource::Reaction, now)
                .await
                .unwrap();
            assert_eq!(
                store
                    .withdraw_reaction(post.id, carol, Choice::Agree, now)
                    .await
                    .unwrap()
                    .current,
                None
            );
            assert_eq!(store.post_tally(post.id).await.unwrap().count(Choice::Unsure), 1);
            store
                .withdraw_reaction(post.id, carol, Choice::Unsure, now)
                .await
                .unwrap();
            assert_eq!(store.post_tally(post.id).await.unwrap().voters(), 2);
            let rounds = store.round_tallies(GuildId(1)).await.unwrap();
            assert_eq!(rounds.len(), 1);
            assert_eq!(
                (rounds[0].0.as_str(), rounds[0].1.round, rounds[0].1.tally.voters()),
                ("c", 1, 2)
            );
        }
    }

    #[tokio::test]
    async fn kept_counts_match_a_recount_after_every_kind_of_change() {
        for store in crate::testing::stores().await {
            let now = Utc::now();
            store.ensure_guild(GuildId(3), Lang::En, &[], now).await.unwrap();
            let new = NewPost {
                guild: GuildId(3),
                local_date: "2026-11-28".parse().unwrap(),
                claim_id: "c".into(),
                round: 1,
                question: Question::Stance,
                channel: ChannelId(4),
                nonce: "n".into(),
            };
            let Reservation::Reserved(post) = store.reserve_post(&new, now).await.unwrap() else {
                panic!()
            };
            let choices = [Choice::Agree, Choice::Disagree, Choice::Unsure];
            for step in 0..90u64 {
                let user = UserId(100 + step % 13);
                let choice = choices[(step * 7 % 3) as usize];
                if step % 5 == 4 {
                    store.withdraw_reaction(post.id, user, choice, now).await.unwrap();
                } else {
                    let source = if step % 2 == 0 {
                        VoteSource::Reaction
                    } else {
                        VoteSource::Button
                    };
                    store.cast_vote(post.id, user, choice, source, now).await.unwrap();
                }
            }
            let recount: Vec<(String, i64)> = with_db!(store, db => sqlx::query_as(
                "SELECT choice, COUNT(*) FROM votes WHERE post_id = $1 GROUP BY choice"
            )
            .bind(post.id.0)
            .fetch_all(db)
            .await)
            .unwrap();
            let expected = to_tally(recount).unwrap();
            assert!(expected.voters() > 0);
            assert_eq!(
                store.post_tally(post.id).await.unwrap(),
                expected,
                "{}",
                store.backend_name()
            );
        }
    }
}
