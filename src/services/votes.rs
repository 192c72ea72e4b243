//! Members voting on a post, by button or by emoji reaction: one set of rules for both.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::{ChannelId, GuildId, MessageId, PostId, UserId};
pub use crate::domain::views::VoteReceipt;
use crate::domain::votes::{repair_reactions, Choice};
use crate::error::Error;
use crate::message::msg;
use crate::store::VoteSource;

/// One member's choice on one post.
#[derive(Debug, Clone, Copy)]
pub struct Ballot {
    pub guild: GuildId,
    pub post: PostId,
    pub user: UserId,
    pub choice: Choice,
    pub source: VoteSource,
}

/// What an emoji reaction on one of the bot's messages did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactionEffect {
    /// A vote was cast or withdrawn on this post.
    Counted(PostId),
    /// Not a post of this server, or not an emoji that stands for a choice on it.
    Ignored,
}

/// Who reacts to a message with an emoji, as Discord says now (for [`App::repair_reactions`]).
pub trait ReactionReader: Send + Sync {
    fn reactors(
        &self,
        channel: ChannelId,
        message: MessageId,
        emoji: &str,
    ) -> impl Future<Output = anyhow::Result<Vec<UserId>>> + Send;
}

/// Posts delivered this long ago or less have their reactions compared again after a
/// reconnection: most votes come the day a post goes out, and each post compared costs a
/// request per vote emoji (paced with the rest), so a shard of many servers is not flooded.
pub const REPAIR_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// What [`App::repair_reactions`] changed on one post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairOutcome {
    /// The post, when the message is one.
    pub post: Option<PostId>,
    pub cast: usize,
    pub withdrawn: usize,
}

impl App {
    /// The messages of the posts delivered within [`REPAIR_WINDOW`] of `now` in the servers of
    /// `shard`: those whose reactions that shard may have missed while it was away.
    pub async fn recent_post_messages(&self, shard: u32, now: DateTime<Utc>) -> anyhow::Result<Vec<MessageId>> {
        let plan = &self.config.shards;
        let posts = self.store.posts_sent_since(now - REPAIR_WINDOW).await?;
        Ok(posts
            .into_iter()
            .filter(|p| plan.shard_of(p.guild) == shard)
            .filter_map(|p| p.message)
            .collect())
    }

    /// Brings a post's reaction votes in line with the reactions Discord shows on its message,
    /// after reaction events were missed (see [`repair_reactions`] for what is changed).
    pub async fn repair_reactions<R: ReactionReader>(
        &self,
        reader: &R,
        message: MessageId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<RepairOutcome> {
        let Some(post) = self.store.post_by_message(message).await? else {
            return Ok(RepairOutcome::default());
        };
        let mut reacting = Vec::new();
        for choice in post.question.choices() {
            reacting.push((choice, reader.reactors(post.channel, message, choice.emoji()).await?));
        }
        let repair = repair_reactions(&reacting, &self.store.current_votes(post.id).await?);
        let mut outcome = RepairOutcome {
            post: Some(post.id),
            ..RepairOutcome::default()
        };
        for (user, choice) in repair.withdraw {
            self.store.withdraw_reaction(post.id, user, choice, now).await?;
            outcome.withdrawn += 1;
        }
        for (user, choice) in repair.cast {
            let ballot = Ballot {
                guild: post.guild,
                post: post.id,
                user,
                choice,
                source: VoteSource::Reaction,
            };
            match self.vote(ballot, now).await {
                Ok(_) => outcome.cast += 1,
                Err(Error::User(refusal)) => {
                    tracing::info!(%refusal, post = %post.id, "a missed reaction vote was refused")
                }
                Err(Error::Internal(e)) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Records a member's vote; when this returns Ok the vote is committed.
    pub async fn vote(&self, ballot: Ballot, now: DateTime<Utc>) -> Result<VoteReceipt, Error> {
        let Ballot {
            guild,
            post,
            user,
            choice,
            source,
        } = ballot;
        let found = self.store.post(post).await?.filter(|p| p.guild == guild);
        let Some(post) = found else {
            return Err(msg!("vote-post-gone").into());
        };
        if choice.question() != post.question {
            return Err(msg!("vote-wrong-question").into());
        }
        let change = self.store.cast_vote(post.id, user, choice, source, now).await?;
        let tally = self.store.post_tally(post.id).await?;
        Ok(VoteReceipt { post, change, tally })
    }

    /// A reaction added to (or removed from) a message: a vote by emoji when the message is one
    /// of this server's posts and the emoji stands for a choice on it. Adding goes through the
    /// same rules as a button; removing withdraws only the choice that emoji stood for.
    pub async fn react(
        &self,
        guild: GuildId,
        message: MessageId,
        user: UserId,
        emoji: &str,
        added: bool,
        now: DateTime<Utc>,
    ) -> Result<ReactionEffect, Error> {
        let post = match self.store.post_by_message(message).await? {
            Some(post) if post.guild == guild => post,
            _ => return Ok(ReactionEffect::Ignored),
        };
        // Skin-tone and presentation variants count as the same emoji.
        let base: String = emoji
            .chars()
            .filter(|c| !matches!(c, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}'))
            .collect();
        let Some(choice) = Choice::from_emoji(&base, post.question) else {
            return Ok(ReactionEffect::Ignored);
        };
        if added {
            let ballot = Ballot {
                guild,
                post: post.id,
                user,
                choice,
                source: VoteSource::Reaction,
            };
            self.vote(ballot, now).await?;
        } else {
            self.store.withdraw_reaction(post.id, user, choice, now).await?;
        }
        Ok(ReactionEffect::Counted(post.id))
    }
}
