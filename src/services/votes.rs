//! Members voting on a post, by button or by emoji reaction: one set of rules for both.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::{GuildId, MessageId, PostId, UserId};
pub use crate::domain::views::VoteReceipt;
use crate::domain::votes::Choice;
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

impl App {
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
